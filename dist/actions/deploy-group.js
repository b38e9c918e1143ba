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
  durationInput,
  listInput,
  optionalInput
} from "../chunks/chunk-BXDNX7JK.js";
import {
  inputOverrideEntries
} from "../chunks/chunk-4YEYCEBQ.js";
import "../chunks/chunk-OGDFHWAX.js";
import "../chunks/chunk-KUEXGX5L.js";
import "../chunks/chunk-XENWERP3.js";
import "../chunks/chunk-C337HVKU.js";
import "../chunks/chunk-L2HEXJUQ.js";
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
await runAction(readDeployGroupInputs, async () => (await import("../chunks/main-FYL3T7LB.js")).run);
