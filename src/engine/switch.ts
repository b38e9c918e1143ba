/**
 * Switching a whole group live: write the intent to the release record, point every live
 * Service at the new color at once, check each, wait until the live Services' endpoints
 * hold only the new color's ready pods, swap the previews, record the outcome. If any
 * Service cannot be switched, every Service goes back to the old color. A run killed
 * half-way leaves the intent behind, and the next command completes or reverts it.
 */
import pLimit from 'p-limit';
import type { CatalogService } from '../core/config/types.ts';
import { EngineError } from '../core/errors.ts';
import { type Color, deploymentName, otherColor, previewServiceName } from '../core/naming.ts';
import type { ReleaseRecord, StoredRelease, SwitchIntent } from '../core/release.ts';
import type { RolloutTarget } from '../core/rollout.ts';
import { colorServiceName, liveServiceName, liveServiceSpec, previewServiceSpec } from '../core/workload.ts';
import { type EngineDeps, nowIso } from './deps.ts';
import { changeRecord } from './records.ts';
import { desiredReplicasOn, type GroupView } from './view.ts';
import { waitForRollout } from './wait.ts';

/** Parallel API writes while deploying and scaling: steady, well inside the API server's in-flight limits. */
export const WRITE_CONCURRENCY = 16;
/**
 * Parallel writes of the switch itself: the live Services are patched as nearly at once as
 * the API server allows, so the window in which the group is split across colors stays
 * short (the API server's default in-flight limit for writes is 200).
 */
export const SWITCH_CONCURRENCY = 64;

export type ScaleDownDelay = number | 'keep';

