/**
 * Deploy: put the whole group on its standby color and wait until it is ready. Every
 * service goes to standby (unchanged ones with their live digest), so what is tested is
 * the complete group. Live is never touched. A deploy of what standby already runs, ready,
 * or of what is already live, writes nothing.
 */
import type { Catalog, Group } from '../core/config/types.ts';
import { EngineError } from '../core/errors.ts';
import { type Color, deploymentName } from '../core/naming.ts';
import type { Plan } from '../core/plan.ts';
import { deployingRecord, type ReleaseRecord, type StoredRelease } from '../core/release.ts';
import { judgeRollout, podProblem } from '../core/rollout.ts';
import { applyReleaseToColor } from './apply.ts';
import { type DeployDeps, type EngineDeps, type LockOptions, nowIso } from './deps.ts';
import { planGroup, replan } from './plan.ts';
import { changeRecord, pruneHistory } from './records.ts';
import { type Session, withGroupLock } from './session.ts';
import { colorTargets, scaleColor } from './switch.ts';
import { type GroupView, liveReleaseId, standbyReleaseId, viewOf } from './view.ts';
import { waitForRollout } from './wait.ts';

export interface DeployInput extends LockOptions {
  catalog: Catalog;
  group: Group;
  timeoutMs: number;
  /** Leave a failed standby running (for debugging) instead of scaling it to zero. */
  keepFailed: boolean;
  signal?: AbortSignal | undefined;
}

export type DeployOutcome = 'deployed' | 'already-on-standby' | 'already-live';

export interface DeployResult {
  outcome: DeployOutcome;
  plan: Plan;
  releaseId: string;
  standbyColor: Color;
  record: ReleaseRecord | undefined;
}

export async function deployGroup(input: DeployInput, deps: DeployDeps): Promise<DeployResult> {
  const planned = await planGroup(input, deps);
  const before = noOpOutcome(planned.plan, viewOf(input.group, input.catalog, planned.objects, new Map()));
  if (before === 'already-live') return finished(planned.plan, before, undefined);
  if (before === 'already-on-standby') {
    const record = (await deps.records.list()).find((entry) => entry.record.id === planned.plan.releaseId);
    if (isSettled(record) && (await standbyIsReady(planned.plan, input, deps)))
      return finished(planned.plan, before, record?.record);
  }
  // The lock's Lease lives in the namespace, so a first deploy creates it first (idempotent).
  await ensureNamespace(planned.plan, deps);
  return withGroupLock(input, deps, async (session) => {
    // The group may have changed while we waited for the lock: plan again on what is there now.
    const plan = replan(input, planned.resolved, session.view.objects);
    const outcome = noOpOutcome(plan, session.view);
    if (outcome === 'already-live') return finished(plan, outcome, undefined);
    const existing = session.view.records.get(plan.releaseId);
    if (
      outcome === 'already-on-standby' &&
      isSettled(existing) &&
      (await standbyIsReady(plan, input, session.deps))
    ) {
      return finished(plan, outcome, existing?.record);
    }
    return rollOutStandby(plan, existing, input, session);
  });
}

/**
 * Whether the deploy of this release has ended, one way or another. A record still
 * deploying (or none) with its Deployments on standby is a deploy that was cut off
 * (killed after its last apply): it is done again, not reported as ready.
 */
function isSettled(stored: StoredRelease | undefined): boolean {
  return stored !== undefined && stored.record.phase !== 'deploying';
}

function finished(plan: Plan, outcome: DeployOutcome, record: ReleaseRecord | undefined): DeployResult {
  return { outcome, plan, releaseId: plan.releaseId, standbyColor: plan.standbyColor, record };
}

function noOpOutcome(plan: Plan, view: GroupView): DeployOutcome | undefined {
  if (plan.liveColor && liveReleaseId(view) === plan.releaseId && view.strays.length === 0)
    return 'already-live';
  if (view.releaseOn[plan.standbyColor] === plan.releaseId) return 'already-on-standby';
  return undefined;
}

