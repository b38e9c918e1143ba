/**
 * Every Kubernetes object Greenlight writes, built from core's plain specs. Pure: the
 * golden tests in test/unit/manifests.test.ts pin the exact objects, because their labels,
 * selectors and annotations are a contract with clusters that run earlier releases.
 */
import type {
  V1ConfigMap,
  V1Container,
  V1Deployment,
  V1Job,
  V1Lease,
  V1ResourceRequirements,
  V1Service,
} from '@kubernetes/client-node';
import { type LeaseState, LOCK_LEASE_NAME } from '../core/lock.ts';
import { labelValue } from '../core/naming.ts';
import type { ProbeJobSpec } from '../core/probe.ts';
import type { ReleaseRecord } from '../core/release.ts';
import type { TestJobSpec } from '../core/testing.ts';
import { type DeploymentSpec, type ServiceSpec, serviceSpecHash } from '../core/workload.ts';
import {
  ANNOTATION_REPLICAS,
  ANNOTATION_SPEC_HASH,
  colorLabels,
  colorSelector,
  LABEL_GROUP,
  LABEL_MANAGED_BY,
  LABEL_PHASE,
  LABEL_PROBE_RUN,
  LABEL_RECORD,
  LABEL_RELEASE,
  LABEL_ROLE,
  LABEL_TEST_RUN,
  MANAGED_BY,
  provenanceAnnotations,
  serviceLabels,
} from './model.ts';

/** The container's name in every Deployment (one container per pod). */
export const APP_CONTAINER = 'app';
export const RECORD_DATA_KEY = 'release.json';
export const RECORD_NAME_PREFIX = 'greenlight-release-';

export function deploymentManifest(spec: DeploymentSpec, namespace: string): V1Deployment {
  const labels = colorLabels(spec.service, spec.group, spec.color, spec.releaseId);
  // The run URL stays off the pod template: a re-run of the same release must not restart pods.
  const { runUrl: _runUrl, ...image } = spec.provenance;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: spec.name,
      namespace,
      labels,
      annotations: {
        ...provenanceAnnotations(spec.provenance),
        [ANNOTATION_REPLICAS]: String(spec.desiredReplicas),
      },
    },
    spec: {
      replicas: spec.replicas,
      selector: { matchLabels: colorSelector(spec.service, spec.color) },
      progressDeadlineSeconds: spec.progressDeadlineSeconds,
      revisionHistoryLimit: 3,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '100%' } },
      template: {
        metadata: { labels, annotations: provenanceAnnotations(image) },
        spec: {
          terminationGracePeriodSeconds: spec.terminationGracePeriodSeconds,
          enableServiceLinks: false,
          containers: [appContainer(spec)],
        },
      },
    },
  };
}

function appContainer(spec: DeploymentSpec): V1Container {
  const resources = {
    ...(spec.resources.requests ? { requests: { ...spec.resources.requests } } : {}),
    ...(spec.resources.limits ? { limits: { ...spec.resources.limits } } : {}),
  };
  return {
    name: APP_CONTAINER,
    image: spec.image,
    imagePullPolicy: 'IfNotPresent',
    ports: [{ name: 'http', containerPort: spec.port, protocol: 'TCP' }],
    env: [{ name: 'PORT', value: String(spec.port) }, ...spec.env.map(([name, value]) => ({ name, value }))],
    // The kubelet's own sleep (PodLifecycleSleepAction, on by default since 1.30, GA in 1.34):
    // no sleep binary needed in the image.
    ...(spec.preStopSleepSeconds > 0
      ? { lifecycle: { preStop: { sleep: { seconds: spec.preStopSleepSeconds } } } }
      : {}),
    readinessProbe: {
      httpGet: { path: spec.readinessPath, port: 'http' },
      periodSeconds: 2,
      failureThreshold: 2,
    },
    livenessProbe: {
      httpGet: { path: spec.livenessPath, port: 'http' },
      periodSeconds: 10,
      failureThreshold: 3,
    },
    resources,
  };
}

export function serviceManifest(spec: ServiceSpec, namespace: string): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: spec.name,
      namespace,
      labels: { ...serviceLabels(spec.service, spec.group), [LABEL_ROLE]: spec.role },
      annotations: { [ANNOTATION_SPEC_HASH]: serviceSpecHash(spec) },
    },
    spec: {
      type: spec.type,
      selector: colorSelector(spec.service, spec.color),
      ports: [{ name: 'http', port: spec.port, targetPort: 'http', protocol: 'TCP' }],
    },
  };
}

export function recordName(releaseId: string): string {
  return `${RECORD_NAME_PREFIX}${releaseId}`;
}

