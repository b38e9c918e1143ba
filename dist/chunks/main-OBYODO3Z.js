import { createRequire as __greenlightRequire } from 'node:module';
const require = __greenlightRequire(import.meta.url);
import {
  actionEngineDeps,
  loadActionGroup,
  workspace
} from "./chunk-ZK34E56Z.js";
import {
  promoteRelease,
  rejectRelease,
  rollbackRelease
} from "./chunk-FNMP6LCR.js";
import {
  historyEntry,
  renderStatusMarkdown,
  statusOf
} from "./chunk-ZNKFC3LD.js";
import {
  readGroupView,
  requiredGroups
} from "./chunk-JZ7UAZIR.js";
import {
  info,
  setOutput,
  summary
} from "./chunk-DYZWVZH3.js";
import "./chunk-WAWVFMRZ.js";
import "./chunk-R6Y2HZ7J.js";
import "./chunk-ICTWTR22.js";
import "./chunk-TAPV5QTX.js";
import "./chunk-KSZB5HZC.js";

// actions/switch-color/main.ts
async function run(inputs) {
  const validated = loadActionGroup(inputs);
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
