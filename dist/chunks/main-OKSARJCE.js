import { createRequire as __greenlightRequire } from 'node:module';
const require = __greenlightRequire(import.meta.url);
import {
  teamReporterFor,
  testDepsFor
} from "./chunk-KBF5R5BZ.js";
import {
  actionEngineDeps
} from "./chunk-GXWBKHJO.js";
import {
  connectKube,
  connectRegistry,
  lazyRegistry
} from "./chunk-BOKV4STS.js";
import "./chunk-CHZDSVB2.js";
import {
  workspace
} from "./chunk-WLY3PBTA.js";
import "./chunk-BNRP56K6.js";
import {
  runIntegrationTests
} from "./chunk-4G75BVBC.js";
import "./chunk-2TOWVX3P.js";
import "./chunk-3XKL2OLV.js";
import "./chunk-6NYT5PGP.js";
import "./chunk-O5BAZSXH.js";
import {
  EngineError
} from "./chunk-P26RPQZC.js";
import "./chunk-ODQACIOW.js";
import "./chunk-5G6K3IH5.js";
import "./chunk-KRE2M7C2.js";
import "./chunk-O5C6QCPA.js";
import "./chunk-63LXJWUQ.js";
import {
  setOutput,
  setSecret,
  summary
} from "./chunk-XENWERP3.js";
import "./chunk-C337HVKU.js";
import "./chunk-5IX7GEB5.js";
import "./chunk-R6Y2HZ7J.js";
import "./chunk-C4AV673B.js";
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
      env: process.env,
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
