/** The engine's pure rules as tables: the promotion gate, the lock's decisions, rollout verdicts. */
import { describe, expect, it } from 'vitest';
import type { DeploymentObservation, PodObservation, RolloutSnapshot } from '../../src/core/cluster.ts';
import { checkPromotionGate } from '../../src/core/gate.ts';
import { decideLease, holderMayWrite } from '../../src/core/lock.ts';
import type { ReleaseRecord, Verification } from '../../src/core/release.ts';
import { judgeRollout, type RolloutTarget } from '../../src/core/rollout.ts';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;
const X = `sha256:${'f'.repeat(64)}`;

function release(verification?: Partial<Verification>): ReleaseRecord {
  return {
    id: 'r1',
    group: 'team',
    namespace: 'ns',
    color: 'green',
    services: [
      { service: 'a', digest: A, image: 'i', repository: 'a' },
      { service: 'b', digest: B, image: 'i', repository: 'b' },
    ],
    phase: verification ? 'verified' : 'ready',
    actor: 'me',
    deploys: 1,
    deployedAt: '2026-12-01T00:00:00Z',
    updatedAt: '2026-12-01T00:00:00Z',
    ...(verification
      ? {
          verification: {
            passed: true,
            tests: 2,
            failures: 0,
            errors: 0,
            skipped: 0,
            at: 'now',
            digests: { a: A, b: B },
            ...verification,
          },
        }
      : {}),
  };
}

describe('the promotion gate', () => {
  it.each([
    ['untested', release(), [], undefined, false, ['not-verified']],
    ['passed, same digests', release({}), [], undefined, true, []],
    ['failed', release({ passed: false, failures: 1 }), [], undefined, false, ['not-verified']],
    [
      'passed other digests',
      release({ digests: { a: A, b: X } }),
      [],
      undefined,
      false,
      ['verification-mismatch'],
    ],
    [
      'passed fewer services',
      release({ digests: { a: A } }),
      [],
      undefined,
      false,
      ['verification-mismatch'],
    ],
    ['untested, forced', release(), [], { reason: 'hotfix' }, true, ['not-verified']],
    [
      'required group has the shared digest',
      release({}),
      [{ group: 'base', services: ['a'], records: [release({ digests: { a: A } })] }],
      undefined,
      true,
      [],
    ],
    [
      'required group tested another digest',
      release({}),
      [{ group: 'base', services: ['a'], records: [release({ digests: { a: X } })] }],
      undefined,
      false,
      ['not-verified-in-group'],
    ],
    [
      'required group shares nothing',
      release({}),
      [{ group: 'other', services: ['c'], records: [] }],
      undefined,
      true,
      [],
    ],
  ] as const)('%s', (_name, record, required, force, allowed, kinds) => {
    const verdict = checkPromotionGate({ release: record, requireVerifiedIn: required, force });
    expect(verdict.allowed).toBe(allowed);
    expect(verdict.refusals.map((refusal) => refusal.kind)).toEqual(kinds);
    if (verdict.allowed) expect(verdict.forced).toBe(force !== undefined && kinds.length > 0);
  });
});

describe('the namespace lock', () => {
  const now = 1_000_000;
  it.each([
    ['no Lease', undefined, { action: 'take' }],
    ['released', { durationMs: 15_000, transitions: 1, renewedAt: now - 1 }, { action: 'take' }],
    ['mine', { holder: 'me', durationMs: 15_000, transitions: 0, renewedAt: now }, { action: 'take' }],
    [
      'another, fresh',
      { holder: 'other', durationMs: 15_000, transitions: 0, renewedAt: now - 5_000 },
      { action: 'wait', holder: 'other', expiresAt: now + 10_000 },
    ],
    [
      'another, expired',
      { holder: 'other', durationMs: 15_000, transitions: 0, renewedAt: now - 16_000 },
      { action: 'take-over', previousHolder: 'other' },
    ],
  ] as const)('%s', (_name, lease, decision) => {
    expect(decideLease(lease, 'me', now)).toEqual(decision);
  });

  it('a holder stops writing a third of the duration before anyone may take over', () => {
    expect(holderMayWrite(now, 15_000, now + 9_999)).toBe(true);
    expect(holderMayWrite(now, 15_000, now + 10_000)).toBe(false);
  });
});

