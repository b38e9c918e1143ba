import { createRequire as __greenlightRequire } from 'node:module';
const require = __greenlightRequire(import.meta.url);
import {
  readGroupInputs
} from "../chunks/chunk-PPCYJSQT.js";
import {
  booleanInput,
  durationInput,
  listInput,
  optionalInput,
  runAction
} from "../chunks/chunk-MD5NRILB.js";
import "../chunks/chunk-UIDQUT5U.js";
import "../chunks/chunk-DYZWVZH3.js";
import "../chunks/chunk-ICTWTR22.js";
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
await runAction(readDeployGroupInputs, async () => (await import("../chunks/main-EY5BAVEX.js")).run);
