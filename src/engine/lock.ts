/**
 * The namespace lock: take the Lease (waiting for another holder up to the lock timeout),
 * renew it while the operation runs, release it at the end. A holder whose renewals fail
 * past the margin stops writing: `ensureHeld` throws before every write, so two runs never
 * write to a group at once.
 */

import { EngineError } from '../core/errors.ts';
import {
  DEFAULT_LEASE_DURATION_MS,
  decideLease,
  heldLease,
  holderMayWrite,
  LOCK_LEASE_NAME,
  RENEW_FRACTION,
  type StoredLease,
} from '../core/lock.ts';
import { type Clock, ConflictError, type LeaseStore, type ProgressLog } from '../core/ports.ts';

export interface NamespaceLock {
  readonly holder: string;
  /** Throws EngineError `lock-lost` once this run may no longer write. */
  ensureHeld(): void;
  /** Aborts when the lock is lost, so waits stop too. */
  readonly lost: AbortSignal;
  release(): Promise<void>;
}

export interface AcquireInput {
  holder: string;
  timeoutMs: number;
  durationMs?: number | undefined;
  namespace: string;
}

const POLL_MS = 1_000;

export async function acquireNamespaceLock(
  input: AcquireInput,
  deps: { leases: LeaseStore; clock: Clock; log: ProgressLog },
): Promise<NamespaceLock> {
  const durationMs = input.durationMs ?? DEFAULT_LEASE_DURATION_MS;
  const deadline = deps.clock.now() + input.timeoutMs;
  let announced = '';
  for (;;) {
    const stored = await deps.leases.read();
    const now = deps.clock.now();
    const decision = decideLease(stored?.lease, input.holder, now);
    if (decision.action !== 'wait') {
      const taken = await tryTake(stored, input.holder, durationMs, now, deps.leases);
      if (taken) {
        if (decision.action === 'take-over') {
          deps.log.warn(
            `took over the lock of ${input.namespace} from ${decision.previousHolder}: its Lease expired (the run was killed or lost the API server)`,
          );
        }
        return holdLock(taken, input.holder, durationMs, deps);
      }
      continue;
    }
    if (now >= deadline) {
      throw new EngineError(
        'lock-held',
        `namespace ${input.namespace} is locked by ${decision.holder} (Lease ${LOCK_LEASE_NAME}); waited ${Math.round(input.timeoutMs / 1000)}s`,
        { detail: { holder: decision.holder } },
      );
    }
    if (announced !== decision.holder) {
      deps.log.info(`waiting for the lock of ${input.namespace}, held by ${decision.holder}`);
      announced = decision.holder;
    }
    await deps.clock.sleep(Math.min(POLL_MS, Math.max(0, deadline - now)));
  }
}

/** One attempt to write ourselves into the Lease; undefined when another writer won the race. */
async function tryTake(
  stored: StoredLease | undefined,
  holder: string,
  durationMs: number,
  now: number,
  leases: LeaseStore,
): Promise<{ stored: StoredLease; renewedAt: number } | undefined> {
  const lease = heldLease(holder, now, stored?.lease, durationMs);
  try {
    const written = stored ? await leases.update(stored, lease) : await leases.create(lease);
    return { stored: written, renewedAt: now };
  } catch (error) {
    if (error instanceof ConflictError) return undefined;
    throw error;
  }
}

function holdLock(
  taken: { stored: StoredLease; renewedAt: number },
  holder: string,
  durationMs: number,
  deps: { leases: LeaseStore; clock: Clock; log: ProgressLog },
): NamespaceLock {
  let stored = taken.stored;
  let renewedAt = taken.renewedAt;
  const lostController = new AbortController();
  const stopRenewing = new AbortController();
  // A renewal in flight is cancelled when the run ends or the lock is lost.
  const renewalSignal = AbortSignal.any([stopRenewing.signal, lostController.signal]);
  const lose = (why: string) => {
    if (lostController.signal.aborted) return;
    deps.log.warn(`lost the namespace lock: ${why}; stopping before any further write`);
    lostController.abort(new EngineError('lock-lost', `lost the namespace lock: ${why}`));
  };
  const renewals = (async () => {
    while (!renewalSignal.aborted) {
      try {
        await deps.clock.sleep(durationMs / RENEW_FRACTION, renewalSignal);
        const now = deps.clock.now();
        stored = await deps.leases.update(
          stored,
          heldLease(holder, now, stored.lease, durationMs),
          renewalSignal,
        );
        renewedAt = now;
      } catch (error) {
        if (renewalSignal.aborted) return;
        if (error instanceof ConflictError) {
          const current = await deps.leases.read().catch(() => undefined);
          if (current && current.lease.holder !== holder) {
            lose(`the Lease now names ${current.lease.holder ?? 'nobody'}`);
            return;
          }
          if (current) stored = current;
        }
        // Other failures: keep trying; the watchdog ends the hold once the margin has passed.
      }
    }
  })();
  const watchdog = watchRenewals(() => renewedAt, durationMs, deps.clock, renewalSignal, lose);
  return {
    holder,
    lost: lostController.signal,
    ensureHeld() {
      if (lostController.signal.aborted) throw lostController.signal.reason;
      if (!holderMayWrite(renewedAt, durationMs, deps.clock.now())) {
        lose('renewals have been failing');
        throw lostController.signal.reason;
      }
    },
    async release() {
      stopRenewing.abort();
      await Promise.all([renewals, watchdog]);
      if (lostController.signal.aborted) return;
      await releaseLease(stored, holder, durationMs, deps);
    },
  };
}

/**
 * Writes the Lease without a holder. A renewal cancelled on the way out may still have
 * landed, so a conflict is read again once: still ours, it is released at its new version.
 * Bounded: a release that cannot finish within a Lease duration is not needed (it expires).
 */
async function releaseLease(
  stored: StoredLease,
  holder: string,
  durationMs: number,
  deps: { leases: LeaseStore; clock: Clock; log: ProgressLog },
): Promise<void> {
  const deadline = AbortSignal.timeout(durationMs);
  let current = stored;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const { holder: _holder, ...released } = current.lease;
      await deps.leases.update(current, { ...released, renewedAt: deps.clock.now(), durationMs }, deadline);
      return;
    } catch (error) {
      if (!(error instanceof ConflictError)) {
        // The API is gone: the Lease expires on its own.
        deps.log.warn(`could not release the namespace lock: ${String(error)}`);
        return;
      }
      const fresh = await deps.leases.read().catch(() => undefined);
      if (fresh?.lease.holder !== holder) return; // not ours any more
      current = fresh;
    }
  }
}

/**
 * Declares the lock lost once the last successful renewal is older than the margin, on
 * time, whatever the renewal requests are doing (one may hang for its whole timeout).
 */
async function watchRenewals(
  renewedAt: () => number,
  durationMs: number,
  clock: Clock,
  signal: AbortSignal,
  lose: (why: string) => void,
): Promise<void> {
  const marginMs = durationMs / RENEW_FRACTION;
  while (!signal.aborted) {
    const last = renewedAt();
    const left = last + durationMs - marginMs - clock.now();
    if (left <= 0 || !holderMayWrite(last, durationMs, clock.now())) {
      lose(`no renewal succeeded for ${Math.round((clock.now() - last) / 1000)}s`);
      return;
    }
    try {
      await clock.sleep(left, signal);
    } catch {
      return;
    }
  }
}
