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
import {
  parseScaleDownDelay
} from "../chunks/chunk-UIDQUT5U.js";
import "../chunks/chunk-DYZWVZH3.js";
import {
  InputError
} from "../chunks/chunk-ICTWTR22.js";
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
    lockTimeoutMs: durationInput(source, "lock-timeout", "10m")
  };
  if (inputs.force && !inputs.reason) {
    throw new InputError('Input "reason" is required with force: true; it is recorded with the release');
  }
  if (inputs.force && inputs.operation !== "promote") {
    throw new InputError(`Input "force" applies to promote only, not to ${inputs.operation}`);
  }
  return inputs;
}

// actions/switch-color/index.ts
await runAction(readSwitchColorInputs, async () => (await import("../chunks/main-OBYODO3Z.js")).run);
