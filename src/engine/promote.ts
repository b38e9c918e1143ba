/**
 * Promote, reject and rollback: the three ways a release on standby ends. Promote goes
 * through the gate (a passing verification of exactly these digests, and of the shared
 * services in the groups promotion.requireVerifiedIn names), then switches the whole
 * group together; it never switches to a color that is not ready, force or not.
 */
import type { Catalog, Group } from '../core/config/types.ts';
import { EngineError } from '../core/errors.ts';
import { checkPromotionGate, type RequiredGroupRecords } from '../core/gate.ts';
import type { Color } from '../core/naming.ts';
import type { SwitchProbes } from '../core/ports.ts';
import type { SwitchProbeRecord } from '../core/probe.ts';
import {
  digestsOf,
  pendingSwitch,
  previousLiveRelease,
  type ReleaseRecord,
  type StoredRelease,
  type SwitchIntent,
} from '../core/release.ts';
import { judgeRollout } from '../core/rollout.ts';
import { applyReleaseToColor, recordedServicePlans } from './apply.ts';
import { type EngineDeps, type LockOptions, nowIso } from './deps.ts';
import {
  type RunningSwitchProbe,
  type SwitchProbeInput,
  type SwitchWindow,
  startSwitchProbe,
} from './probe.ts';
import { changeRecord } from './records.ts';
import { type Session, withGroupLock } from './session.ts';
import { requireStandbyReady, standbyRelease } from './standby.ts';
import {
  colorTargets,
  type ScaleDownDelay,
  scaleColor,
  scaleDownAfterDelay,
  switchGroupLive,
} from './switch.ts';
import { type GroupView, liveReleaseId, standbyReleaseId } from './view.ts';
import { waitForRollout } from './wait.ts';

export interface SwitchOperationInput extends LockOptions {
  catalog: Catalog;
  group: Group;
  timeoutMs: number;
  scaleDownDelay: ScaleDownDelay;
  signal?: AbortSignal | undefined;
}

/** Promote and rollback can measure their switch with the probe (deps.probes then required). */
export interface MeasuredSwitchInput extends SwitchOperationInput {
  probe?: SwitchProbeInput | undefined;
}

export type SwitchDeps = EngineDeps & { probes?: SwitchProbes | undefined };

export interface RequiredGroup {
  group: string;
  namespace: string;
  services: readonly string[];
}

export interface PromoteInput extends MeasuredSwitchInput {
  /** The release to promote; default: the one on standby. */
  releaseId?: string | undefined;
  force?: { reason: string } | undefined;
  /** The groups of promotion.requireVerifiedIn, with their namespaces. */
  requireVerifiedIn: readonly RequiredGroup[];
}

export type SwitchOutcome = 'promoted' | 'already-live' | 'rejected' | 'nothing-to-reject' | 'rolled-back';

export interface SwitchOperationResult {
  outcome: SwitchOutcome;
  releaseId: string | undefined;
  liveColor: Color | undefined;
  liveColors: Record<string, Color>;
  record: ReleaseRecord | undefined;
  /** Why the gate was overridden, when it was. */
  forcedPast: string[];
  /** What the switch probe counted, when one ran. */
  probe?: SwitchProbeRecord;
}

