/**
 * Release records: what a deploy put on standby, what happened to it since, and the
 * switch intent that lets a killed promote be finished by the next command. The records
 * live in the group's namespace (`src/kube/records.ts`); this module decides on them.
 */
import type { Color } from './naming.ts';
import type { SwitchProbeRecord } from './probe.ts';

export const RELEASE_PHASES = [
  'deploying',
  'ready',
  'verified',
  'failed',
  'promoted',
  'rejected',
  'rolled-back',
] as const;
export type ReleasePhase = (typeof RELEASE_PHASES)[number];

export const DEFAULT_HISTORY_LIMIT = 20;

export interface ReleaseService {
  service: string;
  digest: string;
  image: string;
  repository: string;
  branch?: string;
  tag?: string;
  commit?: string;
}

export interface TestTotals {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

/** The outcome of an integration test run against exactly these digests. */
export interface Verification extends TestTotals {
  passed: boolean;
  /** service -> digest the tests ran against: promotion requires them to equal the release's. */
  digests: Record<string, string>;
  at: string;
  runUrl?: string;
  report?: string;
  mode?: 'job' | 'command';
  summary?: string;
}

export interface SwitchIntent {
  operation: 'promote' | 'rollback';
  /** The color live before the switch; absent at the first promotion. */
  from?: Color;
  to: Color;
  /** The release live before the switch, whose record changes when the switch completes. */
  previousRelease?: string;
  /** How long the old color keeps serving after the switch; absent: it stays up (keep). */
  scaleDownDelayMs?: number;
  startedAt: string;
  by: string;
}

export interface RecordedFailure {
  kind: string;
  message: string;
  at: string;
}

export interface ReleaseRecord {
  id: string;
  group: string;
  namespace: string;
  /** The color it was (last) deployed to. */
  color: Color;
  services: ReleaseService[];
  phase: ReleasePhase;
  actor: string;
  runUrl?: string;
  /** How many deploys put this exact release on standby. */
  deploys: number;
  deployedAt: string;
  readyAt?: string;
  verifiedAt?: string;
  promotedAt?: string;
  /** When another release took over live (it stays `promoted`: it went live once). */
  retiredAt?: string;
  rejectedAt?: string;
  /** The release that replaced this one on standby before it was promoted. */
  supersededBy?: string;
  rolledBackAt?: string;
  updatedAt: string;
  verification?: Verification;
  failure?: RecordedFailure;
  forced?: { reason: string; actor: string; at: string };
  switch?: SwitchIntent;
  /** The previous color, to be scaled to zero once this time has passed (absent: keep it warm). */
  scaleDown?: { color: Color; notBefore: string };
  /** What the switch probe counted across the switch that made this release live (`probe: true`). */
  switchProbe?: SwitchProbeRecord;
}

/** A record as stored, with the version an update must name (optimistic concurrency). */
export interface StoredRelease {
  record: ReleaseRecord;
  version: string;
}

export function digestsOf(record: Pick<ReleaseRecord, 'services'>): Record<string, string> {
  return Object.fromEntries(record.services.map((service) => [service.service, service.digest]));
}

/** Newest first by deploy time; ties by id so the order is stable. */
export function newestFirst(records: readonly ReleaseRecord[]): ReleaseRecord[] {
  return [...records].sort((a, b) => b.deployedAt.localeCompare(a.deployedAt) || a.id.localeCompare(b.id));
}

/** A record with a switch intent still on it: a switch that was started and not finished. */
export function pendingSwitch(records: readonly ReleaseRecord[]): ReleaseRecord | undefined {
  return records.find((record) => record.switch !== undefined);
}

/**
 * The release live before `current` went live: the newest other release that went live
 * (promoted or rolled back to) before it. Rolled-back releases are skipped: rollback goes
 * to the last good one.
 */
export function previousLiveRelease(
  records: readonly ReleaseRecord[],
  current: ReleaseRecord | undefined,
): ReleaseRecord | undefined {
  const candidates = records.filter(
    (record) =>
      record.id !== current?.id &&
      record.promotedAt !== undefined &&
      record.phase === 'promoted' &&
      (current?.promotedAt === undefined || record.promotedAt <= current.promotedAt),
  );
  return [...candidates].sort((a, b) => (b.promotedAt ?? '').localeCompare(a.promotedAt ?? ''))[0];
}

/** Records to delete so that at most `limit` remain: the oldest ones, never one named in `keep`. */
export function recordsToPrune(
  records: readonly ReleaseRecord[],
  limit: number,
  keep: ReadonlySet<string>,
): ReleaseRecord[] {
  const room = Math.max(0, limit - records.filter((record) => keep.has(record.id)).length);
  return newestFirst(records)
    .filter((record) => !keep.has(record.id))
    .slice(room);
}

/**
 * The record of a release a deploy is putting on standby. Deploying a release again (the
 * same digests) starts a new cycle: earlier verifications were of pods that are gone, so
 * only the deploy count is kept.
 */
export function deployingRecord(
  existing: ReleaseRecord | undefined,
  release: Omit<ReleaseRecord, 'phase' | 'deploys' | 'deployedAt' | 'updatedAt'>,
  now: string,
): ReleaseRecord {
  return {
    ...release,
    phase: 'deploying',
    deploys: (existing?.deploys ?? 0) + 1,
    deployedAt: now,
    updatedAt: now,
  };
}
