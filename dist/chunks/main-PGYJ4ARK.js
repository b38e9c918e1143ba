import { createRequire as __greenlightRequire } from 'node:module';
const require = __greenlightRequire(import.meta.url);
import {
  actionEngineDeps,
  loadActionGroup,
  workspace
} from "./chunk-TMNHATLI.js";
import {
  promoteRelease,
  rejectRelease,
  rollbackRelease
} from "./chunk-TFRXEF7C.js";
import {
  historyEntry,
  readGroupView,
  renderStatusMarkdown,
  requiredGroups,
  statusOf
} from "./chunk-UISPYVUO.js";
import {
  info,
  setOutput,
  summary
} from "./chunk-X5X2W4PK.js";
import "./chunk-4G7EMD4N.js";
import "./chunk-R6Y2HZ7J.js";
import "./chunk-C4AV673B.js";
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