export interface SwitchInput {
  operation: SwitchIntent['operation'];
  release: StoredRelease;
  from?: Color | undefined;
  to: Color;
  previousRelease?: string | undefined;
  scaleDownDelay: ScaleDownDelay;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

export interface SwitchResult {
  record: ReleaseRecord;
  liveColors: Record<string, Color>;
}

export async function switchGroupLive(
  view: GroupView,
  input: SwitchInput,
  deps: EngineDeps,
): Promise<SwitchResult> {
  const intent: SwitchIntent = {
    operation: input.operation,
    ...(input.from ? { from: input.from } : {}),
    to: input.to,
    ...(input.previousRelease ? { previousRelease: input.previousRelease } : {}),
    ...(input.scaleDownDelay === 'keep' ? {} : { scaleDownDelayMs: input.scaleDownDelay }),
    startedAt: nowIso(deps.clock),
    by: deps.run.runUrl ?? deps.run.actor,
  };
  const withIntent = await changeRecord(deps.records, input.release.record.id, input.release, (record) =>
    record ? { ...record, switch: intent, updatedAt: nowIso(deps.clock) } : undefined,
  );
  return completeSwitch(view, withIntent ?? input.release, intent, input, deps);
}

/** Steps after the intent is on record: also what recovery runs to finish a killed switch. */
export async function completeSwitch(
  view: GroupView,
  stored: StoredRelease,
  intent: SwitchIntent,
  input: Pick<SwitchInput, 'timeoutMs' | 'signal'>,
  deps: EngineDeps,
): Promise<SwitchResult> {
  const services = catalogServices(view);
  try {
    await pointLiveServices(view, services, intent.to, deps);
    await waitForRollout(
      {
        targets: liveTargets(view, intent.to, stored.record.id),
        timeoutMs: input.timeoutMs,
        what: `the live Services on ${intent.to}`,
        signal: input.signal,
      },
      deps,
    );
  } catch (error) {
    if (error instanceof EngineError && error.kind === 'lock-lost') throw error;
    await revertSwitch(view, stored, intent, error, deps);
    throw new EngineError(
      'switch-failed',
      `switching ${view.group.name} to ${intent.to} failed, every live Service is back on ${intent.from ?? 'no color (no live Service)'}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  await forEachLimited(services, (service) =>
    deps.cluster.applyService(previewServiceSpec(service, view.group.name, otherColor(intent.to))),
  );
  const record = await recordSwitched(stored, intent, deps);
  return { record, liveColors: Object.fromEntries(services.map((service) => [service.name, intent.to])) };
}

async function pointLiveServices(
  view: GroupView,
  services: readonly CatalogService[],
  color: Color,
  deps: EngineDeps,
): Promise<void> {
  const live = new Set(
    view.objects.services.filter((service) => service.role === 'live').map((service) => service.name),
  );
  const outcomes = await Promise.allSettled(
    services.map((service) =>
      limitSwitch(async () => {
        const spec = liveServiceSpec(service, view.group.name, color);
        // An existing live Service only needs its selector changed; the first promotion creates it whole.
        const applied = live.has(spec.name)
          ? await deps.cluster.selectServiceColor(spec.name, color)
          : await deps.cluster.applyService(spec);
        // The API's answer is the object as stored: check it, not what was sent.
        if (applied.selectorColor !== color) {
          throw new EngineError(
            'switch-failed',
            `Service ${applied.name} selects ${applied.selectorColor ?? 'no color'} after the switch`,
          );
        }
      }),
    ),
  );
  const failures = outcomes.flatMap((outcome, index) =>
    outcome.status === 'rejected' ? [`${services[index]?.name}: ${messageOf(outcome.reason)}`] : [],
  );
  if (failures.length > 0) throw new EngineError('switch-failed', failures.join('; '));
}

/**
 * Every live Service back on `from` (at a first promotion, with no `from`, the live
 * Services go away). Each Service is tried, also those whose switch seemed to fail (a
 * timed-out patch may have landed); then the Services are read back. Only when none is
 * left on `to` is the intent cleared: otherwise it stays, and the next command retries.
 */
export async function revertSwitch(
  view: GroupView,
  stored: StoredRelease,
  intent: SwitchIntent,
  cause: unknown,
  deps: EngineDeps,
): Promise<void> {
  const services = catalogServices(view);
  const from = intent.from;
  await Promise.allSettled(
    services.map((service) =>
      limitWrites(async () => {
        if (from) await deps.cluster.applyService(liveServiceSpec(service, view.group.name, from));
        else await deps.cluster.deleteService(liveServiceName(service.name));
      }),
    ),
  );
  const after = await deps.cluster.readGroupObjects();
  const stuck = after.services
    .filter((service) => service.role === 'live' && (from ? service.selectorColor !== from : true))
    .map((service) => service.name);
  if (stuck.length > 0) {
    throw new EngineError(
      'switch-failed',
      `could not put ${stuck.join(', ')} back on ${from ?? 'no color'} after a failed switch to ${intent.to} (${messageOf(cause)}); the switch intent stays on release ${stored.record.id} and the next Greenlight command retries`,
      { cause },
    );
  }
  await unretirePrevious(intent, deps);
  await changeRecord(deps.records, stored.record.id, stored, (record) => {
    if (!record) return undefined;
    const { switch: _pending, ...rest } = record;
    return {
      ...rest,
      failure: {
        kind: 'switch-failed',
        message: `switch to ${intent.to} reverted: ${messageOf(cause)}`,
        at: nowIso(deps.clock),
      },
      updatedAt: nowIso(deps.clock),
    };
  });
}

/**
 * The switch on record: the release it replaced first, then the new one (which also
 * clears the intent). In that order a run killed between the two leaves the intent
 * behind, and the next command writes both again; the other way round it would leave two
 * releases recorded live, with nothing left to say the second write was missing.
 */
async function recordSwitched(
  stored: StoredRelease,
  intent: SwitchIntent,
  deps: EngineDeps,
): Promise<ReleaseRecord> {
  const now = nowIso(deps.clock);
  const scaleDown =
    intent.from && intent.scaleDownDelayMs !== undefined
      ? { color: intent.from, notBefore: new Date(deps.clock.now() + intent.scaleDownDelayMs).toISOString() }
      : undefined;
  await retirePrevious(intent, stored.record.id, now, deps);
  const switched = await changeRecord(deps.records, stored.record.id, stored, (record) => {
    if (!record) return undefined;
    const {
      switch: _done,
      failure: _old,
      scaleDown: _previous,
      retiredAt: _r,
      rolledBackAt: _b,
      ...rest
    } = record;
    return {
      ...rest,
      phase: 'promoted',
      promotedAt: now,
      ...(scaleDown ? { scaleDown } : {}),
      updatedAt: now,
    };
  });
  return (switched ?? stored).record;
}

/** The release live before the switch: retired (promote) or rolled back (rollback). */
async function retirePrevious(intent: SwitchIntent, target: string, now: string, deps: EngineDeps) {
  if (!intent.previousRelease || intent.previousRelease === target) return;
  const previous = (await deps.records.list()).find((entry) => entry.record.id === intent.previousRelease);
  await changeRecord(deps.records, intent.previousRelease, previous, (record) => {
    if (!record) return undefined;
    const { scaleDown: _stale, ...rest } = record;
    return intent.operation === 'rollback'
      ? { ...rest, phase: 'rolled-back', rolledBackAt: now, retiredAt: now, updatedAt: now }
      : { ...rest, retiredAt: now, updatedAt: now };
  });
}

/** A revert after a killed run had already retired the previous release: it is live again, so it is not retired. */
async function unretirePrevious(intent: SwitchIntent, deps: EngineDeps) {
  if (!intent.previousRelease) return;
  const previous = (await deps.records.list()).find((entry) => entry.record.id === intent.previousRelease);
  await changeRecord(deps.records, intent.previousRelease, previous, (record) => {
    if (!record?.retiredAt || record.retiredAt < intent.startedAt) return undefined;
    const { retiredAt: _r, rolledBackAt: _b, ...rest } = record;
    return { ...rest, phase: 'promoted', updatedAt: nowIso(deps.clock) };
  });
}

/** After the delay (kube-proxy and load balancers follow a selector change late), the old color goes to zero. */
export async function scaleDownAfterDelay(
  view: GroupView,
  record: ReleaseRecord,
  deps: EngineDeps,
  signal?: AbortSignal,
): Promise<void> {
  const pending = record.scaleDown;
  if (!pending) return;
  const wait = Date.parse(pending.notBefore) - deps.clock.now();
  if (wait > 0) {
    deps.log.info(
      `keeping ${pending.color} up for ${Math.ceil(wait / 1000)}s (scale-down delay), then scaling it to zero`,
    );
    await deps.clock.sleep(wait, signal);
  }
  await scaleColor(view, pending.color, 0, deps);
  const fresh = (await deps.records.list()).find((entry) => entry.record.id === record.id);
  await changeRecord(deps.records, record.id, fresh, (current) => {
    if (!current?.scaleDown) return undefined;
    const { scaleDown: _done, ...rest } = current;
    return { ...rest, updatedAt: nowIso(deps.clock) };
  });
}

export async function scaleColor(
  view: GroupView,
  color: Color,
  replicas: number | 'desired',
  deps: EngineDeps,
): Promise<void> {
  const desired = desiredReplicasOn(view, color);
  await forEachLimited(
    view.group.services.filter((service) => view.state.services[service.name]?.colors[color] !== undefined),
    (service) =>
      deps.cluster.scaleDeployment(
        deploymentName(service.name, color),
        replicas === 'desired' ? (desired.get(service.name) ?? 1) : replicas,
      ),
  );
}

/** Each service's Deployment of `color` with its ready pods, behind its own color Service (and preview when asked). */
export function colorTargets(
  view: GroupView,
  color: Color,
  releaseId: string,
  options: { includePreview: boolean; replicas?: ReadonlyMap<string, number> },
): RolloutTarget[] {
  const desired = options.replicas ?? desiredReplicasOn(view, color);
  return view.group.services.map((service) => ({
    service: service.name,
    deployment: deploymentName(service.name, color),
    color,
    releaseId,
    replicas: desired.get(service.name) ?? 0,
    endpointServices: [
      colorServiceName(service.name, color),
      ...(options.includePreview ? [previewServiceName(service.name)] : []),
    ],
  }));
}

/** After a switch: each live Service must route to exactly the new color's ready pods. */
function liveTargets(view: GroupView, color: Color, releaseId: string): RolloutTarget[] {
  return colorTargets(view, color, releaseId, { includePreview: false }).map((target) => ({
    ...target,
    endpointServices: [liveServiceName(target.service)],
  }));
}

export function catalogServices(view: GroupView): CatalogService[] {
  return view.group.services.flatMap((service) => {
    const found = view.catalog.services.get(service.name);
    return found ? [found] : [];
  });
}

const limitWrites = pLimit(WRITE_CONCURRENCY);
const limitSwitch = pLimit(SWITCH_CONCURRENCY);

/** Runs `write` for every item, WRITE_CONCURRENCY at a time; the first failure is thrown after all settled. */
export async function forEachLimited<T>(
  items: readonly T[],
  write: (item: T) => Promise<unknown>,
): Promise<void> {
  const outcomes = await Promise.allSettled(items.map((item) => limitWrites(() => write(item))));
  const failed = outcomes.find((outcome) => outcome.status === 'rejected');
  if (failed) throw failed.reason;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
