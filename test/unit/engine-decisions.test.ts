/**
 * The engine's decisions on an in-memory cluster (test/support/fake-cluster.ts): what it
 * writes, what it refuses, how it reverts and recovers, when it stops. The same operations
 * run against the real local stack in test/integration/engine-*.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { ImageRegistry } from '../../src/core/ports.ts';
import type { Verification } from '../../src/core/release.ts';
import { loadGroup } from '../../src/disk/groups.ts';
import { deployGroup } from '../../src/engine/deploy.ts';
import { liveColorsOfPlan } from '../../src/engine/outputs.ts';
import { promoteRelease, rejectRelease, rollbackRelease } from '../../src/engine/promote.ts';
import { groupStatus } from '../../src/engine/status.ts';
import { recordStandbyVerification } from '../../src/engine/verify.ts';
import { REPO_ROOT } from '../support/action-runner.ts';
import { type FakeGroup, FakeReleaseStore, fakeGroup } from '../support/fake-cluster.ts';

const location = { cwd: REPO_ROOT, groupsDir: 'test/fixtures/groups/engine' };
const team = loadGroup(location, 'team');
const digest = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;

/** A registry whose last-good tags point where the test says. */
function registry(tags: Record<string, string>): ImageRegistry {
  return {
    description: 'registry test.local',
    lookup: async (repository, reference) => {
      const found = tags[`${repository}:${reference}`];
      return found ? { digest: found, host: 'test.local' } : undefined;
    },
    listTags: async (repository) =>
      Object.keys(tags)
        .filter((key) => key.startsWith(`${repository}:`))
        .map((key) => key.slice(repository.length + 1)),
  };
}

const OPTIONS: { timeoutMs: number; lockTimeoutMs: number; keepFailed: boolean; leaseDurationMs?: number } = {
  timeoutMs: 5_000,
  lockTimeoutMs: 1_000,
  keepFailed: false,
};
const SWITCH = { ...team, timeoutMs: 5_000, lockTimeoutMs: 1_000, scaleDownDelay: 'keep' as const };

function deploy(fake: FakeGroup, a: number, b: number, extra: Partial<typeof OPTIONS> = {}) {
  const images = registry({
    'team/hello-a:branch-master': digest(a),
    'team/hello-b:branch-master': digest(b),
  });
  return deployGroup({ ...team, ...OPTIONS, ...extra }, { ...fake.deps, images });
}

function forcePromote(fake: FakeGroup, scaleDownDelay: number | 'keep' = 'keep') {
  return promoteRelease(
    { ...SWITCH, scaleDownDelay, force: { reason: 'unit test' }, requireVerifiedIn: [] },
    fake.deps,
  );
}

function verification(passed: boolean, digests: Record<string, string>): Verification {
  return {
    passed,
    digests,
    tests: 1,
    failures: passed ? 0 : 1,
    errors: 0,
    skipped: 0,
    at: new Date().toISOString(),
  };
}

