/**
 * The narrow interfaces the engine works through. Core and engine code depend only on
 * these; `src/kube/` and `src/registry/` implement them for real clusters and registries,
 * `test/support/fake-cluster.ts` in memory for unit tests of the engine's decisions.
 */
import type {
  DeploymentObservation,
  EventObservation,
  GroupObjects,
  PodObservation,
  RolloutSnapshot,
  ServiceObservation,
} from './cluster.ts';
import { GreenlightError } from './errors.ts';
import type { LeaseState, StoredLease } from './lock.ts';
import type { Color } from './naming.ts';
import type { ProbeJobSpec } from './probe.ts';
import type { ReleaseRecord, StoredRelease } from './release.ts';
import type { JobObservation, TestJobSpec } from './testing.ts';
import type { DeploymentSpec, ServiceSpec } from './workload.ts';

export type { ImageRegistry } from './registry.ts';

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`, or rejects when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Progress lines for a person (the CLI's stderr, the action log). */
export interface ProgressLog {
  info(line: string): void;
  warn(line: string): void;
}

/** Reads one group's namespace. */
export interface ClusterReader {
  readonly namespace: string;
  /** For messages: the API server's URL. */
  readonly server: string;
  readGroupObjects(): Promise<GroupObjects>;
  readRolloutSnapshot(): Promise<RolloutSnapshot>;
  /**
   * The group's Deployments, pods and EndpointSlices as they change: one snapshot after
   * the initial list and one after each batch of watch events, until `signal` aborts.
   * Cut watches resume from the last resourceVersion.
   */
  watchRollout(signal: AbortSignal): AsyncIterable<RolloutSnapshot>;
  /** Recent events of the named objects (pods, Deployments), newest first. */
  readEvents(objectNames: readonly string[]): Promise<EventObservation[]>;
}

/**
 * Writes to one group's namespace; every write is idempotent (server-side apply or a
 * version). The optional `signal` (on every write of every port here) aborts the write:
 * no attempt or retry starts after it, a request in flight is cancelled, and its reason
 * is thrown. The engine passes its lock's `lost` signal, so a run that lost the lock
 * never writes again, not even a retry.
 */
export interface ClusterWriter {
  createNamespace(signal?: AbortSignal): Promise<void>;
  applyDeployment(spec: DeploymentSpec, signal?: AbortSignal): Promise<DeploymentObservation>;
  applyService(spec: ServiceSpec, signal?: AbortSignal): Promise<ServiceObservation>;
  /**
   * Points an existing Service's selector at `color`, and nothing else: the lightest write
   * the API server can apply, for the switch itself. Idempotent.
   */
  selectServiceColor(name: string, color: Color, signal?: AbortSignal): Promise<ServiceObservation>;
  scaleDeployment(name: string, replicas: number, signal?: AbortSignal): Promise<void>;
  deleteService(name: string, signal?: AbortSignal): Promise<void>;
}

export interface GroupCluster extends ClusterReader, ClusterWriter {}

/** Another writer changed the object since it was read (HTTP 409): read again and decide again. */
export class ConflictError extends GreenlightError {
  override name = 'ConflictError';

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { kind: 'record-conflict', cause: options.cause });
  }
}

/** The release records of one namespace, with optimistic concurrency on every write. */
export interface ReleaseStore {
  list(): Promise<StoredRelease[]>;
  /** ConflictError when a record of that id exists already. */
  create(record: ReleaseRecord, signal?: AbortSignal): Promise<StoredRelease>;
  /** ConflictError when the record changed since `stored` was read. */
  update(stored: StoredRelease, record: ReleaseRecord, signal?: AbortSignal): Promise<StoredRelease>;
  delete(id: string, signal?: AbortSignal): Promise<void>;
}

/** The namespace lock's Lease, with optimistic concurrency. */
export interface LeaseStore {
  read(): Promise<StoredLease | undefined>;
  /** ConflictError when the Lease exists already. */
  create(lease: LeaseState, signal?: AbortSignal): Promise<StoredLease>;
  /** ConflictError when the Lease changed since `stored` was read. */
  update(stored: StoredLease, lease: LeaseState, signal?: AbortSignal): Promise<StoredLease>;
}

/** The test Job of a group's namespace: created, watched, its pod's log read, deleted. */
export interface TestJobs {
  createJob(spec: TestJobSpec, signal?: AbortSignal): Promise<void>;
  /** The Job and its pods as they change, until `signal` aborts. */
  watchJob(
    name: string,
    signal: AbortSignal,
  ): AsyncIterable<{ job?: JobObservation; pods: PodObservation[] }>;
  /** The pod's log; `unavailable` with the reason when the cluster serves no logs for it. */
  readLog(pod: string): Promise<{ log: string } | { unavailable: string }>;
  /** Deletes the Job and its pods (propagation Foreground) and resolves once both are gone. */
  deleteJob(name: string, timeoutMs: number, signal?: AbortSignal): Promise<void>;
  /** Names of earlier test Jobs of the group, oldest first. */
  listJobs(): Promise<string[]>;
}

/** The switch probe's Job in a group's namespace: created, its pod and log read while it runs, deleted. */
export interface SwitchProbes {
  createProbe(spec: ProbeJobSpec): Promise<void>;
  /** The pods of the probe Job (one, unless the cluster replaced it). */
  probePods(name: string): Promise<PodObservation[]>;
  /** The last `tailLines` lines of the pod's log; `unavailable` with the reason when the cluster serves none. */
  readLog(pod: string, tailLines: number): Promise<{ log: string } | { unavailable: string }>;
  /** Deletes the Job and its pods and resolves once both are gone. */
  deleteProbe(name: string, timeoutMs: number): Promise<void>;
}

export interface CommandRun {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

export interface CommandOutcome {
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Where a test command runs (the runner) and how it reaches the standby. */
export interface TestCommands {
  run(command: CommandRun): Promise<CommandOutcome>;
  /** A local URL that reaches `service` on `color` through the API server, until closed. */
  forward(target: {
    service: string;
    color: Color;
    port: number;
  }): Promise<{ url: string; close(): Promise<void> }>;
  /** Reads the JUnit file a command wrote; undefined when it wrote none. */
  readReport(path: string): Promise<string | undefined>;
  /** A fresh directory for the run's report; removed by the returned function. */
  tempDir(): Promise<{ path: string; remove(): Promise<void> }>;
}