export async function promoteRelease(input: PromoteInput, deps: SwitchDeps): Promise<SwitchOperationResult> {
  return withGroupLock(input, deps, async (session) => {
    const { view } = session;
    const live = liveReleaseId(view);
    const finished = finishedByRecovery(session, 'promote');
    if (finished && (input.releaseId ?? finished) === finished)
      return finishRecoveredSwitch('promoted', finished, session);
    if (input.releaseId && input.releaseId === live && view.strays.length === 0) {
      return result('already-live', view, view.records.get(live)?.record, view.liveColor);
    }
    const stored = standbyRelease(view, input.releaseId);
    await requireReady(view, stored.record, session);
    const required = await requiredGroupRecords(input.requireVerifiedIn, session.deps);
    const verdict = checkPromotionGate({
      release: stored.record,
      requireVerifiedIn: required,
      force: input.force,
    });
    if (!verdict.allowed) {
      const [first] = verdict.refusals;
      throw new EngineError(
        first?.kind ?? 'not-verified',
        verdict.refusals.map((refusal) => refusal.reason).join('; '),
      );
    }
    const target = verdict.forced
      ? await recordForced(
          stored,
          input,
          verdict.refusals.map((r) => r.reason),
          session,
        )
      : stored;
    const window: SwitchWindow = {
      operation: 'promote',
      releaseId: target.record.id,
      from: view.liveColor,
      to: view.standbyColor,
      timeoutMs: input.timeoutMs,
      scaleDownDelay: input.scaleDownDelay,
    };
    const measured = await measureSwitch(view, window, input, deps, session, () =>
      switchToStandby(view, 'promote', target, live, input, session),
    );
    return {
      ...result('promoted', view, measured.record, view.standbyColor),
      liveColors: measured.liveColors,
      forcedPast: verdict.forced ? verdict.refusals.map((refusal) => refusal.reason) : [],
      ...(measured.probe ? { probe: measured.probe } : {}),
    };
  });
}

export async function rejectRelease(
  input: SwitchOperationInput & { releaseId?: string | undefined },
  deps: EngineDeps,
): Promise<SwitchOperationResult> {
  return withGroupLock(input, deps, async (session) => {
    const { view } = session;
    const onStandby = standbyReleaseId(view);
    if (!onStandby || onStandby === liveReleaseId(view))
      return result('nothing-to-reject', view, undefined, view.liveColor);
    const stored = standbyRelease(view, input.releaseId);
    await scaleColor(view, view.standbyColor, 0, session.deps);
    const rejected = await changeRecord(session.deps.records, stored.record.id, stored, (record) =>
      record && record.phase !== 'promoted'
        ? {
            ...record,
            phase: 'rejected',
            rejectedAt: nowIso(session.deps.clock),
            updatedAt: nowIso(session.deps.clock),
          }
        : undefined,
    );
    session.deps.log.info(
      `rejected release ${stored.record.id}: ${view.standbyColor} scaled to zero, live untouched`,
    );
    return result('rejected', view, rejected?.record, view.liveColor);
  });
}

/**
 * Back to the previous live release. If its color still runs it, ready, the switch is
 * immediate; otherwise its digests come up on standby first.
 */
export async function rollbackRelease(
  input: MeasuredSwitchInput,
  deps: SwitchDeps,
): Promise<SwitchOperationResult> {
  return withGroupLock(input, deps, async (session) => {
    const { view } = session;
    const finished = finishedByRecovery(session, 'rollback');
    if (finished) return finishRecoveredSwitch('rolled-back', finished, session);
    const live = liveReleaseId(view);
    const currentRecord = live ? view.records.get(live)?.record : undefined;
    const target = previousLiveRelease(
      [...view.records.values()].map((entry) => entry.record),
      currentRecord,
    );
    const stored = target ? view.records.get(target.id) : undefined;
    if (!target || !stored) {
      throw new EngineError(
        'no-previous-release',
        `group ${view.group.name} has no earlier promoted release to roll back to`,
      );
    }
    await bringUpOnStandby(view, stored, input, session);
    const fresh = await session.reread();
    const window: SwitchWindow = {
      operation: 'rollback',
      releaseId: target.id,
      from: view.liveColor,
      to: view.standbyColor,
      timeoutMs: input.timeoutMs,
      scaleDownDelay: input.scaleDownDelay,
    };
    const measured = await measureSwitch(fresh, window, input, deps, session, () =>
      switchToStandby(fresh, 'rollback', fresh.records.get(target.id) ?? stored, live, input, session),
    );
    return {
      ...result('rolled-back', view, measured.record, view.standbyColor),
      liveColors: measured.liveColors,
      ...(measured.probe ? { probe: measured.probe } : {}),
    };
  });
}

