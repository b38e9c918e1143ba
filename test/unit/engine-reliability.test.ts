/**
 * Engine decisions behind the findings of the reliability tests (issue 16; the same
 * faults run against the real stack in test/integration/reliability-*.test.ts): a
 * renewal that never answers ends the hold on time and cannot hang the run's exit; the
 * test Job's writes stop with the lock; a promote or rollback run again after a killed
 * one finishes that switch instead of doing a second one.
 */
import { describe, expect, it } from 'vitest';
import type { ImageRegistry, ReleaseStore } from '../../src/core/ports.ts';
import type { ReleaseRecord, SwitchIntent } from '../../src/core/release.ts';
import { liveServiceSpec } from '../../src/core/workload.ts';
import { loadGroup } from '../../src/disk/groups.ts';
import { deployGroup } from '../../src/engine/deploy.ts';
import { acquireNamespaceLock } from '../../src/engine/lock.ts';
import { promoteRelease, rollbackRelease } from '../../src/engine/promote.ts';
import { guardJobs } from '../../src/engine/session.ts';
import { groupStatus } from '../../src/engine/status.ts';
import { REPO_ROOT } from '../support/action-runner.ts';
import { type FakeGroup, fakeGroup } from '../support/fake-cluster.ts';

const location = { cwd: REPO_ROOT, groupsDir: 'test/fixtures/groups/engine' };
const team = loadGroup(location, 'team');
const digest = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
const SWITCH = { ...team, timeoutMs: 5_000, lockTimeoutMs: 1_000, scaleDownDelay: 'keep' as const };

function registry(a: number, b: number): ImageRegistry {
  const tags: Record<string, string> = {
    'team/hello-a:branch-master': digest(a),
    'team/hello-b:branch-master': digest(b),
  };
  return {
    description: 'registry test.local',
    lookup: async (repository, reference) => {
      const found = tags[`${repository}:${reference}`];
      return found ? { digest: found, host: 'test.local' } : undefined;
    },
    listTags: async () => [],
  };
}

function deploy(
  fake: FakeGroup,
  a: number,
  b: number,
  extra: { timeoutMs?: number; leaseDurationMs?: number } = {},
) {
  return deployGroup(
    { ...team, timeoutMs: 5_000, lockTimeoutMs: 1_000, keepFailed: false, ...extra },
    { ...fake.deps, images: registry(a, b) },
  );
}

const forcePromote = (fake: FakeGroup) =>
  promoteRelease({ ...SWITCH, force: { reason: 'unit test' }, requireVerifiedIn: [] }, fake.deps);

/** What a promote or rollback killed right after its first live Service leaves: the intent, and one Service switched. */
async function leaveHalfSwitch(
  fake: FakeGroup,
  release: ReleaseRecord,
  intent: Omit<SwitchIntent, 'startedAt' | 'by'>,
) {
  const stored = fake.records.stored.get(release.id);
  if (!stored) throw new Error(`no record ${release.id}`);
  await fake.records.update(stored, {
    ...stored.record,
    switch: { ...intent, startedAt: new Date().toISOString(), by: 'a killed run' },
  });
  const helloA = team.catalog.services.get('hello-a');
  if (!helloA) throw new Error('hello-a is not in the catalog');
  await fake.cluster.applyService(liveServiceSpec(helloA, team.group.name, intent.to));
}

