import { createRequire as __greenlightRequire } from 'node:module';
const require = __greenlightRequire(import.meta.url);
import {
  readGroupInputs
} from "../chunks/chunk-OZ5TUCFJ.js";
import {
  booleanInput,
  durationInput,
  listInput,
  optionalInput,
  runAction
} from "../chunks/chunk-EC4QDAOE.js";
import "../chunks/chunk-KRE2M7C2.js";
import "../chunks/chunk-X5X2W4PK.js";
import "../chunks/chunk-C4AV673B.js";
import "../chunks/chunk-KSZB5HZC.js";

// actions/deploy-group/inputs.ts
function readDeployGroupInputs(source) {
  return {
    ...readGroupInputs(source),
    overrides: listInput(source, "overrides"),
    registry: optionalInput(source, "registry") ?? "ecr",
    awsRegion: optionalInput(source, "aws-region"),
    timeoutMs: durationInput(source, "timeout", "10m"),
    lockTimeoutMs: durationInput(source, "lock-timeout", "10m"),
    keepFailed: booleanInput(source, "keep-failed", false),
    dryRun: booleanInput(source, "dry-run", false)
  };
}

// actions/deploy-group/index.ts
await runAction(readDeployGroupInputs, async () => (await import("../chunks/main-A5NDZPAS.js")).run);