describe('deploy', () => {
  it('writes the color Services, the preview and one Deployment per service, then nothing for the same release', async () => {
    const fake = fakeGroup();
    const first = await deploy(fake, 1, 2);
    expect(first).toMatchObject({ outcome: 'deployed', standbyColor: 'blue' });
    expect(fake.cluster.writes.sort()).toEqual([
      'apply deployment/hello-a-blue',
      'apply deployment/hello-b-blue',
      'apply service/hello-a-blue',
      'apply service/hello-a-green',
      'apply service/hello-a-preview',
      'apply service/hello-b-blue',
      'apply service/hello-b-green',
      'apply service/hello-b-preview',
    ]);
    expect(fake.records.record(first.releaseId)).toMatchObject({ phase: 'ready', color: 'blue', deploys: 1 });
    const env = fake.cluster.deployments.get('hello-b-blue')?.spec.env ?? [];
    expect(env).toContainEqual([
      'GREENLIGHT_URL_HELLO_A',
      'http://hello-a-blue.team-ns.svc.cluster.local:8080',
    ]);
    expect(env).toContainEqual(['GREENLIGHT_COLOR', 'blue']);
    expect(env).toContainEqual(['GREENLIGHT_DIGEST', digest(2)]);

    const writes = fake.cluster.writes.length;
    const again = await deploy(fake, 1, 2);
    expect(again.outcome).toBe('already-on-standby');
    expect(fake.cluster.writes.length).toBe(writes);

    // The next release goes to green: every Service stands as wanted (the promote already
    // pointed the previews at green), so only the Deployments are written.
    await forcePromote(fake);
    fake.cluster.writes.length = 0;
    await deploy(fake, 1, 3);
    expect(fake.cluster.writes.filter((write) => write.startsWith('apply')).sort()).toEqual([
      'apply deployment/hello-a-green',
      'apply deployment/hello-b-green',
    ]);
    expect(fake.leases.current?.lease.holder).toBeUndefined();
  });

  it('writes nothing when the release asked for is the one live', async () => {
    const fake = fakeGroup();
    await deploy(fake, 1, 2);
    await forcePromote(fake);
    const writes = fake.cluster.writes.length;
    expect((await deploy(fake, 1, 2)).outcome).toBe('already-live');
    expect(fake.cluster.writes.length).toBe(writes);
  });

  it("publishes the live colors it found: none before the first promotion, the live one's after", async () => {
    const fake = fakeGroup();
    const first = await deploy(fake, 1, 2);
    expect(liveColorsOfPlan(first.plan)).toEqual({});
    await forcePromote(fake);
    const second = await deploy(fake, 1, 3);
    expect(second.standbyColor).toBe('green');
    expect(liveColorsOfPlan(second.plan)).toEqual({ 'hello-a': 'blue', 'hello-b': 'blue' });
  });

  it('marks the release it replaces on standby as rejected, superseded by the new one', async () => {
    const fake = fakeGroup();
    await deploy(fake, 1, 2);
    await forcePromote(fake);
    const untested = await deploy(fake, 1, 3);
    const next = await deploy(fake, 1, 4);
    expect(fake.records.record(untested.releaseId)).toMatchObject({
      phase: 'rejected',
      supersededBy: next.releaseId,
    });
    expect(fake.records.record(next.releaseId)).toMatchObject({ phase: 'ready', color: 'green' });
  });

  it('keeps at most 20 records, never the live one nor the rollback target', async () => {
    const fake = fakeGroup();
    const live = await deploy(fake, 1, 2);
    await forcePromote(fake);
    for (let b = 10; b < 36; b++) await deploy(fake, 1, b);
    const ids = [...fake.records.stored.keys()];
    expect(ids.length).toBe(20);
    expect(ids).toContain(live.releaseId);
  });

  it('a crash-looping standby fails at once, is scaled to zero and recorded failed; live untouched', async () => {
    const fake = fakeGroup();
    await deploy(fake, 1, 2);
    await forcePromote(fake);
    fake.cluster.behavior = (spec) =>
      spec.service === 'hello-b' && spec.color === 'green' ? 'crashloop' : 'ready';
    const error = await deploy(fake, 1, 3).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ kind: 'rollout-failed' });
    expect(String(error)).toContain('hello-b: hello-b-green');
    expect(String(error)).toContain('CrashLoopBackOff');
    expect(fake.cluster.deployments.get('hello-b-green')?.replicas).toBe(0);
    expect(fake.cluster.deployments.get('hello-a-green')?.replicas).toBe(0);
    expect(fake.cluster.liveSelectors()).toEqual({ 'hello-a': 'blue', 'hello-b': 'blue' });
    const failed = [...fake.records.stored.values()].find((entry) => entry.record.phase === 'failed');
    expect(failed?.record.failure?.kind).toBe('rollout-failed');
  });

  it('stops writing once its lock is lost, and leaves nothing half-done behind it', async () => {
    const fake = fakeGroup();
    fake.cluster.behavior = () => 'never-ready';
    const deploying = deploy(fake, 1, 2, { timeoutMs: 20_000, leaseDurationMs: 1_500 }).then(
      () => new Error('the deploy finished although its lock was lost'),
      (error: unknown) => error,
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    fake.leases.failUpdates = true;
    const writesAtLoss = fake.cluster.writes.length;
    const error = await deploying;
    expect(error).toMatchObject({ kind: 'lock-lost' });
    expect(fake.cluster.writes.length).toBe(writesAtLoss);
    expect(fake.log.lines.some((line) => line.includes('lost the namespace lock'))).toBe(true);
  });
});