async function standbyIsReady(plan: Plan, input: DeployInput, deps: EngineDeps): Promise<boolean> {
  const snapshot = await deps.cluster.readRolloutSnapshot();
  const view = viewOf(input.group, input.catalog, await deps.cluster.readGroupObjects(), new Map());
  const replicas = new Map(plan.services.map((service) => [service.service, service.replicas]));
  return judgeRollout(
    colorTargets(view, plan.standbyColor, plan.releaseId, { includePreview: true, replicas }),
    snapshot,
  ).done;
}

async function rollOutStandby(
  plan: Plan,
  existing: StoredRelease | undefined,
  input: DeployInput,
  session: Session,
): Promise<DeployResult> {
  const { deps, view } = session;
  await waitForScaleDownDelay(view, plan.standbyColor, deps, session.signal);
  await supersedeStandby(view, plan, deps);
  let stored = await changeRecord(deps.records, plan.releaseId, existing, (current) =>
    deployingRecord(current, releaseFields(plan, deps), nowIso(deps.clock)),
  );
  await applyReleaseToColor(
    {
      ...input,
      releaseId: plan.releaseId,
      color: plan.standbyColor,
      services: plan.services,
      existingServices: view.objects.services,
    },
    deps,
  );
  try {
    await waitForRollout(
      {
        targets: colorTargets(session.view, plan.standbyColor, plan.releaseId, {
          includePreview: true,
          replicas: new Map(plan.services.map((service) => [service.service, service.replicas])),
        }),
        timeoutMs: input.timeoutMs,
        what: `the standby (${plan.standbyColor})`,
        signal: session.signal,
      },
      deps,
    );
  } catch (error) {
    throw await failStandby(plan, stored, error, input, session);
  }
  stored = await changeRecord(deps.records, plan.releaseId, stored, (current) =>
    current
      ? { ...current, phase: 'ready', readyAt: nowIso(deps.clock), updatedAt: nowIso(deps.clock) }
      : undefined,
  );
  await pruneAfterDeploy(session, plan.releaseId);
  return finished(plan, 'deployed', stored?.record);
}

async function ensureNamespace(plan: Plan, deps: EngineDeps): Promise<void> {
  if (plan.namespaceExists !== false) return;
  try {
    await deps.cluster.createNamespace();
    deps.log.info(`created namespace ${plan.namespace}`);
  } catch (error) {
    throw new EngineError(
      'namespace-missing',
      `namespace ${plan.namespace} does not exist and could not be created: ${messageOf(error)}`,
      {
        cause: error,
      },
    );
  }
}

/** The old live color still serves while its scale-down delay runs: replacing its pods now would cut connections. */
async function waitForScaleDownDelay(
  view: GroupView,
  color: Color,
  deps: EngineDeps,
  signal: AbortSignal,
): Promise<void> {
  for (const entry of view.records.values()) {
    const pending = entry.record.scaleDown;
    if (pending?.color !== color) continue;
    const wait = Date.parse(pending.notBefore) - deps.clock.now();
    if (wait > 0) {
      deps.log.info(
        `${color} is still draining after the last switch; waiting ${Math.ceil(wait / 1000)}s before deploying to it`,
      );
      await deps.clock.sleep(wait, signal);
    }
    await changeRecord(deps.records, entry.record.id, entry, (record) => {
      if (!record?.scaleDown) return undefined;
      const { scaleDown: _replaced, ...rest } = record;
      return { ...rest, updatedAt: nowIso(deps.clock) };
    });
  }
}

/** A release that stood on standby untested or unpromoted is replaced: its record says so. */
async function supersedeStandby(view: GroupView, plan: Plan, deps: EngineDeps): Promise<void> {
  const previous = standbyReleaseId(view);
  if (!previous || previous === plan.releaseId) return;
  const entry = view.records.get(previous);
  if (!entry || !['deploying', 'ready', 'verified', 'failed'].includes(entry.record.phase)) return;
  await changeRecord(deps.records, previous, entry, (record) =>
    record
      ? {
          ...record,
          phase: 'rejected',
          rejectedAt: nowIso(deps.clock),
          supersededBy: plan.releaseId,
          updatedAt: nowIso(deps.clock),
        }
      : undefined,
  );
}

