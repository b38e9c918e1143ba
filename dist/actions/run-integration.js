import { createRequire as __greenlightRequire } from 'node:module';
const require = __greenlightRequire(import.meta.url);
import {
  loadActionGroup,
  readGroupInputs
} from "../chunks/chunk-W7OMEDTM.js";
import {
  runAction
} from "../chunks/chunk-IFVAZXWR.js";
import {
  booleanInput,
  choiceInput,
  durationInput,
  optionalInput
} from "../chunks/chunk-BXDNX7JK.js";
import "../chunks/chunk-4YEYCEBQ.js";
import "../chunks/chunk-OGDFHWAX.js";
import "../chunks/chunk-KUEXGX5L.js";
import "../chunks/chunk-XENWERP3.js";
import "../chunks/chunk-C337HVKU.js";
import "../chunks/chunk-L2HEXJUQ.js";
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
await runAction(readRunIntegrationInputs, async () => (await import("../chunks/main-F5HR57N7.js")).run);
