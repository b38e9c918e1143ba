import { createRequire as __greenlightRequire } from 'node:module';
const require = __greenlightRequire(import.meta.url);
import {
  actionEngineDeps
} from "./chunk-HRR4KWPD.js";
import {
  connectRegistry
} from "./chunk-EIL5547Z.js";
import "./chunk-2REIP6HU.js";
import "./chunk-NME52WII.js";
import {
  deployGroup,
  liveColorsOfPlan,
  planGroup,
  previewUrls
} from "./chunk-HL4745QH.js";
import {
  planToJson,
  renderPlanMarkdown,
  renderStatusMarkdown,
  statusOf
} from "./chunk-26FLLUUD.js";
import {
  readGroupView
} from "./chunk-M7YEDHSS.js";
import "./chunk-A7DPAKFH.js";
import "./chunk-OGDFHWAX.js";
import "./chunk-IQQIDYJJ.js";
import {
  info,
  setOutput,
  summary
} from "./chunk-XENWERP3.js";
import "./chunk-C337HVKU.js";
import "./chunk-XHBTLDLT.js";
import "./chunk-R6Y2HZ7J.js";
import "./chunk-L2HEXJUQ.js";
import "./chunk-TAPV5QTX.js";
import "./chunk-KSZB5HZC.js";

// actions/deploy-group/main.ts
async function run(inputs) {
  const { validated } = inputs;
  const images = connectRegistry({ registry: inputs.registry, env: process.env, region: inputs.awsRegion });
  const deps = actionEngineDeps(validated);
  if (inputs.dryRun) {
    const { plan } = await planGroup(validated, { images, cluster: deps.cluster });
    publish(plan, validated, plan.releaseId, "planned");
    info(
      `plan for ${plan.group}: release ${plan.releaseId} to ${plan.standbyColor} (dry run, nothing written)`
    );
    await summary.addRaw(renderPlanMarkdown(plan)).write();
    return;
  }
  const result = await deployGroup(
    {
      ...validated,
      timeoutMs: inputs.timeoutMs,
      lockTimeoutMs: inputs.lockTimeoutMs,
      keepFailed: inputs.keepFailed,
      signal: deps.signal
    },
    { ...deps, images }
  );
  const phase = result.record?.phase ?? (result.outcome === "already-live" ? "promoted" : "ready");
  publish(result.plan, validated, result.releaseId, phase);
  info(`release ${result.releaseId} on ${result.standbyColor}: ${result.outcome} (${phase})`);
  const status = statusOf(await readGroupView(validated, deps), 5, false);
  await summary.addRaw(renderPlanMarkdown(result.plan)).addRaw(renderStatusMarkdown(status, `Greenlight deploy: ${result.outcome}`)).write();
}
function publish(plan, validated, releaseId, phase) {
  setOutput("plan", JSON.stringify(planToJson(plan)));
  setOutput("release-id", releaseId);
  setOutput("standby-color", plan.standbyColor);
  setOutput("phase", phase);
  setOutput("preview-urls", JSON.stringify(previewUrls(validated, plan.namespace)));
  setOutput("live-colors", JSON.stringify(liveColorsOfPlan(plan)));
  setOutput("approval", validated.group.promotion.approval ?? "");
}
export {
  run
};
