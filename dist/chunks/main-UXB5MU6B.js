import { createRequire as __greenlightRequire } from 'node:module';
const require = __greenlightRequire(import.meta.url);
import {
  actionEngineDeps,
  actionKubeClient
} from "./chunk-HRR4KWPD.js";
import {
  connectRegistry
} from "./chunk-EIL5547Z.js";
import "./chunk-2REIP6HU.js";
import {
  switchProbesFor
} from "./chunk-ERUHK7NM.js";
import "./chunk-NME52WII.js";
import {
  workspace
} from "./chunk-W7OMEDTM.js";
import "./chunk-BXDNX7JK.js";
import {
  promoteRelease,
  rejectRelease,
  resolveSwitchProbe,
  rollbackRelease
} from "./chunk-UBCOQJZ2.js";
import {
  historyEntry,
  renderProbeLine,
  renderProbeMarkdown,
  renderStatusMarkdown,
  statusOf
} from "./chunk-26FLLUUD.js";
import "./chunk-I2BOCA7Y.js";
import {
  readGroupView
} from "./chunk-M7YEDHSS.js";
import "./chunk-A7DPAKFH.js";
import {
  requiredGroups
} from "./chunk-4YEYCEBQ.js";
import "./chunk-OGDFHWAX.js";
import "./chunk-KUEXGX5L.js";
import "./chunk-IQQIDYJJ.js";
import {
  info,
  setOutput,
  summary,
  warning
} from "./chunk-XENWERP3.js";
import "./chunk-C337HVKU.js";
import "./chunk-XHBTLDLT.js";
import "./chunk-R6Y2HZ7J.js";
import "./chunk-L2HEXJUQ.js";
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
  const probe = inputs.probe ? {
    probe: await resolveSwitchProbe(
      validated.group,
      connectRegistry({ registry: inputs.registry, env: process.env, region: inputs.awsRegion })
    ),
    probes: switchProbesFor(actionKubeClient(), validated.group.namespace)
  } : void 0;
  const result = await operate(
    inputs,
    { ...common, probe: probe?.probe },
    { ...deps, probes: probe?.probes }
  );
  setOutput("live-colors", JSON.stringify(result.liveColors));
  setOutput("history-entry", JSON.stringify(result.record ? historyEntry(result.record) : null));
  setOutput("outcome", result.outcome);
  setOutput("probe", JSON.stringify(result.probe ?? null));
  info(
    `${inputs.operation} of ${validated.group.name}: ${result.outcome}${result.releaseId ? ` (release ${result.releaseId})` : ""}`
  );
  if (result.probe) {
    const line = renderProbeLine(result.probe);
    if (result.probe.failed > 0) warning(line);
    else info(line);
  }
  const status = statusOf(await readGroupView(validated, deps), 5, false);
  await summary.addRaw(renderStatusMarkdown(status, `Greenlight ${inputs.operation}: ${result.outcome}`)).addRaw(result.probe ? `
${renderProbeMarkdown(result.probe)}` : "").write();
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
