/**
 * Promote, reject and rollback: the three ways a release on standby ends. Promote goes
 * through the gate (a passing verification of exactly these digests, and of the shared
 * services in the groups promotion.requireVerifiedIn names), then switches the whole
 * group together; it never switches to a color that is not ready, force or not.
 */
import type { Catalog, Group } from '../core/config/types.ts';
import { EngineError } from '../core/failures.ts';
import { checkPromotionGate, type RequiredGroupRecords } from '../core/gate.ts';
import type { Color } from '../core/naming.ts';
import {
  digestsOf,
  pendingSwitch,
  previousLiveRelease,
  type ReleaseRecord,
  type StoredRelease,
  type SwitchIntent,
} from '../core/release.ts';
import { judgeRollout } from '../core/rollout.ts';
import { deploymentSpecOf, supportServiceSpecs } from '../core/workload.ts';
import { type EngineDeps, type LockOptions, nowIso } from './deps.ts';
import { changeRecord } from './records.ts';
import { nothingOnStandby, type Session, withGroupLock } from './session.ts';
import {
  colorTargets,
  forEachLimited,
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

export interface RequiredGroup {
  group: string;
  namespace: string;
  services: readonly string[];
}

export interface PromoteInput extends SwitchOperationInput {
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
}

export async function promoteRelease(input: PromoteInput, deps: EngineDeps): Promise<SwitchOperationResult> {
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
    const switched = await switchGroupLive(
      view,
      {
        operation: 'promote',
        release: target,
        from: view.liveColor,
        to: view.standbyColor,
        previousRelease: live,
        scaleDownDelay: input.scaleDownDelay,
        timeoutMs: input.timeoutMs,
        signal: session.signal,
      },
      session.deps,
    );
    await scaleDownAfterDelay(await session.reread(), switched.record, session.deps, session.signal);
    return {
      ...result('promoted', view, switched.record, view.standbyColor),
      liveColors: switched.liveColors,
      forcedPast: verdict.forced ? verdict.refusals.map((refusal) => refusal.reason) : [],
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
  input: SwitchOperationInput,
  deps: EngineDeps,
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
    const switched = await switchGroupLive(
      fresh,
      {
        operation: 'rollback',
        release: fresh.records.get(target.id) ?? stored,
        from: view.liveColor,
        to: view.standbyColor,
        previousRelease: live,
        scaleDownDelay: input.scaleDownDelay,
        timeoutMs: input.timeoutMs,
        signal: session.signal,
      },
      session.deps,
    );
    await scaleDownAfterDelay(await session.reread(), switched.record, session.deps, session.signal);
    return {
      ...result('rolled-back', view, switched.record, view.standbyColor),
      liveColors: switched.liveColors,
    };
  });
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
  const ports = new Map([...input.catalog.services.values()].map((service) => [service.name, service.port]));
  const context = {
    group: view.group.name,
    namespace: view.group.namespace,
    releaseId: record.id,
    color,
    runUrl: deps.run.runUrl,
    progressDeadlineSeconds: Math.max(60, Math.ceil(input.timeoutMs / 1000)),
  };
  const services = record.services.flatMap((service) => {
    const catalogService = input.catalog.services.get(service.service);
    return catalogService ? [{ service, catalogService }] : [];
  });
  await forEachLimited(
    services.flatMap(({ catalogService }) => supportServiceSpecs(catalogService, view.group.name, color)),
    (spec) => deps.cluster.applyService(spec),
  );
  const replicas = new Map(view.group.services.map((service) => [service.name, service.replicas]));
  await forEachLimited(services, ({ service, catalogService }) =>
    deps.cluster.applyDeployment(
      deploymentSpecOf(
        {
          service: service.service,
          action: 'deploy',
          selector: service.branch
            ? { kind: 'branch', branch: service.branch }
            : { kind: 'digest', digest: service.digest },
          source: 'group',
          repository: service.repository,
          digest: service.digest,
          image: service.image,
          ...(service.commit ? { commit: service.commit } : {}),
          replicas: replicas.get(service.service) ?? catalogService.replicas,
        },
        catalogService,
        ports,
        context,
      ),
    ),
  );
  const stored = (await deps.records.list()).find((entry) => entry.record.id === record.id);
  await changeRecord(deps.records, record.id, stored, (current) =>
    current ? { ...current, color, updatedAt: nowIso(deps.clock) } : undefined,
  );
}

/** The standby's release record, or a one-line refusal. */
function standbyRelease(view: GroupView, named: string | undefined): StoredRelease {
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

/** Never switch to pods that are not ready, nor to Deployments that drifted from the record. */
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
  const verdict = judgeRollout(
    colorTargets(view, view.standbyColor, record.id, { includePreview: false }),
    await session.deps.cluster.readRolloutSnapshot(),
  );
  if (!verdict.done) {
    const why = [...verdict.failed, ...verdict.waiting].map((entry) => `${entry.service}: ${entry.reason}`);
    throw new EngineError(
      'standby-not-ready',
      `standby (${view.standbyColor}) is not ready: ${why.join('; ')}`,
    );
  }
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
