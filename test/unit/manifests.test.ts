/**
 * Golden tests of every object Greenlight writes. The label and annotation keys, the
 * selectors and the record format are a contract with clusters that run earlier releases
 * (a Deployment's selector is immutable; Services select by these labels; records are read
 * back by later versions), so they are pinned here literally, not through the constants.
 */
import { describe, expect, it } from 'vitest';
import type { CatalogService } from '../../src/core/config/types.ts';
import type { ServicePlan } from '../../src/core/plan.ts';
import type { ReleaseRecord } from '../../src/core/release.ts';
import { type DeploymentSpec, deploymentSpecOf } from '../../src/core/workload.ts';
import {
  deploymentManifest,
  leaseManifest,
  recordManifest,
  serviceManifest,
} from '../../src/kube/manifests.ts';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

const spec: DeploymentSpec = {
  name: 'hello-b-green',
  service: 'hello-b',
  group: 'master',
  color: 'green',
  releaseId: '0123456789abcdef',
  image: `registry.local/hello-b@${DIGEST}`,
  provenance: {
    digest: DIGEST,
    branch: 'feature/login',
    commit: 'c'.repeat(40),
    runUrl: 'https://github.com/o/r/actions/runs/1',
  },
  replicas: 2,
  desiredReplicas: 2,
  port: 8080,
  env: [
    ['GREETING', 'hi'],
    ['GREENLIGHT_COLOR', 'green'],
    ['GREENLIGHT_URL_HELLO_A', 'http://hello-a-green.ns.svc.cluster.local:8080'],
  ],
  readinessPath: '/readyz',
  livenessPath: '/healthz',
  resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '128Mi' } },
  terminationGracePeriodSeconds: 35,
  preStopSleepSeconds: 5,
  progressDeadlineSeconds: 600,
};

