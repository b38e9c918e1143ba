/**
 * What every engine operation works through: the group's namespace, its records and lock,
 * time, and where progress goes. Operations take `(input, deps)`; the CLI and the actions
 * build real deps (`src/wiring/`), unit tests build in-memory ones.
 */
import type {
  Clock,
  GroupCluster,
  ImageRegistry,
  LeaseStore,
  ProgressLog,
  ReleaseStore,
} from '../core/ports.ts';

/** Who runs this and from where: recorded on releases and named when holding the lock. */
export interface RunContext {
  /** `user@host` on a laptop, the GitHub actor on a runner. */
  actor: string;
  /** The workflow run, when there is one. */
  runUrl?: string | undefined;
}

export interface EngineDeps {
  cluster: GroupCluster;
  records: ReleaseStore;
  leases: LeaseStore;
  clock: Clock;
  log: ProgressLog;
  run: RunContext;
  /** Records of another group's namespace (promotion.requireVerifiedIn reads them). */
  recordsOf(namespace: string): ReleaseStore;
}

export interface DeployDeps extends EngineDeps {
  images: ImageRegistry;
}

/** Options every operation that takes the lock shares. */
export interface LockOptions {
  /** How long to wait for another run's lock before failing with its holder's name. */
  lockTimeoutMs: number;
  /** The Lease duration; a killed run's lock frees itself after this. */
  leaseDurationMs?: number;
}

export const DEFAULT_LOCK_TIMEOUT_MS = 120_000;

export function nowIso(clock: Clock): string {
  return new Date(clock.now()).toISOString();
}
