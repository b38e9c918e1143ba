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
import {
  parseScaleDownDelay
} from "../chunks/chunk-KRE2M7C2.js";
import "../chunks/chunk-XENWERP3.js";
import "../chunks/chunk-C337HVKU.js";
import {
  InputError
} from "../chunks/chunk-C4AV673B.js";
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
  return { ...inputs, validated: loadActionGroup(inputs) };
}

// actions/switch-color/index.ts
await runAction(readSwitchColorInputs, async () => (await import("../chunks/main-L2VSXHNK.js")).run);