/** The whole group onto the standby color, then the old color to zero once its delay passed. */
async function switchToStandby(
  view: GroupView,
  operation: 'promote' | 'rollback',
  release: StoredRelease,
  previousRelease: string | undefined,
  input: SwitchOperationInput,
  session: Session,
) {
  const switched = await switchGroupLive(
    view,
    {
      operation,
      release,
      from: view.liveColor,
      to: view.standbyColor,
      previousRelease,
      scaleDownDelay: input.scaleDownDelay,
      timeoutMs: input.timeoutMs,
      signal: session.signal,
    },
    session.deps,
  );
  await scaleDownAfterDelay(await session.reread(), switched.record, session.deps, session.signal);
  return switched;
}

/**
 * Runs the switch (and its scale-down) inside the probe's window when one was asked for;
 * the probe's count goes on the record of the release that went live.
 */
async function measureSwitch(
  view: GroupView,
  window: SwitchWindow,
  input: MeasuredSwitchInput,
  deps: SwitchDeps,
  session: Session,
  switchLive: () => Promise<{ record: ReleaseRecord; liveColors: Record<string, Color> }>,
): Promise<{ record: ReleaseRecord; liveColors: Record<string, Color>; probe?: SwitchProbeRecord }> {
  if (!input.probe) return switchLive();
  if (!deps.probes) throw new Error('a switch probe was asked for, but no SwitchProbes were wired in');
  const probe: RunningSwitchProbe = await startSwitchProbe(
    view,
    window,
    input.probe,
    { ...session.deps, probes: deps.probes },
    session.signal,
  );
  let switched: Awaited<ReturnType<typeof switchLive>>;
  try {
    switched = await switchLive();
  } catch (error) {
    await probe.abandon();
    throw error;
  }
  const measured = await probe.finish();
  const fresh = (await session.deps.records.list()).find((entry) => entry.record.id === switched.record.id);
  const recorded = await changeRecord(session.deps.records, switched.record.id, fresh, (record) =>
    record ? { ...record, switchProbe: measured, updatedAt: nowIso(session.deps.clock) } : undefined,
  );
  return { ...switched, record: recorded?.record ?? switched.record, probe: measured };
}

/**
 * The release whose `operation` a killed run left half-done and this run's recovery has
 * just completed (it is live now). Running the same command again must not do it twice:
 * a second promote of "the standby" would switch back to the release just replaced, a
 * second rollback would go back one release further.
 */
function finishedByRecovery(session: Session, operation: SwitchIntent['operation']): string | undefined {
  const pending = pendingSwitch([...session.found.records.values()].map((entry) => entry.record));
  if (pending?.switch?.operation !== operation) return undefined;
  return liveReleaseId(session.view) === pending.id && session.view.strays.length === 0
    ? pending.id
    : undefined;
}

/** The killed run's switch is done: what is left of it is the scale-down of the old color. */
async function finishRecoveredSwitch(
  outcome: 'promoted' | 'rolled-back',
  releaseId: string,
  session: Session,
): Promise<SwitchOperationResult> {
  const { view, deps } = session;
  const record = view.records.get(releaseId)?.record;
  deps.log.info(
    `release ${releaseId} is live: the interrupted ${outcome === 'promoted' ? 'promote' : 'rollback'} was completed`,
  );
  if (record) await scaleDownAfterDelay(view, record, deps, session.signal);
  const fresh = (await session.reread()).records.get(releaseId)?.record ?? record;
  return result(outcome, view, fresh, view.liveColor);
}

