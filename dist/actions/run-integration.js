import { createRequire as __greenlightRequire } from 'node:module';
const require = __greenlightRequire(import.meta.url);
import {
  loadActionGroup,
  readGroupInputs
} from "../chunks/chunk-WLY3PBTA.js";
import {
  runAction
} from "../chunks/chunk-BVG4FC6Y.js";
import {
  booleanInput,
  choiceInput,
  durationInput,
  optionalInput
} from "../chunks/chunk-BNRP56K6.js";
import "../chunks/chunk-ODQACIOW.js";
import "../chunks/chunk-5G6K3IH5.js";
import "../chunks/chunk-KRE2M7C2.js";
import "../chunks/chunk-XENWERP3.js";
import "../chunks/chunk-C337HVKU.js";
import "../chunks/chunk-C4AV673B.js";
import "../chunks/chunk-KSZB5HZC.js";

// actions/run-integration/inputs.ts
var MODES = ["auto", "job", "command"];
var URLS = ["group", "port-forward", "in-cluster"];
function readRunIntegrationInputs(source) {
  const group = readGroupInputs(source);
  const inputs = {
    ...group,
    releaseId: optionalInput(source, "release-id"),
    mode: choiceInput(source, "mode", MODES, "auto"),
    urls: choiceInput(source, "urls", URLS, "group"),
    registry: optionalInput(source, "registry") ?? "ecr",
    awsRegion: optionalInput(source, "aws-region"),
    timeoutMs: durationInput(source, "timeout", "30m"),
    lockTimeoutMs: durationInput(source, "lock-timeout", "10m"),
    githubToken: optionalInput(source, "github-token"),
    reportPath: optionalInput(source, "report-path") ?? "greenlight-junit.xml",
    failOnFailure: booleanInput(source, "fail-on-failure", true)
  };
  return { ...inputs, validated: loadActionGroup(group) };
}

// actions/run-integration/index.ts
await runAction(readRunIntegrationInputs, async () => (await import("../chunks/main-OKSARJCE.js")).run);