describe('manifests', () => {
  it('a color Deployment', () => {
    expect(deploymentManifest(spec, 'ns')).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'hello-b-green',
        namespace: 'ns',
        labels: {
          'app.kubernetes.io/name': 'hello-b',
          'app.kubernetes.io/managed-by': 'greenlight',
          'greenlight.dev/group': 'master',
          'greenlight.dev/color': 'green',
          'greenlight.dev/release': '0123456789abcdef',
        },
        annotations: {
          'greenlight.dev/digest': DIGEST,
          'greenlight.dev/branch': 'feature/login',
          'greenlight.dev/commit': 'c'.repeat(40),
          'greenlight.dev/run-url': 'https://github.com/o/r/actions/runs/1',
          'greenlight.dev/replicas': '2',
        },
      },
      spec: {
        replicas: 2,
        selector: { matchLabels: { 'app.kubernetes.io/name': 'hello-b', 'greenlight.dev/color': 'green' } },
        progressDeadlineSeconds: 600,
        revisionHistoryLimit: 3,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '100%' } },
        template: {
          metadata: {
            labels: {
              'app.kubernetes.io/name': 'hello-b',
              'app.kubernetes.io/managed-by': 'greenlight',
              'greenlight.dev/group': 'master',
              'greenlight.dev/color': 'green',
              'greenlight.dev/release': '0123456789abcdef',
            },
            annotations: {
              'greenlight.dev/digest': DIGEST,
              'greenlight.dev/branch': 'feature/login',
              'greenlight.dev/commit': 'c'.repeat(40),
            },
          },
          spec: {
            terminationGracePeriodSeconds: 35,
            enableServiceLinks: false,
            containers: [
              {
                name: 'app',
                image: `registry.local/hello-b@${DIGEST}`,
                imagePullPolicy: 'IfNotPresent',
                ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
                env: [
                  { name: 'PORT', value: '8080' },
                  { name: 'GREETING', value: 'hi' },
                  { name: 'GREENLIGHT_COLOR', value: 'green' },
                  { name: 'GREENLIGHT_URL_HELLO_A', value: 'http://hello-a-green.ns.svc.cluster.local:8080' },
                ],
                lifecycle: { preStop: { sleep: { seconds: 5 } } },
                readinessProbe: {
                  httpGet: { path: '/readyz', port: 'http' },
                  periodSeconds: 2,
                  failureThreshold: 2,
                },
                livenessProbe: {
                  httpGet: { path: '/healthz', port: 'http' },
                  periodSeconds: 10,
                  failureThreshold: 3,
                },
                resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '128Mi' } },
              },
            ],
          },
        },
      },
    });
  });

  it("the catalog's preStopSleepSeconds: a kubelet sleep before SIGTERM, added to the grace period; 0 leaves both out", () => {
    const catalogService = (preStopSleepSeconds: number): CatalogService => ({
      name: 'hello-a',
      repository: 'hello-a',
      port: 8080,
      readinessPath: '/readyz',
      livenessPath: '/healthz',
      replicas: 1,
      resources: {},
      env: {},
      calls: [],
      serviceType: 'ClusterIP',
      preStopSleepSeconds,
    });
    const podOf = (seconds: number) => {
      const planned: ServicePlan = {
        service: 'hello-a',
        action: 'deploy',
        selector: { kind: 'branch', branch: 'master' },
        source: 'group',
        repository: 'hello-a',
        digest: DIGEST,
        image: `registry.local/hello-a@${DIGEST}`,
        replicas: 1,
      };
      const context = {
        group: 'g',
        namespace: 'ns',
        releaseId: 'r',
        color: 'blue',
        progressDeadlineSeconds: 60,
      } as const;
      const deployment = deploymentManifest(
        deploymentSpecOf(planned, catalogService(seconds), new Map(), context),
        'ns',
      );
      return deployment.spec?.template.spec;
    };
    expect(podOf(5)?.terminationGracePeriodSeconds).toBe(35);
    expect(podOf(5)?.containers[0]?.lifecycle).toEqual({ preStop: { sleep: { seconds: 5 } } });
    expect(podOf(20)?.terminationGracePeriodSeconds).toBe(50);
    expect(podOf(0)?.terminationGracePeriodSeconds).toBe(30);
    expect(podOf(0)?.containers[0]).not.toHaveProperty('lifecycle');
  });

  it('the live, color and preview Services select by service and color only', () => {
    for (const [role, name, type, hash] of [
      ['live', 'hello-b', 'LoadBalancer', '18290c9286009d9d'],
      ['color', 'hello-b-blue', 'ClusterIP', 'e99704818674e9e6'],
      ['preview', 'hello-b-preview', 'ClusterIP', 'aea50b7aa18ffc0c'],
    ] as const) {
      expect(
        serviceManifest(
          { name, service: 'hello-b', group: 'master', role, color: 'blue', port: 8080, type },
          'ns',
        ),
      ).toEqual({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: {
          name,
          namespace: 'ns',
          labels: {
            'app.kubernetes.io/name': 'hello-b',
            'app.kubernetes.io/managed-by': 'greenlight',
            'greenlight.dev/group': 'master',
            'greenlight.dev/role': role,
          },
          // The spec's hash: an unchanged Service is not written again.
          annotations: { 'greenlight.dev/spec-hash': hash },
        },
        spec: {
          type,
          selector: { 'app.kubernetes.io/name': 'hello-b', 'greenlight.dev/color': 'blue' },
          ports: [{ name: 'http', port: 8080, targetPort: 'http', protocol: 'TCP' }],
        },
      });
    }
  });

  it('a release record is a labelled ConfigMap holding the record as JSON, versioned for updates', () => {
    const record: ReleaseRecord = {
      id: '0123456789abcdef',
      group: 'master',
      namespace: 'ns',
      color: 'green',
      services: [{ service: 'hello-b', digest: DIGEST, image: 'x', repository: 'hello-b' }],
      phase: 'verified',
      actor: 'octocat',
      deploys: 1,
      deployedAt: '2026-12-01T10:00:00.000Z',
      updatedAt: '2026-12-01T10:05:00.000Z',
    };
    const configMap = recordManifest(record, 'ns', '42');
    expect(configMap.metadata).toEqual({
      name: 'greenlight-release-0123456789abcdef',
      namespace: 'ns',
      resourceVersion: '42',
      labels: {
        'app.kubernetes.io/managed-by': 'greenlight',
        'greenlight.dev/group': 'master',
        'greenlight.dev/record': 'release',
        'greenlight.dev/release': '0123456789abcdef',
        'greenlight.dev/phase': 'verified',
      },
    });
    expect(JSON.parse(configMap.data?.['release.json'] ?? '')).toEqual(record);
  });

  it('the lock Lease, with MicroTime the API server accepts (six fractional digits)', () => {
    const lease = leaseManifest(
      {
        holder: 'https://ci/run/1 (pid 9, x1)',
        acquiredAt: Date.UTC(2026, 11, 1, 10),
        renewedAt: Date.UTC(2026, 11, 1, 10, 0, 5, 250),
        durationMs: 15_000,
        transitions: 2,
      },
      'ns',
      '7',
    );
    expect(lease).toEqual({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: 'greenlight-lock',
        namespace: 'ns',
        resourceVersion: '7',
        labels: { 'app.kubernetes.io/managed-by': 'greenlight' },
      },
      spec: {
        holderIdentity: 'https://ci/run/1 (pid 9, x1)',
        leaseDurationSeconds: 15,
        acquireTime: '2026-12-01T10:00:00.000000Z',
        renewTime: '2026-12-01T10:00:05.250000Z',
        leaseTransitions: 2,
      },
    });
  });
});