describe('the namespace lock when renewals never answer', () => {
  it('is lost at its margin although the renewal request hangs, and the run still ends (no hang in release)', async () => {
    const fake = fakeGroup();
    fake.cluster.behavior = () => 'never-ready';
    const deploying = deploy(fake, 1, 2, { timeoutMs: 20_000, leaseDurationMs: 1_500 }).then(
      () => new Error('the deploy finished although its lock was lost'),
      (error: unknown) => error,
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    fake.leases.hangUpdates = true;
    const writesAtLoss = fake.cluster.writes.length;
    // Before the fix the hung renewal kept the loss unnoticed until the 20 s rollout timeout,
    // then release() waited on it forever.
    const error = await deploying;
    expect(error).toMatchObject({
      kind: 'lock-lost',
      message: expect.stringContaining('no renewal succeeded'),
    });
    expect(fake.cluster.writes.length).toBe(writesAtLoss);
  });
});

describe('releasing the lock', () => {
  it('frees a Lease whose version moved under it (a renewal cancelled on the way out that still landed)', async () => {
    const fake = fakeGroup();
    const lock = await acquireNamespaceLock(
      { holder: 'me', timeoutMs: 1_000, durationMs: 15_000, namespace: 'team-ns' },
      fake.deps,
    );
    const current = fake.leases.current;
    if (!current) throw new Error('no Lease after acquiring it');
    fake.leases.current = { ...current, version: `${current.version}-renewed` };
    await lock.release();
    expect(fake.leases.current?.lease.holder).toBeUndefined();
  });
});

describe('the test Job under the lock', () => {
  it('creates and deletes nothing once the lock is lost', async () => {
    const fake = fakeGroup();
    const lock = await acquireNamespaceLock(
      { holder: 'me', timeoutMs: 1_000, durationMs: 1_500, namespace: 'team-ns' },
      fake.deps,
    );
    const calls: string[] = [];
    const jobs = guardJobs(
      {
        createJob: async (spec) => {
          calls.push(`create ${spec.name}`);
        },
        deleteJob: async (name) => {
          calls.push(`delete ${name}`);
        },
        watchJob: async function* () {},
        readLog: async () => ({ unavailable: 'none' }),
        listJobs: async () => [],
      },
      lock,
    );
    fake.leases.failUpdates = true;
    await new Promise((resolve) => setTimeout(resolve, 1_300));
    const spec = { name: 'j', group: 'team', releaseId: 'r', image: 'i', env: [], activeDeadlineSeconds: 1 };
    await expect(jobs.createJob(spec)).rejects.toMatchObject({ kind: 'lock-lost' });
    await expect(jobs.deleteJob('j', 1_000)).rejects.toMatchObject({ kind: 'lock-lost' });
    expect(calls).toEqual([]);
    await lock.release();
  });
});

describe('a switch command run again after it was killed half-way', () => {
  it('promote completes the killed promote and stops there, instead of switching back to the release it replaced', async () => {
    const fake = fakeGroup();
    const first = await deploy(fake, 1, 2);
    await forcePromote(fake);
    const next = await deploy(fake, 1, 3);
    const record = fake.records.record(next.releaseId);
    if (!record) throw new Error('no record of the second release');
    await leaveHalfSwitch(fake, record, {
      operation: 'promote',
      from: 'blue',
      to: 'green',
      previousRelease: first.releaseId,
    });
    expect(fake.cluster.liveSelectors()).toEqual({ 'hello-a': 'green', 'hello-b': 'blue' });

    // blue still runs the first release, ready (scale-down delay keep): a second promote of
    // "the standby" after the recovery would have gone back to it.
    const again = await forcePromote(fake);
    expect(again).toMatchObject({ outcome: 'promoted', releaseId: next.releaseId, liveColor: 'green' });
    expect(fake.cluster.liveSelectors()).toEqual({ 'hello-a': 'green', 'hello-b': 'green' });
    expect(fake.records.record(next.releaseId)).toMatchObject({ phase: 'promoted' });
    expect(fake.records.record(next.releaseId)).not.toHaveProperty('switch');
    expect(fake.records.record(first.releaseId)).toHaveProperty('retiredAt');
  });

  it('rollback completes the killed rollback and does not roll back a second release', async () => {
    const fake = fakeGroup();
    const first = await deploy(fake, 1, 2);
    await forcePromote(fake);
    const second = await deploy(fake, 1, 3);
    await forcePromote(fake);
    const record = fake.records.record(first.releaseId);
    if (!record) throw new Error('no record of the first release');
    await leaveHalfSwitch(fake, record, {
      operation: 'rollback',
      from: 'green',
      to: 'blue',
      previousRelease: second.releaseId,
    });

    const again = await rollbackRelease(SWITCH, fake.deps);
    expect(again).toMatchObject({ outcome: 'rolled-back', releaseId: first.releaseId, liveColor: 'blue' });
    expect(fake.cluster.liveSelectors()).toEqual({ 'hello-a': 'blue', 'hello-b': 'blue' });
    expect(fake.records.record(second.releaseId)).toMatchObject({ phase: 'rolled-back' });
  });
});

describe('a deploy run again after it was killed after its last apply', () => {
  it('finishes that deploy (the record to ready, under the lock) instead of reporting the standby ready', async () => {
    const fake = fakeGroup();
    const first = await deploy(fake, 1, 2);
    const stored = fake.records.stored.get(first.releaseId);
    if (!stored) throw new Error('no record');
    // what the killed run left: its Deployments applied, its record still deploying, its Lease held
    await fake.records.update(stored, { ...stored.record, phase: 'deploying' });
    const lease = fake.leases.current;
    if (!lease) throw new Error('no Lease');
    fake.leases.current = {
      ...lease,
      lease: {
        holder: 'a killed run',
        acquiredAt: Date.now() - 60_000,
        renewedAt: Date.now() - 60_000,
        durationMs: 1_500,
        transitions: 0,
      },
    };

    const again = await deploy(fake, 1, 2);
    expect(again.releaseId).toBe(first.releaseId);
    expect(fake.records.record(first.releaseId)).toMatchObject({ phase: 'ready' });
    expect(fake.leases.current?.lease.holder).toBeUndefined();
    expect(fake.log.lines).toContainEqual(
      expect.stringContaining('took over the lock of team-ns from a killed run'),
    );
  });
});

/** The store, with the first update that `fails` matches refused as if the run had died there. */
function failingOnce(store: ReleaseStore, fails: (record: ReleaseRecord) => boolean): ReleaseStore {
  let failed = false;
  return {
    list: () => store.list(),
    create: (record) => store.create(record),
    delete: (id) => store.delete(id),
    update: async (stored, record) => {
      if (!failed && fails(record)) {
        failed = true;
        throw new Error('the run died here');
      }
      return store.update(stored, record);
    },
  };
}

describe('the history of a switch interrupted between its two record writes', () => {
  it('is written whole by the next command: the old release retired, the new one promoted', async () => {
    const fake = fakeGroup();
    const first = await deploy(fake, 1, 2);
    await forcePromote(fake);
    const next = await deploy(fake, 1, 3);
    const records = failingOnce(
      fake.records,
      (record) => record.id === first.releaseId && record.retiredAt !== undefined,
    );
    const promote = {
      ...SWITCH,
      releaseId: next.releaseId,
      force: { reason: 'unit test' },
      requireVerifiedIn: [],
    };
    await expect(promoteRelease(promote, { ...fake.deps, records })).rejects.toThrow('the run died here');

    const again = await promoteRelease(promote, fake.deps);
    expect(again).toMatchObject({ outcome: 'promoted', releaseId: next.releaseId });
    expect(fake.records.record(next.releaseId)).toMatchObject({ phase: 'promoted' });
    expect(fake.records.record(next.releaseId)).not.toHaveProperty('switch');
    expect(fake.records.record(first.releaseId)).toHaveProperty('retiredAt');
  });

  it('is undone with the switch when the next command has to revert it: the old release live and not retired', async () => {
    const fake = fakeGroup();
    const first = await deploy(fake, 1, 2);
    await forcePromote(fake);
    const next = await deploy(fake, 1, 3);
    const records = failingOnce(
      fake.records,
      (record) => record.id === next.releaseId && record.phase === 'promoted',
    );
    const promote = {
      ...SWITCH,
      releaseId: next.releaseId,
      force: { reason: 'unit test' },
      requireVerifiedIn: [],
    };
    await expect(promoteRelease(promote, { ...fake.deps, records })).rejects.toThrow('the run died here');
    expect(fake.records.record(first.releaseId)).toHaveProperty('retiredAt');

    // green is no longer ready when the next command comes: it puts every live Service back
    fake.cluster.behavior = (spec) => (spec.color === 'green' ? 'never-ready' : 'ready');
    await groupStatus({ ...team, timeoutMs: 5_000 }, fake.deps);
    expect(fake.cluster.liveSelectors()).toEqual({ 'hello-a': 'blue', 'hello-b': 'blue' });
    expect(fake.records.record(first.releaseId)).toMatchObject({ phase: 'promoted' });
    expect(fake.records.record(first.releaseId)).not.toHaveProperty('retiredAt');
    expect(fake.records.record(next.releaseId)).not.toHaveProperty('switch');
  });
});
