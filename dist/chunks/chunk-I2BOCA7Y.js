import { createRequire as __greenlightRequire } from 'node:module';
const require = __greenlightRequire(import.meta.url);
import {
  colorTargets,
  judgeRollout,
  nothingOnStandby,
  standbyReleaseId
} from "./chunk-M7YEDHSS.js";
import {
  EngineError
} from "./chunk-L2HEXJUQ.js";

// src/engine/images.ts
async function resolveImageReference(reference, field, images) {
  const at = reference.indexOf("@");
  const colon = reference.lastIndexOf(":");
  const [repository, ref] = at >= 0 ? [reference.slice(0, at), reference.slice(at + 1)] : colon > reference.lastIndexOf("/") ? [reference.slice(0, colon), reference.slice(colon + 1)] : [reference, "latest"];
  const found = await images.lookup(repository, ref);
  if (!found) {
    throw new EngineError("image-not-found", `${field}: ${reference} not found in ${images.description}`, {
      hint: `build the image (build-push-ecr) or fix ${field.split(" ").at(-1)}`
    });
  }
  return `${found.host}/${repository}@${found.digest}`;
}

// src/engine/standby.ts
function standbyRelease(view, named) {
  const onStandby = standbyReleaseId(view);
  if (!onStandby) throw nothingOnStandby(view);
  if (named && named !== onStandby) {
    throw new EngineError(
      "release-not-on-standby",
      `release ${named} is not on standby: ${view.standbyColor} runs release ${onStandby}`
    );
  }
  const stored = view.records.get(onStandby);
  if (!stored) {
    throw new EngineError(
      "nothing-on-standby",
      `standby (${view.standbyColor}) runs release ${onStandby}, which has no release record`
    );
  }
  return stored;
}
async function requireStandbyReady(view, record, what, deps) {
  const verdict = judgeRollout(
    colorTargets(view, view.standbyColor, record.id, { includePreview: false }),
    await deps.cluster.readRolloutSnapshot()
  );
  if (!verdict.done) {
    const why = [...verdict.failed, ...verdict.waiting].map((entry) => `${entry.service}: ${entry.reason}`);
    throw new EngineError(
      "standby-not-ready",
      `standby (${view.standbyColor}) is not ready${what}: ${why.join("; ")}`
    );
  }
}

export {
  resolveImageReference,
  standbyRelease,
  requireStandbyReady
};
