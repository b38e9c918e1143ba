import { createRequire as __greenlightRequire } from 'node:module';
const require = __greenlightRequire(import.meta.url);
import {
  actionEngineDeps
} from "./chunk-GXWBKHJO.js";
import "./chunk-BOKV4STS.js";
import "./chunk-CHZDSVB2.js";
import {
  workspace
} from "./chunk-WLY3PBTA.js";
import "./chunk-BNRP56K6.js";
import {
  promoteRelease,
  rejectRelease,
  rollbackRelease
} from "./chunk-6FIIWV36.js";
import {
  historyEntry,
  renderStatusMarkdown,
  statusOf
} from "./chunk-5JUTBUVV.js";
import "./chunk-3XKL2OLV.js";
import {
  readGroupView
} from "./chunk-6NYT5PGP.js";
import "./chunk-O5BAZSXH.js";
import "./chunk-P26RPQZC.js";
import {
  requiredGroups
} from "./chunk-ODQACIOW.js";
import "./chunk-5G6K3IH5.js";
import "./chunk-KRE2M7C2.js";
import "./chunk-63LXJWUQ.js";
import {
  info,
  setOutput,
  summary
} from "./chunk-XENWERP3.js";
import "./chunk-C337HVKU.js";
import "./chunk-5IX7GEB5.js";
import "./chunk-R6Y2HZ7J.js";
import "./chunk-C4AV673B.js";
import "./chunk-TAPV5QTX.js";
import "./chunk-KSZB5HZC.js";

// actions/switch-color/main.ts
async function run(inputs) {
  const { validated } = inputs;
  const deps = actionEngineDeps(validated);
  const common = {
    ...validated,
    timeoutMs: inputs.timeoutMs,
    lockTimeoutMs: inputs.lockTimeoutMs,
    scaleDownDelay: inputs.scaleDownDelay,
    signal: deps.signal
  };
  const result = await operate(inputs, common, deps);
  setOutput("live-colors", JSON.stringify(result.liveColors));
  setOutput("history-entry", JSON.stringify(result.record ? historyEntry(result.record) : null));
  setOutput("outcome", result.outcome);
  info(
    `${inputs.operation} of ${validated.group.name}: ${result.outcome}${result.releaseId ? ` (release ${result.releaseId})` : ""}`
  );
  const status = statusOf(await readGroupView(validated, deps), 5, false);
  await summary.addRaw(renderStatusMarkdown(status, `Greenlight ${inputs.operation}: ${result.outcome}`)).write();
}
function operate(inputs, common, deps) {
  switch (inputs.operation) {
    case "promote":
      return promoteRelease(
        {
          ...common,
          releaseId: inputs.releaseId,
          force: inputs.force ? { reason: inputs.reason ?? "" } : void 0,
          requireVerifiedIn: requiredGroups({ cwd: workspace(), groupsDir: inputs.groupsDir }, common.group)
        },
        deps
      );
    case "reject":
      return rejectRelease({ ...common, releaseId: inputs.releaseId }, deps);
    case "rollback":
      return rollbackRelease(common, deps);
  }
}
export {
  run
};
