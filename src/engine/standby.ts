/** What promote and test ask of the standby before they act on it: the release it runs, and that it is ready. */
import { EngineError } from '../core/errors.ts';
import type { ReleaseRecord, StoredRelease } from '../core/release.ts';
import { judgeRollout } from '../core/rollout.ts';
import type { EngineDeps } from './deps.ts';
import { nothingOnStandby } from './session.ts';
import { colorTargets } from './switch.ts';
import { type GroupView, standbyReleaseId } from './view.ts';

/** The standby's release record, or a one-line refusal (nothing there, another release there, no record). */
export function standbyRelease(view: GroupView, named: string | undefined): StoredRelease {
  const onStandby = standbyReleaseId(view);
  if (!onStandby) throw nothingOnStandby(view);
  if (named && named !== onStandby) {
    throw new EngineError(
      'release-not-on-standby',
      `release ${named} is not on standby: ${view.standbyColor} runs release ${onStandby}`,
    );
  }
  const stored = view.records.get(onStandby);
  if (!stored) {
    throw new EngineError(
      'nothing-on-standby',
      `standby (${view.standbyColor}) runs release ${onStandby}, which has no release record`,
    );
  }
  return stored;
}

/** Every standby Deployment ready with exactly its ready pods behind its color Service, or `standby-not-ready` saying who is not. */
export async function requireStandbyReady(
  view: GroupView,
  record: ReleaseRecord,
  what: string,
  deps: EngineDeps,
): Promise<void> {
  const verdict = judgeRollout(
    colorTargets(view, view.standbyColor, record.id, { includePreview: false }),
    await deps.cluster.readRolloutSnapshot(),
  );
  if (!verdict.done) {
    const why = [...verdict.failed, ...verdict.waiting].map((entry) => `${entry.service}: ${entry.reason}`);
    throw new EngineError(
      'standby-not-ready',
      `standby (${view.standbyColor}) is not ready${what}: ${why.join('; ')}`,
    );
  }
}