/** Makes standby run `stored` ready: at once when it still does, by scaling up, or by deploying its digests. */
async function bringUpOnStandby(
  view: GroupView,
  stored: StoredRelease,
  input: SwitchOperationInput,
  session: Session,
) {
  const color = view.standbyColor;
  const { deps } = session;
  const targets = colorTargets(view, color, stored.record.id, { includePreview: false });
  if (view.releaseOn[color] === stored.record.id) {
    if (judgeRollout(targets, await deps.cluster.readRolloutSnapshot()).done) {
      deps.log.info(`release ${stored.record.id} is still warm on ${color}: switching back at once`);
      return;
    }
    deps.log.info(`release ${stored.record.id} is on ${color} but scaled down: scaling it up`);
    await scaleColor(view, color, 'desired', deps);
  } else {
    deps.log.info(`release ${stored.record.id} is gone from ${color}: deploying its digests there first`);
    await redeploy(view, stored.record, color, input, deps);
  }
  await waitForRollout(
    {
      targets: colorTargets(await session.reread(), color, stored.record.id, { includePreview: false }),
      timeoutMs: input.timeoutMs,
      what: `release ${stored.record.id} on ${color}`,
      signal: session.signal,
    },
    deps,
  );
}

async function redeploy(
  view: GroupView,
  record: ReleaseRecord,
  color: Color,
  input: SwitchOperationInput,
  deps: EngineDeps,
) {
  await applyReleaseToColor(
    {
      ...input,
      releaseId: record.id,
      color,
      services: recordedServicePlans(record, view.group, input.catalog),
      existingServices: view.objects.services,
    },
    deps,
  );
  const stored = (await deps.records.list()).find((entry) => entry.record.id === record.id);
  await changeRecord(deps.records, record.id, stored, (current) =>
    current ? { ...current, color, updatedAt: nowIso(deps.clock) } : undefined,
  );
}

/** Never switch to Deployments that drifted from the record, nor to pods that are not ready. */
async function requireReady(view: GroupView, record: ReleaseRecord, session: Session): Promise<void> {
  const wanted = digestsOf(record);
  const drifted = view.group.services
    .map((service) => service.name)
    .filter((service) => view.state.services[service]?.colors[view.standbyColor]?.digest !== wanted[service]);
  if (drifted.length > 0) {
    throw new EngineError(
      'release-not-on-standby',
      `standby (${view.standbyColor}) does not run the digests of release ${record.id} for ${drifted.join(', ')}`,
    );
  }
  await requireStandbyReady(view, record, '', session.deps);
}

async function requiredGroupRecords(
  required: readonly RequiredGroup[],
  deps: EngineDeps,
): Promise<RequiredGroupRecords[]> {
  return Promise.all(
    required.map(async (group) => ({
      group: group.group,
      services: group.services,
      records: (await deps.recordsOf(group.namespace).list()).map((entry) => entry.record),
    })),
  );
}

async function recordForced(
  stored: StoredRelease,
  input: PromoteInput,
  overridden: string[],
  session: Session,
): Promise<StoredRelease> {
  const { deps } = session;
  const reason = input.force?.reason ?? '';
  deps.log.warn(`promoting release ${stored.record.id} by force (${reason}), past: ${overridden.join('; ')}`);
  const forced = await changeRecord(deps.records, stored.record.id, stored, (record) =>
    record
      ? {
          ...record,
          forced: { reason, actor: deps.run.actor, at: nowIso(deps.clock) },
          updatedAt: nowIso(deps.clock),
        }
      : undefined,
  );
  return forced ?? stored;
}

function result(
  outcome: SwitchOutcome,
  view: GroupView,
  record: ReleaseRecord | undefined,
  liveColor: Color | undefined,
): SwitchOperationResult {
  return {
    outcome,
    releaseId: record?.id,
    liveColor,
    liveColors: Object.fromEntries(
      Object.values(view.state.services).flatMap((service) =>
        liveColor
          ? [[service.service, liveColor]]
          : service.liveColor
            ? [[service.service, service.liveColor]]
            : [],
      ),
    ),
    record,
    forcedPast: [],
  };
}