describe('rollout verdicts', () => {
  const target: RolloutTarget = {
    service: 'a',
    deployment: 'a-green',
    color: 'green',
    releaseId: 'r1',
    replicas: 2,
    endpointServices: ['a-green', 'a-preview'],
  };
  const deployment = (changes: Partial<DeploymentObservation> = {}): DeploymentObservation => ({
    name: 'a-green',
    service: 'a',
    color: 'green',
    releaseId: 'r1',
    replicas: 2,
    generation: 3,
    observedGeneration: 3,
    statusReplicas: 2,
    updatedReplicas: 2,
    readyReplicas: 2,
    availableReplicas: 2,
    conditions: [],
    resourceVersion: '1',
    ...changes,
  });
  const pod = (name: string, changes: Partial<PodObservation> = {}): PodObservation => ({
    name,
    service: 'a',
    color: 'green',
    releaseId: 'r1',
    phase: 'Running',
    ready: true,
    deleting: false,
    conditions: [],
    containers: [],
    ...changes,
  });
  const slices = (names: string[]) =>
    ['a-green', 'a-preview'].map((serviceName) => ({
      name: serviceName,
      serviceName,
      endpoints: names.map((p) => ({ pod: p, ready: true, terminating: false })),
    }));
  const snapshot = (changes: Partial<RolloutSnapshot> = {}): RolloutSnapshot => ({
    deployments: [deployment()],
    pods: [pod('p1'), pod('p2')],
    endpointSlices: slices(['p1', 'p2']),
    ...changes,
  });
  const verdict = (snap: RolloutSnapshot) => judgeRollout([target], snap).verdicts[0];

  it.each([
    ['ready, endpoints exact', snapshot(), { state: 'ready' }],
    [
      'not seen yet',
      snapshot({ deployments: [] }),
      { state: 'waiting', reason: 'Deployment a-green not seen yet' },
    ],
    [
      'controller behind',
      snapshot({ deployments: [deployment({ observedGeneration: 2 })] }),
      { state: 'waiting' },
    ],
    [
      'still the old release',
      snapshot({ deployments: [deployment({ releaseId: 'r0' })] }),
      { state: 'waiting' },
    ],
    [
      'one not ready',
      snapshot({ deployments: [deployment({ readyReplicas: 1, availableReplicas: 1 })] }),
      { state: 'waiting', reason: expect.stringMatching(/^1\/2 ready/) },
    ],
    [
      'an old pod terminating',
      snapshot({ deployments: [deployment({ statusReplicas: 3 })] }),
      { state: 'waiting', reason: '1 old pod(s) still terminating' },
    ],
    [
      'endpoints lag behind the pods',
      snapshot({ endpointSlices: slices(['p1']) }),
      { state: 'waiting', reason: '1 ready pod(s) not yet behind Service a-green' },
    ],
    [
      'endpoints still hold an old pod',
      snapshot({ endpointSlices: slices(['p1', 'p2', 'old-1']) }),
      { state: 'waiting', reason: 'Service a-green still routes to 1 other pod(s)' },
    ],
    [
      'crash loop is a failure at once',
      snapshot({
        deployments: [deployment({ readyReplicas: 0, availableReplicas: 0 })],
        pods: [
          pod('p1', {
            ready: false,
            containers: [
              {
                name: 'app',
                ready: false,
                restartCount: 4,
                waiting: { reason: 'CrashLoopBackOff' },
                lastTerminated: { exitCode: 3 },
              },
            ],
          }),
        ],
      }),
      {
        state: 'failed',
        reason: 'p1: container app CrashLoopBackOff, last exit code 3, 4 restart(s)',
        pods: ['p1'],
      },
    ],
    [
      'image pull back-off is a failure',
      snapshot({
        deployments: [deployment({ readyReplicas: 0, availableReplicas: 0 })],
        pods: [
          pod('p1', {
            ready: false,
            phase: 'Pending',
            containers: [
              {
                name: 'app',
                ready: false,
                restartCount: 0,
                waiting: { reason: 'ImagePullBackOff', message: 'manifest unknown' },
              },
            ],
          }),
        ],
      }),
      {
        state: 'failed',
        reason: 'p1: container app ImagePullBackOff: manifest unknown, 0 restart(s)',
        pods: ['p1'],
      },
    ],
    [
      'unschedulable keeps waiting, with the reason',
      snapshot({
        deployments: [deployment({ readyReplicas: 0, availableReplicas: 0 })],
        pods: [
          pod('p1', {
            ready: false,
            phase: 'Pending',
            conditions: [
              {
                type: 'PodScheduled',
                status: 'False',
                reason: 'Unschedulable',
                message: '0/1 nodes are available: Insufficient cpu',
              },
            ],
          }),
        ],
      }),
      {
        state: 'waiting',
        reason: '0/2 ready: p1: Unschedulable (0/1 nodes are available: Insufficient cpu)',
      },
    ],
    [
      'the progress deadline passed',
      snapshot({
        deployments: [
          deployment({
            readyReplicas: 0,
            conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }],
          }),
        ],
      }),
      { state: 'failed', reason: 'Deployment a-green: ProgressDeadlineExceeded' },
    ],
  ] as const)('%s', (_name, snap, expected) => {
    expect(verdict(snap)).toMatchObject(expected);
  });
});
