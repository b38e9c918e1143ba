/** The namespace lock's Lease (coordination.k8s.io/v1), read and written with its resourceVersion. */
import type { V1Lease } from '@kubernetes/client-node';
import { EngineError } from '../core/errors.ts';
import { type LeaseState, LOCK_LEASE_NAME, type StoredLease } from '../core/lock.ts';
import type { LeaseStore } from '../core/ports.ts';
import { asConflict, type KubeClient, KubeError, kubeCall, kubeCreate, kubeRead } from './client.ts';
import { leaseManifest } from './manifests.ts';

export function kubeLeaseStore(client: KubeClient, namespace: string): LeaseStore {
  const where = `the lock Lease ${namespace}/${LOCK_LEASE_NAME}`;
  return {
    async read() {
      const lease = await kubeRead(client, `read ${where}`, (options) =>
        client.coordination.readNamespacedLease({ name: LOCK_LEASE_NAME, namespace }, options),
      );
      return lease ? storedLeaseOf(lease) : undefined;
    },
    async create(lease, signal) {
      const body = leaseManifest(lease, namespace);
      try {
        return storedLeaseOf(
          await kubeCreate(
            client,
            `create ${where}`,
            {
              create: (options) => client.coordination.createNamespacedLease({ namespace, body }, options),
              readBack: (options) =>
                client.coordination.readNamespacedLease({ name: LOCK_LEASE_NAME, namespace }, options),
              // Holder names are unique per run: a Lease that names us is the one we created.
              isOurs: (found) => lease.holder !== undefined && found.spec?.holderIdentity === lease.holder,
            },
            { signal },
          ),
        );
      } catch (error) {
        throw asMissingNamespace(asConflict(error), namespace);
      }
    },
    async update(stored, lease, signal) {
      try {
        return storedLeaseOf(
          await kubeCall(
            client,
            `update ${where}`,
            (options) =>
              client.coordination.replaceNamespacedLease(
                {
                  name: LOCK_LEASE_NAME,
                  namespace,
                  body: leaseManifest(lease, namespace, stored.version),
                },
                options,
              ),
            { retry: 'safe', signal },
          ),
        );
      } catch (error) {
        throw asConflict(error);
      }
    },
  };
}

function timeOf(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  const ms = value instanceof Date ? value.getTime() : Date.parse(String(value));
  return Number.isFinite(ms) ? ms : undefined;
}

function storedLeaseOf(lease: V1Lease): StoredLease {
  const spec = lease.spec ?? {};
  const acquiredAt = timeOf(spec.acquireTime);
  const renewedAt = timeOf(spec.renewTime);
  const state: LeaseState = {
    ...(spec.holderIdentity ? { holder: spec.holderIdentity } : {}),
    ...(acquiredAt === undefined ? {} : { acquiredAt }),
    ...(renewedAt === undefined ? {} : { renewedAt }),
    durationMs: (spec.leaseDurationSeconds ?? 15) * 1000,
    transitions: spec.leaseTransitions ?? 0,
  };
  return { lease: state, version: lease.metadata?.resourceVersion ?? '' };
}

/** The Lease lives in the group's namespace: without one there is no group to lock (nothing was deployed). */
function asMissingNamespace(error: unknown, namespace: string): unknown {
  if (!(error instanceof KubeError && error.code === 404)) return error;
  return new EngineError(
    'namespace-missing',
    `namespace ${namespace} does not exist: nothing of this group is deployed there`,
    { cause: error },
  );
}
