/**
 * The namespace lock's rules, on plain values: one Greenlight run per namespace at a
 * time, a Lease that its holder renews, taken over only once it has expired. The Lease
 * object itself is read and written by `src/kube/lease.ts`; the loop is `engine/lock.ts`.
 */

export const LOCK_LEASE_NAME = 'greenlight-lock';
/** Long enough to ride out a slow API server, short enough that a killed run frees the group soon. */
export const DEFAULT_LEASE_DURATION_MS = 15_000;
export const RENEW_FRACTION = 3;

export interface LeaseState {
  /** Who holds it: a run URL or user@host, plus a unique suffix. Absent when released. */
  holder?: string;
  acquiredAt?: number;
  renewedAt?: number;
  durationMs: number;
  transitions: number;
}

export interface StoredLease {
  lease: LeaseState;
  version: string;
}

export type LeaseDecision =
  | { action: 'take' }
  | { action: 'take-over'; previousHolder: string }
  | { action: 'wait'; holder: string; expiresAt: number };

export function decideLease(lease: LeaseState | undefined, me: string, now: number): LeaseDecision {
  if (!lease?.holder || lease.holder === me) return { action: 'take' };
  const expiresAt = leaseExpiry(lease);
  if (expiresAt < now) return { action: 'take-over', previousHolder: lease.holder };
  return { action: 'wait', holder: lease.holder, expiresAt };
}

export function leaseExpiry(lease: LeaseState): number {
  return (lease.renewedAt ?? lease.acquiredAt ?? 0) + lease.durationMs;
}

/** The holder's own view: it must stop writing before anyone else may take over. */
export function holderMayWrite(lastRenewedAt: number, durationMs: number, now: number): boolean {
  // A margin of a third of the duration: clocks differ, and a write in flight takes time.
  return now < lastRenewedAt + durationMs - durationMs / RENEW_FRACTION;
}

export function heldLease(
  me: string,
  now: number,
  previous: LeaseState | undefined,
  durationMs: number,
): LeaseState {
  const changedHands = previous?.holder !== me;
  return {
    holder: me,
    acquiredAt: changedHands ? now : (previous?.acquiredAt ?? now),
    renewedAt: now,
    durationMs,
    transitions: (previous?.transitions ?? 0) + (changedHands && previous?.holder ? 1 : 0),
  };
}
