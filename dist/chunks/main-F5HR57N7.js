import { createRequire as __greenlightRequire } from 'node:module';
const require = __greenlightRequire(import.meta.url);
import {
  teamReporterFor,
  testDepsFor
} from "./chunk-KVPUWJCL.js";
import {
  actionEngineDeps
} from "./chunk-HRR4KWPD.js";
import {
  connectKube,
  connectRegistry,
  lazyRegistry
} from "./chunk-EIL5547Z.js";
import "./chunk-2REIP6HU.js";
import "./chunk-NME52WII.js";
import {
  workspace
} from "./chunk-W7OMEDTM.js";
import {
  withoutActionInputs
} from "./chunk-BXDNX7JK.js";
import {
  runIntegrationTests
} from "./chunk-M3Y42XWI.js";
import "./chunk-KPV6YZKB.js";
import "./chunk-I2BOCA7Y.js";
import "./chunk-M7YEDHSS.js";
import "./chunk-A7DPAKFH.js";
import "./chunk-4YEYCEBQ.js";
import "./chunk-OGDFHWAX.js";
import "./chunk-KUEXGX5L.js";
import "./chunk-KSGAWSJL.js";
import "./chunk-IQQIDYJJ.js";
import {
  setOutput,
  setSecret,
  summary
} from "./chunk-XENWERP3.js";
import "./chunk-C337HVKU.js";
import "./chunk-XHBTLDLT.js";
import "./chunk-R6Y2HZ7J.js";
import {
  EngineError
} from "./chunk-L2HEXJUQ.js";
import "./chunk-TAPV5QTX.js";
import "./chunk-KSZB5HZC.js";

// actions/run-integration/main.ts
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
async function run(inputs) {
  if (inputs.githubToken) setSecret(inputs.githubToken);
  const { validated } = inputs;
  const deps = actionEngineDeps(validated);
  const images = lazyRegistry(
    () => connectRegistry({ registry: inputs.registry, env: process.env, region: inputs.awsRegion })
  );
  const reporter = teamReporterFor(inputs.githubToken, process.env, deps.log);
  const result = await runIntegrationTests(
    {
      ...validated,
      timeoutMs: inputs.timeoutMs,
      lockTimeoutMs: inputs.lockTimeoutMs,
      releaseId: inputs.releaseId,
      mode: inputs.mode,
      ...inputs.urls === "group" ? {} : { urls: inputs.urls },
      cwd: workspace()
    },
    testDepsFor(deps, connectKube(process.env), {
      images,
      // the test command's environment: the job's, never the action's inputs (the token)
      env: withoutActionInputs(process.env),
      reporter,
      tempRoot: process.env.RUNNER_TEMP
    })
  );
  const reportPath = resolve(workspace(), inputs.reportPath);
  if (result.junitXml !== void 0) writeFileSync(reportPath, result.junitXml);
  setOutput("passed", String(result.passed));
  setOutput("tests", String(result.totals.tests));
  setOutput("failures", String(result.totals.failures));
  setOutput("errors", String(result.totals.errors));
  setOutput("skipped", String(result.totals.skipped));
  setOutput("report-path", result.junitXml === void 0 ? "" : reportPath);
  setOutput("release-id", result.releaseId);
  await summary.addRaw(result.summary).write();
  if (!result.passed && inputs.failOnFailure) {
    throw new EngineError(
      result.failure ?? "test-failed",
      `the integration tests of release ${result.releaseId} did not pass`
    );
  }
}
export {
  run
};
