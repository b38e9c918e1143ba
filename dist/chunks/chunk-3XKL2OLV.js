import { createRequire as __greenlightRequire } from 'node:module';
const require = __greenlightRequire(import.meta.url);
import {
  colorTargets,
  judgeRollout,
  nothingOnStandby,
  standbyReleaseId
} from "./chunk-6NYT5PGP.js";
import {
  EngineError
} from "./chunk-P26RPQZC.js";

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
  standbyRelease,
  requireStandbyReady
};