function releaseFields(
  plan: Plan,
  deps: EngineDeps,
): Omit<ReleaseRecord, 'phase' | 'deploys' | 'deployedAt' | 'updatedAt'> {
  return {
    id: plan.releaseId,
    group: plan.group,
    namespace: plan.namespace,
    color: plan.standbyColor,
    services: plan.services.map((service) => ({
      service: service.service,
      digest: service.digest,
      image: service.image,
      repository: service.repository,
      ...(service.selector.kind === 'branch' ? { branch: service.selector.branch } : {}),
      ...(service.tag === undefined ? {} : { tag: service.tag }),
      ...(service.commit === undefined ? {} : { commit: service.commit }),
    })),
    actor: deps.run.actor,
    ...(deps.run.runUrl ? { runUrl: deps.run.runUrl } : {}),
  };
}

/**
 * The standby cannot become ready: say why (pod reasons and events), scale it to zero so
 * nothing half-working stays around (unless keep-failed), record the failure. Live is
 * untouched throughout.
 */
async function failStandby(
  plan: Plan,
  stored: StoredRelease | undefined,
  error: unknown,
  input: DeployInput,
  session: Session,
): Promise<unknown> {
  const { deps } = session;
  if (!(error instanceof EngineError) || error.kind === 'lock-lost') return error;
  const explained = await explainFailure(plan, error, deps).catch(() => error);
  if (!input.keepFailed) {
    await scaleColor(await session.reread(), plan.standbyColor, 0, deps).catch((scaleError: unknown) =>
      deps.log.warn(`could not scale the failed standby to zero: ${messageOf(scaleError)}`),
    );
  }
  await changeRecord(deps.records, plan.releaseId, stored, (record) =>
    record
      ? {
          ...record,
          phase: 'failed',
          failure: { kind: explained.kind, message: explained.message, at: nowIso(deps.clock) },
          updatedAt: nowIso(deps.clock),
        }
      : undefined,
  ).catch((recordError: unknown) => deps.log.warn(`could not record the failure: ${messageOf(recordError)}`));
  return explained;
}

/** Adds the failing pods' recent Warning events to the message: what `kubectl describe` would show. */
async function explainFailure(plan: Plan, error: EngineError, deps: EngineDeps): Promise<EngineError> {
  const snapshot = await deps.cluster.readRolloutSnapshot();
  const failing = snapshot.pods.filter(
    (pod) =>
      pod.color === plan.standbyColor && pod.releaseId === plan.releaseId && podProblem(pod).length > 0,
  );
  const names = [
    ...new Set([
      ...failing.map((pod) => pod.name),
      ...plan.services.map((s) => deploymentName(s.service, plan.standbyColor)),
    ]),
  ];
  const events = (await deps.cluster.readEvents(names))
    .filter((event) => event.type === 'Warning')
    .slice(0, 8);
  const eventLines = events.map(
    (event) =>
      `${event.object}: ${event.reason}: ${event.message}${event.count > 1 ? ` (x${event.count})` : ''}`,
  );
  const message =
    eventLines.length > 0 ? `${error.message}\nrecent events:\n  ${eventLines.join('\n  ')}` : error.message;
  return new EngineError(error.kind, message, {
    cause: error,
    detail: { ...error.detail, events: eventLines },
  });
}

async function pruneAfterDeploy(session: Session, releaseId: string): Promise<void> {
  const view = await session.reread();
  const live = liveReleaseId(view);
  const keep = new Set([releaseId, ...(live ? [live] : [])]);
  const records = [...view.records.values()].map((entry) => entry.record);
  // The newest earlier live release is the rollback target: never prune it.
  const rollbackTarget = records
    .filter((record) => record.phase === 'promoted' && record.id !== live)
    .sort((a, b) => (b.promotedAt ?? '').localeCompare(a.promotedAt ?? ''))[0];
  if (rollbackTarget) keep.add(rollbackTarget.id);
  const pruned = await pruneHistory(session.deps.records, records, keep);
  if (pruned.length > 0) session.deps.log.info(`pruned ${pruned.length} old release record(s)`);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
