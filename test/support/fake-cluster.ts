/**
 * An in-memory group namespace for unit tests of the engine's decisions, in the spirit of
 * controller-runtime's fake client: it stores what the engine applies, and answers reads
 * with what a cluster would report (Deployments ready at once unless told otherwise,
 * pods, EndpointSlices of Services by their selectors). Writes are counted and can be made
 * to fail. The integration tests run the same operations against the real local stack.
 */
import type {
  DeploymentObservation,
  EndpointSliceObservation,
  GroupObjects,
  PodObservation,
  RolloutSnapshot,
  ServiceObservation,
} from '../../src/core/cluster.ts';
import type { LeaseState, StoredLease } from '../../src/core/lock.ts';
import type { Color } from '../../src/core/naming.ts';
import {
  ConflictError,
  type GroupCluster,
  type LeaseStore,
  type ReleaseStore,
} from '../../src/core/ports.ts';
import type { ReleaseRecord, StoredRelease } from '../../src/core/release.ts';
import { type DeploymentSpec, type ServiceSpec, serviceSpecHash } from '../../src/core/workload.ts';
import type { EngineDeps } from '../../src/engine/deps.ts';
import { systemClock } from '../../src/wiring/connect.ts';
import { recordingProgressLog } from './logger.ts';

export type PodBehavior = 'ready' | 'never-ready' | 'crashloop';

interface StoredDeployment {
  spec: DeploymentSpec;
  replicas: number;
  version: number;
}

export class FakeCluster implements GroupCluster {
  readonly server = 'https://fake.cluster';
  namespaceExists = true;
  readonly deployments = new Map<string, StoredDeployment>();
  readonly services = new Map<string, { spec: ServiceSpec; version: number }>();
  /** Every write, as `verb kind/name`. */
  readonly writes: string[] = [];
  /** How pods of a Deployment behave; default ready. */
  behavior: (spec: DeploymentSpec) => PodBehavior = () => 'ready';
  /** Return an error to make that write fail (after nothing was stored). */
  failWrite: (write: string) => Error | undefined = () => undefined;
  private version = 0;
  private listeners = new Set<() => void>();

  readonly namespace: string;

  constructor(namespace: string) {
    this.namespace = namespace;
  }

  async readGroupObjects(): Promise<GroupObjects> {
    if (!this.namespaceExists) return { namespaceExists: false, deployments: [], services: [] };
    return {
      namespaceExists: true,
      deployments: [...this.deployments.values()].map((stored) => this.observeDeployment(stored)),
      services: [...this.services.values()].map(({ spec, version }) => observeService(spec, version)),
    };
  }

  async readRolloutSnapshot(): Promise<RolloutSnapshot> {
    const pods = [...this.deployments.values()].flatMap((stored) => this.podsOf(stored));
    return {
      deployments: [...this.deployments.values()].map((stored) => this.observeDeployment(stored)),
      pods,
      endpointSlices: [...this.services.values()].map(({ spec }) => sliceOf(spec, pods)),
    };
  }

  async *watchRollout(signal: AbortSignal): AsyncIterable<RolloutSnapshot> {
    let changed = true;
    const wake = new Set<() => void>();
    const listener = () => {
      changed = true;
      for (const resolve of wake) resolve();
    };
    this.listeners.add(listener);
    try {
      while (!signal.aborted) {
        if (changed) {
          changed = false;
          yield await this.readRolloutSnapshot();
          continue;
        }
        await new Promise<void>((resolve) => {
          wake.add(resolve);
          signal.addEventListener('abort', () => resolve(), { once: true });
        });
        wake.clear();
      }
    } finally {
      this.listeners.delete(listener);
    }
  }

  async readEvents(): Promise<[]> {
    return [];
  }

  async createNamespace(): Promise<void> {
    this.write('create namespace', this.namespace);
    this.namespaceExists = true;
  }

  async applyDeployment(spec: DeploymentSpec): Promise<DeploymentObservation> {
    this.write('apply deployment', spec.name);
    const stored = { spec, replicas: spec.replicas, version: ++this.version };
    this.deployments.set(spec.name, stored);
    this.changed();
    return this.observeDeployment(stored);
  }

  async applyService(spec: ServiceSpec): Promise<ServiceObservation> {
    this.write('apply service', spec.name);
    const stored = { spec, version: ++this.version };
    this.services.set(spec.name, stored);
    this.changed();
    return observeService(spec, stored.version);
  }

  async selectServiceColor(name: string, color: Color): Promise<ServiceObservation> {
    this.write('switch service', name);
    const stored = this.services.get(name);
    if (!stored) throw new Error(`services "${name}" not found`);
    const next = { spec: { ...stored.spec, color }, version: ++this.version };
    this.services.set(name, next);
    this.changed();
    return observeService(next.spec, next.version);
  }

  async scaleDeployment(name: string, replicas: number): Promise<void> {
    this.write('scale deployment', name);
    const stored = this.deployments.get(name);
    if (stored) this.deployments.set(name, { ...stored, replicas, version: ++this.version });
    this.changed();
  }

  async deleteService(name: string): Promise<void> {
    this.write('delete service', name);
    this.services.delete(name);
    this.changed();
  }

  /** Where each live Service points, as kubectl would show it. */
  liveSelectors(): Record<string, string> {
    return Object.fromEntries(
      [...this.services.values()]
        .filter(({ spec }) => spec.role === 'live')
        .map(({ spec }) => [spec.name, spec.color]),
    );
  }