/** A release record as a ConfigMap a person can read: `kubectl get cm -l greenlight.dev/record=release -L greenlight.dev/phase`. */
export function recordManifest(
  record: ReleaseRecord,
  namespace: string,
  resourceVersion?: string,
): V1ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: recordName(record.id),
      namespace,
      ...(resourceVersion === undefined ? {} : { resourceVersion }),
      labels: {
        [LABEL_MANAGED_BY]: MANAGED_BY,
        [LABEL_GROUP]: labelValue(record.group),
        [LABEL_RECORD]: 'release',
        [LABEL_RELEASE]: labelValue(record.id),
        [LABEL_PHASE]: record.phase,
      },
    },
    data: { [RECORD_DATA_KEY]: `${JSON.stringify(record, null, 2)}\n` },
  };
}

export function leaseManifest(lease: LeaseState, namespace: string, resourceVersion?: string): V1Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: LOCK_LEASE_NAME,
      namespace,
      ...(resourceVersion === undefined ? {} : { resourceVersion }),
      labels: { [LABEL_MANAGED_BY]: MANAGED_BY },
    },
    spec: {
      ...(lease.holder === undefined ? {} : { holderIdentity: lease.holder }),
      leaseDurationSeconds: Math.max(1, Math.round(lease.durationMs / 1000)),
      ...(lease.acquiredAt === undefined ? {} : { acquireTime: microTime(lease.acquiredAt) }),
      ...(lease.renewedAt === undefined ? {} : { renewTime: microTime(lease.renewedAt) }),
      leaseTransitions: lease.transitions,
    },
  };
}

/**
 * A Lease's MicroTime: RFC 3339 with exactly six fractional digits, which the API server
 * requires. client-node types it as Date but passes it through unserialized, and a Date
 * would be written with three digits, so the string goes in as it must appear on the wire.
 */
function microTime(ms: number): Date {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, -1)}000Z` as unknown as Date;
}

export const TEST_CONTAINER = 'tests';

/** The test Job: one pod, never retried (a flaky suite must not pass on a second try), bounded by its deadline. */
export function jobManifest(spec: TestJobSpec, namespace: string): V1Job {
  return oneShotJob(spec, namespace, { runLabel: LABEL_TEST_RUN, container: TEST_CONTAINER });
}

export const PROBE_CONTAINER = 'probe';
/** A Job a killed promote left behind goes by itself after this long. */
const PROBE_TTL_SECONDS = 600;

/**
 * The switch probe's Job: one pod, never retried, bounded by its deadline, with no API
 * token (it only sends HTTP requests to the group's Services) and small resources.
 */
export function probeJobManifest(spec: ProbeJobSpec, namespace: string): V1Job {
  return oneShotJob(spec, namespace, {
    runLabel: LABEL_PROBE_RUN,
    container: PROBE_CONTAINER,
    ttlSecondsAfterFinished: PROBE_TTL_SECONDS,
    automountServiceAccountToken: false,
    resources: { requests: { cpu: '50m', memory: '32Mi' }, limits: { memory: '128Mi' } },
  });
}

interface OneShotJobOptions {
  /** the label that names this run, on the Job and its pod */
  runLabel: string;
  container: string;
  ttlSecondsAfterFinished?: number;
  automountServiceAccountToken?: boolean;
  resources?: V1ResourceRequirements;
}

/** One pod that runs once: never retried, no Service links, a short grace period. */
function oneShotJob(spec: TestJobSpec, namespace: string, options: OneShotJobOptions): V1Job {
  const labels = {
    [LABEL_MANAGED_BY]: MANAGED_BY,
    [LABEL_GROUP]: labelValue(spec.group),
    [LABEL_RELEASE]: labelValue(spec.releaseId),
    [options.runLabel]: spec.name,
  };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: spec.name, namespace, labels },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: spec.activeDeadlineSeconds,
      ...(options.ttlSecondsAfterFinished === undefined
        ? {}
        : { ttlSecondsAfterFinished: options.ttlSecondsAfterFinished }),
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          enableServiceLinks: false,
          ...(options.automountServiceAccountToken === undefined
            ? {}
            : { automountServiceAccountToken: options.automountServiceAccountToken }),
          terminationGracePeriodSeconds: 5,
          containers: [
            {
              name: options.container,
              image: spec.image,
              imagePullPolicy: 'IfNotPresent',
              env: spec.env.map(([name, value]) => ({ name, value })),
              ...(options.resources ? { resources: options.resources } : {}),
            },
          ],
        },
      },
    },
  };
}
