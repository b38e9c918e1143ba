/**
 * The switch probe's decisions on an in-memory cluster and probe: when it runs, what its
 * Job asks for, that the switch waits for its lead-in, what goes on the record, and that
 * the probe never stands in the way of a switch (nor outlives one that failed). The real
 * probe runs on the real-node tier (test/e2e/demo.test.ts) and on kwok
 * (test/integration/engine-probe.test.ts).
 */
import { describe, expect, it } from 'vitest';
import type { ImageRegistry } from '../../src/core/ports.ts';
import { loadGroup } from '../../src/disk/groups.ts';
import { deployGroup } from '../../src/engine/deploy.ts';
import { resolveSwitchProbe, type SwitchProbeInput } from '../../src/engine/probe.ts';
import { promoteRelease, rollbackRelease } from '../../src/engine/promote.ts';
import { REPO_ROOT } from '../support/action-runner.ts';
import { type FakeGroup, fakeGroup } from '../support/fake-cluster.ts';
import { FakeSwitchProbes } from '../support/fake-probes.ts';

const location = { cwd: REPO_ROOT, groupsDir: 'test/fixtures/groups/engine' };
const team = loadGroup(location, 'team');
const digest = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
const PROBE: SwitchProbeInput = {
  image: 'test.local/switch-probe@sha256:feed',
  rate: 25,
  timing: { leadMs: 30, tailMs: 1, pollMs: 5, startTimeoutMs: 2000 },
};

function registry(tags: Record<string, string>): ImageRegistry {
  return {
    description: 'registry test.local',
    lookup: async (repository, reference) => {
      const found = tags[`${repository}:${reference}`];
      return found ? { digest: found, host: 'test.local' } : undefined;
    },
    listTags: async () => [],
  };
}

function deploy(fake: FakeGroup, a: number, b: number) {
  const images = registry({
    'team/hello-a:branch-master': digest(a),
    'team/hello-b:branch-master': digest(b),
  });
  return deployGroup(
    { ...team, timeoutMs: 5_000, lockTimeoutMs: 1_000, keepFailed: false },
    { ...fake.deps, images },
  );
}

function promote(fake: FakeGroup, probes: FakeSwitchProbes, scaleDownDelay: number | 'keep' = 0) {
  return promoteRelease(
    {
      ...team,
      timeoutMs: 5_000,
      lockTimeoutMs: 1_000,
      scaleDownDelay,
      force: { reason: 'unit test' },
      requireVerifiedIn: [],
      probe: PROBE,
    },
    { ...fake.deps, probes },
  );
}

