import { createRequire as __greenlightRequire } from 'node:module';
const require = __greenlightRequire(import.meta.url);
import {
  readGroupInputs
} from "../chunks/chunk-PPCYJSQT.js";
import {
  booleanInput,
  choiceInput,
  durationInput,
  optionalInput,
  runAction
} from "../chunks/chunk-MD5NRILB.js";
import "../chunks/chunk-UIDQUT5U.js";
import "../chunks/chunk-DYZWVZH3.js";
import "../chunks/chunk-ICTWTR22.js";
import "../chunks/chunk-KSZB5HZC.js";

// actions/run-integration/inputs.ts
var MODES = ["auto", "job", "command"];
var URLS = ["group", "port-forward", "in-cluster"];
function readRunIntegrationInputs(source) {
  return {
    ...readGroupInputs(source),
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
}

// actions/run-integration/index.ts
await runAction(readRunIntegrationInputs, async () => (await import("../chunks/main-XC37VJAC.js")).run);