describe('promote', () => {
  it('refuses an untested release, then promotes the verified one and scales the old color down after the delay', async () => {
    const fake = fakeGroup('team-ns', { 'base-ns': new FakeReleaseStore() });
    await deploy(fake, 1, 2);
    await forcePromote(fake);
    const next = await deploy(fake, 1, 3);
    const refused = await promoteRelease({ ...SWITCH, requireVerifiedIn: [] }, fake.deps).catch(
      (e: unknown) => e,
    );
    expect(refused).toMatchObject({ kind: 'not-verified' });
    expect(fake.cluster.liveSelectors()).toEqual({ 'hello-a': 'blue', 'hello-b': 'blue' });

    await recordStandbyVerification(
      { ...SWITCH, verification: verification(true, { 'hello-a': digest(1), 'hello-b': digest(3) }) },
      fake.deps,
    );
    const promoted = await promoteRelease(
      { ...SWITCH, scaleDownDelay: 50, requireVerifiedIn: [] },
      fake.deps,
    );
    expect(promoted).toMatchObject({ outcome: 'promoted', releaseId: next.releaseId, liveColor: 'green' });
    expect(fake.cluster.liveSelectors()).toEqual({ 'hello-a': 'green', 'hello-b': 'green' });
    expect(fake.cluster.services.get('hello-a-preview')?.spec.color).toBe('blue');
    expect(fake.cluster.deployments.get('hello-a-blue')?.replicas).toBe(0);
    expect(fake.records.record(next.releaseId)).not.toHaveProperty('scaleDown');
  });

  it('holds a release that passed here but not in the group promotion.requireVerifiedIn names', async () => {
    const base = new FakeReleaseStore();
    const fake = fakeGroup('team-ns', { 'base-ns': base });
    await deploy(fake, 1, 2);
    await recordStandbyVerification(
      { ...SWITCH, verification: verification(true, { 'hello-a': digest(1), 'hello-b': digest(2) }) },
      fake.deps,
    );
    const required = [{ group: 'base', namespace: 'base-ns', services: ['hello-a'] }];
    const refused = await promoteRelease({ ...SWITCH, requireVerifiedIn: required }, fake.deps).catch(
      (e: unknown) => e,
    );
    expect(refused).toMatchObject({ kind: 'not-verified-in-group' });
    await base.create({
      id: 'b1',
      group: 'base',
      namespace: 'base-ns',
      color: 'blue',
      services: [{ service: 'hello-a', digest: digest(1), image: 'x', repository: 'team/hello-a' }],
      phase: 'verified',
      actor: 'ci',
      deploys: 1,
      deployedAt: '2026-12-01T00:00:00.000Z',
      updatedAt: '2026-12-01T00:00:00.000Z',
      verification: verification(true, { 'hello-a': digest(1) }),
    });
    expect((await promoteRelease({ ...SWITCH, requireVerifiedIn: required }, fake.deps)).outcome).toBe(
      'promoted',
    );
  });

  it('puts every live Service back when one patch fails, and clears the intent', async () => {
    const fake = fakeGroup();
    await deploy(fake, 1, 2);
    await forcePromote(fake);
    const next = await deploy(fake, 1, 3);
    let refused = false;
    fake.cluster.failWrite = (write) => {
      if (write !== 'switch service/hello-b' || refused) return undefined;
      refused = true;
      return new Error('services "hello-b" is forbidden');
    };
    const error = await forcePromote(fake).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ kind: 'switch-failed' });
    expect(String(error)).toContain('every live Service is back on blue');
    expect(fake.cluster.liveSelectors()).toEqual({ 'hello-a': 'blue', 'hello-b': 'blue' });
    expect(fake.records.record(next.releaseId)).not.toHaveProperty('switch');
    expect(fake.records.record(next.releaseId)?.failure?.kind).toBe('switch-failed');
  });

  it('keeps the intent when the revert itself cannot finish; the next command completes the revert', async () => {
    const fake = fakeGroup();
    await deploy(fake, 1, 2);
    await forcePromote(fake);
    const next = await deploy(fake, 1, 3);
    fake.cluster.failWrite = (write) =>
      write === 'switch service/hello-b' || write === 'apply service/hello-b'
        ? new Error('the API server did not answer')
        : undefined;
    // hello-a switches, hello-b fails; putting hello-a back fails too.
    let hold = true;
    const inner = fake.cluster.failWrite;
    fake.cluster.failWrite = (write) =>
      hold && write === 'apply service/hello-a' && fake.cluster.liveSelectors()['hello-a'] === 'green'
        ? new Error('the API server did not answer')
        : inner(write);
    const error = await forcePromote(fake).catch((caught: unknown) => caught);
    expect(String(error)).toContain('the switch intent stays on release');
    expect(fake.records.record(next.releaseId)?.switch).toMatchObject({ from: 'blue', to: 'green' });
    expect(fake.cluster.liveSelectors()).toEqual({ 'hello-a': 'green', 'hello-b': 'blue' });

    hold = false;
    fake.cluster.failWrite = () => undefined;
    const status = await groupStatus({ ...team, timeoutMs: 5_000 }, fake.deps);
    expect(status.recovered).toBe(true);
    // green is ready, so the interrupted switch is completed.
    expect(fake.cluster.liveSelectors()).toEqual({ 'hello-a': 'green', 'hello-b': 'green' });
    expect(fake.records.record(next.releaseId)).toMatchObject({ phase: 'promoted' });
  });

  it('refuses a standby that is not ready, even by force', async () => {
    const fake = fakeGroup();
    await deploy(fake, 1, 2);
    fake.cluster.behavior = () => 'never-ready';
    const error = await forcePromote(fake).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ kind: 'standby-not-ready' });
    expect(fake.cluster.liveSelectors()).toEqual({});
  });
});

