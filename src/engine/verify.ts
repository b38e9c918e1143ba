/**
 * Recording a test run's verdict on the release it tested. A verification counts only for
 * the exact deploy it ran against: if standby no longer holds that release, or the release
 * was deployed again since the run started, a pass is not recorded as a pass.
 */
import { EngineError } from '../core/errors.ts';
import type { ReleaseRecord, Verification } from '../core/release.ts';
import { type EngineDeps, nowIso } from './deps.ts';
import { changeRecord } from './records.ts';
import { nothingOnStandby, type SessionInput, withGroupLock } from './session.ts';
import { type GroupView, readGroupView, standbyReleaseId } from './view.ts';

export interface VerificationInput {
  releaseId: string;
  /** The deploy the tests ran against (the record's deployedAt when they started). */
  deployedAt: string;
  verification: Verification;
}

export interface RecordedVerification {
  record: ReleaseRecord;
  /** False when the standby changed under the test run: nothing was recorded as passed. */
  counted: boolean;
}

export async function recordVerification(
  view: GroupView,
  input: VerificationInput,
  deps: EngineDeps,
): Promise<RecordedVerification> {
  const fresh = await readGroupView(view, deps);
  const stored = fresh.records.get(input.releaseId);
  if (!stored)
    throw new EngineError(
      'nothing-on-standby',
      `release ${input.releaseId} has no record in ${view.group.namespace}`,
    );
  const stillThere =
    standbyReleaseId(fresh) === input.releaseId && stored.record.deployedAt === input.deployedAt;
  if (!stillThere) {
    deps.log.warn(
      `standby no longer runs the deploy of release ${input.releaseId} that was tested; the result is not recorded as a verification`,
    );
    return { record: stored.record, counted: false };
  }
  const now = nowIso(deps.clock);
  const written = await changeRecord(deps.records, input.releaseId, stored, (record) =>
    record
      ? {
          ...record,
          phase: input.verification.passed ? 'verified' : 'failed',
          verification: input.verification,
          verifiedAt: now,
          ...(input.verification.passed
            ? {}
            : {
                failure: {
                  kind: 'test-failed',
                  message: input.verification.summary ?? 'the integration tests failed',
                  at: now,
                },
              }),
          updatedAt: now,
        }
      : undefined,
  );
  return { record: (written ?? stored).record, counted: true };
}

/**
 * Records a verification for the release on standby (or the one named), under the lock:
 * the API run-integration uses once its tests are done, and tests use to stand in for it.
 */
export async function recordStandbyVerification(
  input: SessionInput & { releaseId?: string | undefined; verification: Verification },
  deps: EngineDeps,
): Promise<RecordedVerification> {
  return withGroupLock(input, deps, async ({ view, deps: locked }) => {
    const releaseId = input.releaseId ?? standbyReleaseId(view);
    const stored = releaseId ? view.records.get(releaseId) : undefined;
    if (!releaseId || !stored) throw nothingOnStandby(view);
    return recordVerification(
      view,
      { releaseId, deployedAt: stored.record.deployedAt, verification: input.verification },
      locked,
    );
  });
}