  private write(verb: string, name: string): void {
    const write = `${verb}/${name}`;
    const failure = this.failWrite(write);
    if (failure) throw failure;
    this.writes.push(write);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }

  private observeDeployment(stored: StoredDeployment): DeploymentObservation {
    const { spec, replicas } = stored;
    const ready = this.behavior(spec) === 'ready' ? replicas : 0;
    return {
      name: spec.name,
      service: spec.service,
      color: spec.color,
      releaseId: spec.releaseId,
      provenance: spec.provenance,
      desiredReplicas: spec.desiredReplicas,
      replicas,
      generation: stored.version,
      observedGeneration: stored.version,
      statusReplicas: replicas,
      updatedReplicas: replicas,
      readyReplicas: ready,
      availableReplicas: ready,
      conditions: [],
      resourceVersion: String(stored.version),
    };
  }

  private podsOf(stored: StoredDeployment): PodObservation[] {
    const behavior = this.behavior(stored.spec);
    return Array.from({ length: stored.replicas }, (_, index) => ({
      name: `${stored.spec.name}-${stored.version}-${index}`,
      service: stored.spec.service,
      color: stored.spec.color,
      releaseId: stored.spec.releaseId,
      phase: 'Running',
      ready: behavior === 'ready',
      deleting: false,
      conditions: [{ type: 'Ready', status: behavior === 'ready' ? 'True' : 'False' }],
      containers: [
        {
          name: 'app',
          ready: behavior === 'ready',
          restartCount: behavior === 'crashloop' ? 3 : 0,
          ...(behavior === 'crashloop'
            ? { waiting: { reason: 'CrashLoopBackOff' }, lastTerminated: { exitCode: 1 } }
            : {}),
        },
      ],
    }));
  }
}

function observeService(spec: ServiceSpec, version: number): ServiceObservation {
  return {
    name: spec.name,
    service: spec.service,
    role: spec.role,
    selectorColor: spec.color,
    specHash: serviceSpecHash(spec),
    resourceVersion: String(version),
  };
}

function sliceOf(spec: ServiceSpec, pods: readonly PodObservation[]): EndpointSliceObservation {
  return {
    name: `${spec.name}-slice`,
    serviceName: spec.name,
    endpoints: pods
      .filter((pod) => pod.service === spec.service && pod.color === spec.color)
      .map((pod) => ({ pod: pod.name, ready: pod.ready, terminating: false })),
  };
}

export class FakeReleaseStore implements ReleaseStore {
  readonly stored = new Map<string, StoredRelease>();
  private version = 0;

  async list(): Promise<StoredRelease[]> {
    return [...this.stored.values()].map((entry) => structuredClone(entry));
  }

  async create(record: ReleaseRecord): Promise<StoredRelease> {
    if (this.stored.has(record.id)) throw new ConflictError(`record ${record.id} exists`);
    return this.put(record);
  }

  async update(stored: StoredRelease, record: ReleaseRecord): Promise<StoredRelease> {
    if (this.stored.get(record.id)?.version !== stored.version)
      throw new ConflictError(`record ${record.id} changed`);
    return this.put(record);
  }

  async delete(id: string): Promise<void> {
    this.stored.delete(id);
  }

  record(id: string): ReleaseRecord | undefined {
    return this.stored.get(id)?.record;
  }

  private put(record: ReleaseRecord): StoredRelease {
    const entry = { record: structuredClone(record), version: String(++this.version) };
    this.stored.set(record.id, entry);
    return structuredClone(entry);
  }
}

export class FakeLeaseStore implements LeaseStore {
  current: StoredLease | undefined;
  private version = 0;
  /** Make updates fail, e.g. to let a holder's Lease expire while it runs. */
  failUpdates = false;
  /** Make updates hang (until their signal aborts), as a renewal the API server never answers. */
  hangUpdates = false;

  async read(): Promise<StoredLease | undefined> {
    return this.current && structuredClone(this.current);
  }

  async create(lease: LeaseState): Promise<StoredLease> {
    if (this.current) throw new ConflictError('lease exists');
    this.current = { lease: { ...lease }, version: String(++this.version) };
    return structuredClone(this.current);
  }

  async update(stored: StoredLease, lease: LeaseState, signal?: AbortSignal): Promise<StoredLease> {
    if (this.hangUpdates) {
      await new Promise((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason)));
    }
    if (this.failUpdates) throw new Error('the API server did not answer');
    if (this.current?.version !== stored.version) throw new ConflictError('lease changed');
    this.current = { lease: { ...lease }, version: String(++this.version) };
    return structuredClone(this.current);
  }
}

export interface FakeGroup {
  cluster: FakeCluster;
  records: FakeReleaseStore;
  leases: FakeLeaseStore;
  log: ReturnType<typeof recordingProgressLog>;
  deps: EngineDeps;
}

export function fakeGroup(namespace = 'team-ns', others: Record<string, FakeReleaseStore> = {}): FakeGroup {
  const cluster = new FakeCluster(namespace);
  const records = new FakeReleaseStore();
  const leases = new FakeLeaseStore();
  const log = recordingProgressLog();
  return {
    cluster,
    records,
    leases,
    log,
    deps: {
      cluster,
      records,
      leases,
      clock: systemClock,
      log,
      run: { actor: 'tester@laptop' },
      recordsOf: (other) => others[other] ?? new FakeReleaseStore(),
    },
  };
}
