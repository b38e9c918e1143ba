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
  durationInput,
  listInput,
  optionalInput
} from "../chunks/chunk-BNRP56K6.js";
import {
  inputOverrideEntries
} from "../chunks/chunk-ODQACIOW.js";
import "../chunks/chunk-5G6K3IH5.js";
import "../chunks/chunk-KRE2M7C2.js";
import "../chunks/chunk-XENWERP3.js";
import "../chunks/chunk-C337HVKU.js";
import "../chunks/chunk-C4AV673B.js";
import "../chunks/chunk-KSZB5HZC.js";

// actions/deploy-group/inputs.ts
function readDeployGroupInputs(source) {
  const group = readGroupInputs(source);
  const overrides = listInput(source, "overrides");
  const inputs = {
    ...group,
    overrides,
    registry: optionalInput(source, "registry") ?? "ecr",
    awsRegion: optionalInput(source, "aws-region"),
    timeoutMs: durationInput(source, "timeout", "10m"),
    lockTimeoutMs: durationInput(source, "lock-timeout", "10m"),
    keepFailed: booleanInput(source, "keep-failed", false),
    dryRun: booleanInput(source, "dry-run", false)
  };
  return { ...inputs, validated: loadActionGroup(group, inputOverrideEntries("overrides", overrides)) };
}

// actions/deploy-group/index.ts
await runAction(readDeployGroupInputs, async () => (await import("../chunks/main-X4BK5OK2.js")).run);
