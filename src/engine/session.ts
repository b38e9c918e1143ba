/**
 * One locked operation on a group: take the namespace lock, finish whatever a killed run
 * left half-done (a switch intent, an overdue scale-down), run the operation with writes
 * that check the lock first, release the lock at the end, also on failure.
 */
import type { Catalog, Group } from '../core/config/types.ts';
import { EngineError } from '../core/errors.ts';
import type { GroupCluster, ReleaseStore } from '../core/ports.ts';
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
    const view = await recoverGroup(await reread(), { ...input, signal }, guarded);
    return await body({ view, deps: guarded, lock, signal, reread });
  } finally {
    await lock.release();
  }
}

/** Every write checks that the lock is still held, so a run that lost it never writes again. */
function guardCluster(cluster: GroupCluster, lock: NamespaceLock): GroupCluster {
  const check =
    <A extends unknown[], R>(write: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> => {
      lock.ensureHeld();
      return write(...args);
    };
  return {
    namespace: cluster.namespace,
    server: cluster.server,
    readGroupObjects: () => cluster.readGroupObjects(),
    readRolloutSnapshot: () => cluster.readRolloutSnapshot(),
    watchRollout: (signal) => cluster.watchRollout(signal),
    readEvents: (names) => cluster.readEvents(names),
    createNamespace: check(() => cluster.createNamespace()),
    applyDeployment: check((spec) => cluster.applyDeployment(spec)),
    applyService: check((spec) => cluster.applyService(spec)),
    selectServiceColor: check((name, color) => cluster.selectServiceColor(name, color)),
    scaleDeployment: check((name, replicas) => cluster.scaleDeployment(name, replicas)),
    deleteService: check((name) => cluster.deleteService(name)),
  };
}

function guardRecords(records: ReleaseStore, lock: NamespaceLock): ReleaseStore {
  return {
    list: () => records.list(),
    create: (record) => {
      lock.ensureHeld();
      return records.create(record);
    },
    update: (stored, record) => {
      lock.ensureHeld();
      return records.update(stored, record);
    },
    delete: (id) => {
      lock.ensureHeld();
      return records.delete(id);
    },
  };
}

/** An operation's refusal when nothing is on standby. */
export function nothingOnStandby(view: GroupView): EngineError {
  return new EngineError(
    'nothing-on-standby',
    `group ${view.group.name} has no release on standby (${view.standbyColor}) in ${view.group.namespace}`,
  );
}
