import { createRequire as __greenlightRequire } from 'node:module';
const require = __greenlightRequire(import.meta.url);
import {
  readGroupInputs
} from "../chunks/chunk-OZ5TUCFJ.js";
import {
  choiceInput,
  durationInput,
  optionalInput,
  runAction
} from "../chunks/chunk-EC4QDAOE.js";
import "../chunks/chunk-KRE2M7C2.js";
import "../chunks/chunk-X5X2W4PK.js";
import "../chunks/chunk-C4AV673B.js";
import "../chunks/chunk-KSZB5HZC.js";

// actions/run-integration/inputs.ts
var MODES = ["auto", "job", "command"];
function readRunIntegrationInputs(source) {
  return {
    ...readGroupInputs(source),
    releaseId: optionalInput(source, "release-id"),
    mode: choiceInput(source, "mode", MODES, "auto"),
    timeoutMs: durationInput(source, "timeout", "15m"),
    githubToken: optionalInput(source, "github-token"),
    reportPath: optionalInput(source, "report-path") ?? "greenlight-junit.xml"
  };
}

// actions/run-integration/index.ts
await runAction(readRunIntegrationInputs, async () => (await import("../chunks/main-I3RK7TUN.js")).run);