describe('reject and rollback', () => {
  it('reject scales standby to zero and leaves live alone; with nothing on standby it is a no-op', async () => {
    const fake = fakeGroup();
    await deploy(fake, 1, 2);
    await forcePromote(fake);
    const next = await deploy(fake, 1, 3);
    expect((await rejectRelease(SWITCH, fake.deps)).outcome).toBe('rejected');
    expect(fake.cluster.deployments.get('hello-b-green')?.replicas).toBe(0);
    expect(fake.records.record(next.releaseId)?.phase).toBe('rejected');
    expect(fake.cluster.liveSelectors()).toEqual({ 'hello-a': 'blue', 'hello-b': 'blue' });
  });

  it('rollback goes to the newest earlier live release, skipping one that was rolled back', async () => {
    const fake = fakeGroup();
    const r1 = await deploy(fake, 1, 2);
    await forcePromote(fake);
    const r2 = await deploy(fake, 1, 3);
    await forcePromote(fake);
    const r3 = await deploy(fake, 1, 4);
    await forcePromote(fake);
    const back = await rollbackRelease(SWITCH, fake.deps);
    expect(back).toMatchObject({ outcome: 'rolled-back', releaseId: r2.releaseId });
    expect(fake.records.record(r3.releaseId)?.phase).toBe('rolled-back');
    // r2 now live again; the next rollback skips r3 (rolled back) and goes to r1.
    const again = await rollbackRelease(SWITCH, fake.deps);
    expect(again.releaseId).toBe(r1.releaseId);
    const digests = Object.fromEntries(
      [...fake.cluster.deployments.values()]
        .filter(({ spec }) => spec.color === fake.cluster.liveSelectors()['hello-b'])
        .map(({ spec }) => [spec.service, spec.provenance.digest]),
    );
    expect(digests).toEqual({ 'hello-a': digest(1), 'hello-b': digest(2) });
  });
});
