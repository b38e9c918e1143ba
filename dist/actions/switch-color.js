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
import {
  parseScaleDownDelay
} from "../chunks/chunk-KUEXGX5L.js";
import "../chunks/chunk-XENWERP3.js";
import "../chunks/chunk-C337HVKU.js";
import {
  InputError
} from "../chunks/chunk-L2HEXJUQ.js";
import "../chunks/chunk-KSZB5HZC.js";

// actions/switch-color/inputs.ts
var OPERATIONS = ["promote", "reject", "rollback"];
function readSwitchColorInputs(source) {
  const inputs = {
    ...readGroupInputs(source),
    operation: choiceInput(source, "operation", OPERATIONS),
    releaseId: optionalInput(source, "release-id"),
    force: booleanInput(source, "force", false),
    reason: optionalInput(source, "reason"),
    scaleDownDelay: parseScaleDownDelay(source.get("scale-down-delay") || "30s", 'Input "scale-down-delay"'),
    timeoutMs: durationInput(source, "timeout", "5m"),
    lockTimeoutMs: durationInput(source, "lock-timeout", "10m"),
    probe: booleanInput(source, "probe", false),
    registry: optionalInput(source, "registry") ?? "ecr",
    awsRegion: optionalInput(source, "aws-region")
  };
  if (inputs.force && !inputs.reason) {
    throw new InputError('Input "reason" is required with force: true; it is recorded with the release');
  }
  if (inputs.force && inputs.operation !== "promote") {
    throw new InputError(`Input "force" applies to promote only, not to ${inputs.operation}`);
  }
  if (inputs.probe && inputs.operation === "reject") {
    throw new InputError(
      'Input "probe" applies to promote and rollback, not to reject: reject switches nothing'
    );
  }
  return { ...inputs, validated: loadActionGroup(inputs) };
}

// actions/switch-color/index.ts
await runAction(readSwitchColorInputs, async () => (await import("../chunks/main-UXB5MU6B.js")).run);
