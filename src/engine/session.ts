/**
 * One locked operation on a group: take the namespace lock, finish whatever a killed run
 * left half-done (a switch intent, an overdue scale-down), run the operation with writes
 * that check the lock first, release the lock at the end, also on failure.
 */
import type { Catalog, Group } from '../core/config/types.ts';
import { EngineError } from '../core/errors.ts';
import type { GroupCluster, ReleaseStore, TestJobs } from '../core/ports.ts';
import type { EngineDeps, LockOptions } from './deps.ts';
import { acquireNamespaceLock, type NamespaceLock } from './lock.ts';
import { recoverGroup } from './recover.ts';
import { type GroupView, readGroupView } from './view.ts';

export interface SessionInput extends LockOptions {
  group: Group;
  catalog: Catalog;
  /** The run's own deadline for everything after the lock. */
  timeoutMs: number;
}

export interface Session {
  /** The group as it was when the lock was taken, before recovery finished a killed run's work. */
  found: GroupView;
  view: GroupView;
  deps: EngineDeps;
  lock: NamespaceLock;
  /** Aborts on the lock's loss or the run's cancellation. */
  signal: AbortSignal;
  /** Reads the group again (after writes). */
  reread(): Promise<GroupView>;
}

export function holderName(deps: EngineDeps): string {
  const who = deps.run.runUrl ?? deps.run.actor;
  return `${who} (pid ${process.pid}, ${Math.random().toString(36).slice(2, 8)})`;
}

export async function withGroupLock<T>(
  input: SessionInput,
  deps: EngineDeps & { signal?: AbortSignal | undefined },
  body: (session: Session) => Promise<T>,
): Promise<T> {
  const lock = await acquireNamespaceLock(
    {
      holder: holderName(deps),
      timeoutMs: input.lockTimeoutMs,
      durationMs: input.leaseDurationMs,
      namespace: input.group.namespace,
    },
    deps,
  );
  const signal = AbortSignal.any([lock.lost, ...(deps.signal ? [deps.signal] : [])]);
  const guarded: EngineDeps = {
    ...deps,
    cluster: guardCluster(deps.cluster, lock),
    records: guardRecords(deps.records, lock),
  };
  try {
    const reread = () => readGroupView(input, guarded);
    const found = await reread();
    const view = await recoverGroup(found, { ...input, signal }, guarded);
    return await body({ found, view, deps: guarded, lock, signal, reread });
  } finally {
    await lock.release();
  }
}

/** Throws once the lock is lost; else the signal that aborts a write (and its retries) when it is. */
function heldSignal(lock: NamespaceLock): AbortSignal {
  lock.ensureHeld();
  return lock.lost;
}

/**
 * Every write checks that the lock is still held, and carries the lock's `lost` signal
 * down to the API client, so a run that lost the lock never writes again: not a new
 * write, not a retry of one in flight.
 */
function guardCluster(cluster: GroupCluster, lock: NamespaceLock): GroupCluster {
  return {
    namespace: cluster.namespace,
    server: cluster.server,
    readGroupObjects: () => cluster.readGroupObjects(),
    readRolloutSnapshot: () => cluster.readRolloutSnapshot(),
    watchRollout: (signal) => cluster.watchRollout(signal),
    readEvents: (names) => cluster.readEvents(names),
    createNamespace: async () => cluster.createNamespace(heldSignal(lock)),
    applyDeployment: async (spec) => cluster.applyDeployment(spec, heldSignal(lock)),
    applyService: async (spec) => cluster.applyService(spec, heldSignal(lock)),
    selectServiceColor: async (name, color) => cluster.selectServiceColor(name, color, heldSignal(lock)),
    scaleDeployment: async (name, replicas) => cluster.scaleDeployment(name, replicas, heldSignal(lock)),
    deleteService: async (name) => cluster.deleteService(name, heldSignal(lock)),
  };
}

function guardRecords(records: ReleaseStore, lock: NamespaceLock): ReleaseStore {
  return {
    list: () => records.list(),
    create: async (record) => records.create(record, heldSignal(lock)),
    update: async (stored, record) => records.update(stored, record, heldSignal(lock)),
    delete: async (id) => records.delete(id, heldSignal(lock)),
  };
}

/** The test Job's writes under the lock, like every other write of a locked run. */
export function guardJobs(jobs: TestJobs, lock: NamespaceLock): TestJobs {
  return {
    createJob: async (spec) => jobs.createJob(spec, heldSignal(lock)),
    watchJob: (name, signal) => jobs.watchJob(name, signal),
    readLog: (pod) => jobs.readLog(pod),
    deleteJob: async (name, timeoutMs) => jobs.deleteJob(name, timeoutMs, heldSignal(lock)),
    listJobs: () => jobs.listJobs(),
  };
}

/** An operation's refusal when nothing is on standby. */
export function nothingOnStandby(view: GroupView): EngineError {
  return new EngineError(
    'nothing-on-standby',
    `group ${view.group.name} has no release on standby (${view.standbyColor}) in ${view.group.namespace}`,
  );
}