describe('the switch probe', () => {
  it('measures nothing at a first promotion: nothing was live, no Job is made', async () => {
    const fake = fakeGroup();
    const probes = new FakeSwitchProbes();
    await deploy(fake, 1, 2);
    const first = await promote(fake, probes);
    expect(probes.created).toEqual([]);
    expect(first.probe).toMatchObject({ measured: false, to: 'blue', sent: 0 });
    expect(first.probe?.note).toContain('nothing was live before this switch');
    expect(fake.records.record(first.releaseId ?? '')?.switchProbe).toEqual(first.probe);
  });

  it('probes every live Service at its liveness path from before the switch until the old color is gone, records the count, deletes the Job', async () => {
    const fake = fakeGroup();
    const probes = new FakeSwitchProbes();
    await deploy(fake, 1, 2);
    await promote(fake, probes);
    const next = await deploy(fake, 1, 3);
    // the Services do not move before the probe has reported for its lead-in
    let selectorsAtCreate: Record<string, string | undefined> = {};
    const create = probes.createProbe.bind(probes);
    probes.createProbe = async (spec) => {
      selectorsAtCreate = fake.cluster.liveSelectors();
      await create(spec);
    };
    const promoted = await promote(fake, probes);

    expect(selectorsAtCreate).toEqual({ 'hello-a': 'blue', 'hello-b': 'blue' });
    expect(probes.created).toHaveLength(1);
    const [job] = probes.created;
    expect(job?.image).toBe(PROBE.image);
    expect(job?.releaseId).toBe(next.releaseId);
    expect(Object.fromEntries(job?.env ?? [])).toMatchObject({
      GREENLIGHT_PROBE_TARGETS:
        'hello-a=http://hello-a.team-ns.svc.cluster.local:8080/ hello-b=http://hello-b.team-ns.svc.cluster.local:8080/',
      GREENLIGHT_PROBE_RATE: '25',
    });
    expect(job?.name).toMatch(new RegExp(`^greenlight-probe-${next.releaseId}-[0-9a-z]+$`));
    expect(probes.deleted).toEqual([job?.name]);

    expect(promoted.outcome).toBe('promoted');
    expect(fake.cluster.deployments.get('hello-a-blue')?.replicas).toBe(0);
    const recorded = fake.records.record(next.releaseId)?.switchProbe;
    expect(recorded).toEqual(promoted.probe);
    expect(recorded).toMatchObject({
      measured: true,
      operation: 'promote',
      from: 'blue',
      to: 'green',
      sent: 600,
      failed: 0,
      p50Ms: 1.5,
      p99Ms: 9.25,
      rate: 25,
      until: 'old-color-gone',
    });
    expect(recorded).not.toHaveProperty('note');
  });

  it('counts what failed, per reason; with the old color kept the window ends after the switch', async () => {
    const fake = fakeGroup();
    const probes = new FakeSwitchProbes();
    await deploy(fake, 1, 2);
    await promote(fake, probes);
    await deploy(fake, 1, 3);
    probes.counts = { sent: 800, failed: 12, failures: { 'connection refused': 12 } };
    const promoted = await promote(fake, probes, 'keep');
    expect(promoted.probe).toMatchObject({
      measured: true,
      failed: 12,
      failures: { 'connection refused': 12 },
      until: 'switched',
    });
    expect(fake.cluster.deployments.get('hello-a-blue')?.replicas).toBe(2);
  });

  it('a probe that cannot start (image pull, no pod logs, bad settings) measures nothing; the switch goes on and the Job goes', async () => {
    for (const [behavior, note] of [
      ['image-pull-fails', 'its pod cannot start: ImagePullBackOff (Back-off pulling image "switch-probe")'],
      ['no-logs', 'the cluster serves no log of its pod'],
      ['refuses-settings', 'it refused its settings: GREENLIGHT_PROBE_TARGETS is empty'],
    ] as const) {
      const fake = fakeGroup();
      const probes = new FakeSwitchProbes();
      await deploy(fake, 1, 2);
      await promote(fake, probes);
      await deploy(fake, 1, 3);
      probes.behavior = behavior;
      const promoted = await promote(fake, probes);
      expect(promoted.outcome, behavior).toBe('promoted');
      expect(fake.cluster.liveSelectors()).toEqual({ 'hello-a': 'green', 'hello-b': 'green' });
      expect(promoted.probe?.measured, behavior).toBe(false);
      expect(promoted.probe?.note, behavior).toContain(note);
      expect(probes.deleted, behavior).toEqual([probes.created[0]?.name]);
      expect(fake.log.lines.some((line) => line.includes('measures nothing'))).toBe(true);
    }
  });

  it('a probe Job the cluster refuses measures nothing; the switch goes on', async () => {
    const fake = fakeGroup();
    const probes = new FakeSwitchProbes();
    await deploy(fake, 1, 2);
    await promote(fake, probes);
    await deploy(fake, 1, 3);
    probes.behavior = 'create-forbidden';
    const promoted = await promote(fake, probes);
    expect(promoted.outcome).toBe('promoted');
    expect(promoted.probe).toMatchObject({
      measured: false,
      note: 'its Job could not be created: jobs.batch is forbidden (HTTP 403)',
    });
  });

  it('after the switch the probe never fails the promote: what it could not do is its note', async () => {
    const fake = fakeGroup();
    const probes = new FakeSwitchProbes();
    await deploy(fake, 1, 2);
    await promote(fake, probes);
    await deploy(fake, 1, 3);
    const read = fake.cluster.readRolloutSnapshot.bind(fake.cluster);
    // the API server goes away once the old color is scaled down (while the probe waits for its pods)
    fake.cluster.readRolloutSnapshot = async () => {
      if (fake.cluster.deployments.get('hello-a-blue')?.replicas === 0)
        throw new Error('connect ECONNREFUSED');
      return read();
    };
    const promoted = await promote(fake, probes);
    expect(promoted.outcome).toBe('promoted');
    expect(promoted.probe).toMatchObject({ measured: true, until: 'switched', note: 'connect ECONNREFUSED' });
    expect(probes.deleted).toEqual([probes.created[0]?.name]);
  });

  it('a switch that fails takes its probe Job with it and records no count', async () => {
    const fake = fakeGroup();
    const probes = new FakeSwitchProbes();
    await deploy(fake, 1, 2);
    await promote(fake, probes);
    const next = await deploy(fake, 1, 3);
    fake.cluster.failWrite = (write) =>
      write === 'switch service/hello-b' ? new Error('forbidden') : undefined;
    const error = await promote(fake, probes).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ kind: 'switch-failed' });
    expect(probes.deleted).toEqual([probes.created[0]?.name]);
    expect(fake.records.record(next.releaseId)).not.toHaveProperty('switchProbe');
  });

  it('measures a rollback too', async () => {
    const fake = fakeGroup();
    const probes = new FakeSwitchProbes();
    await deploy(fake, 1, 2);
    const first = await promote(fake, probes);
    await deploy(fake, 1, 3);
    await promote(fake, probes);
    const back = await rollbackRelease(
      { ...team, timeoutMs: 5_000, lockTimeoutMs: 1_000, scaleDownDelay: 0, probe: PROBE },
      { ...fake.deps, probes },
    );
    expect(back.releaseId).toBe(first.releaseId);
    expect(back.probe).toMatchObject({ measured: true, operation: 'rollback', from: 'green', to: 'blue' });
    expect(fake.records.record(first.releaseId ?? '')?.switchProbe).toEqual(back.probe);
  });

  it('--probe needs promotion.probe in the group file; its image is resolved like integration.image', async () => {
    await expect(resolveSwitchProbe(team.group, registry({}))).rejects.toThrow(
      /team\.yaml: promotion\.probe is not set, so there is no probe image to run for --probe \/ probe: true/,
    );
    const withProbe = {
      ...team.group,
      promotion: { ...team.group.promotion, probe: { image: 'tools/switch-probe:branch-master', rate: 5 } },
    };
    expect(
      await resolveSwitchProbe(withProbe, registry({ 'tools/switch-probe:branch-master': digest(9) })),
    ).toEqual({
      image: `test.local/tools/switch-probe@${digest(9)}`,
      rate: 5,
    });
    await expect(resolveSwitchProbe(withProbe, registry({}))).rejects.toMatchObject({
      kind: 'image-not-found',
    });
  });
});
