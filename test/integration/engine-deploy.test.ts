/**
 * The engine's main path against the local stack: a group deployed to standby as a whole,
 * promoted together, the next release on the other color with unchanged services copied,
 * and a repeated deploy that writes nothing. State is read back with kubectl.
 */
import { describe, expect, inject, it } from 'vitest';
import { groupFixture } from '../support/group-fixture.ts';

const stack = inject('stack');

describe('deploy and promote a group', () => {
  it('puts every service on standby, promotes them together, and the next release goes to the other color', async () => {
    const fx = await groupFixture(stack);
    const a1 = await fx.push('hello-a');
    const b1 = await fx.push('hello-b');

    const first = await fx.deployJson();
    expect(first).toMatchObject({ standbyColor: 'blue', phase: 'ready', outcome: 'deployed' });
    let deployments = await fx.deployments();
    expect(deployments['hello-a-blue']).toMatchObject({ replicas: 2, release: first.releaseId, digest: a1 });
    expect(deployments['hello-b-blue']).toMatchObject({ replicas: 1, release: first.releaseId, digest: b1 });
    // Nothing routes to an untested color: no live Service before the first promotion.
    expect(await fx.liveSelectors()).toEqual({});
    expect((await fx.records())[first.releaseId]).toMatchObject({ phase: 'ready', color: 'blue' });

    const refused = await fx.cli(['promote', fx.group]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`release ${first.releaseId} has not been tested`);
    expect(await fx.liveSelectors()).toEqual({});

    const forced = await fx.cli([
      'promote',
      fx.group,
      '--force',
      '--reason',
      'first release, no suite yet',
      '--json',
    ]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({ outcome: 'promoted', liveColor: 'blue' });
    expect(await fx.liveSelectors()).toEqual({ 'hello-a': 'blue', 'hello-b': 'blue' });
    expect((await fx.records())[first.releaseId]).toMatchObject({
      phase: 'promoted',
      forced: { reason: 'first release, no suite yet' },
    });

    const b2 = await fx.push('hello-b');
    const second = await fx.deployJson();
    expect(second).toMatchObject({ standbyColor: 'green', phase: 'ready', outcome: 'deployed' });
    expect(second.releaseId).not.toBe(first.releaseId);
    deployments = await fx.deployments();
    // The unchanged service is copied with its live digest, so the group under test is complete.
    expect(deployments['hello-a-green']).toMatchObject({ release: second.releaseId, digest: a1 });
    expect(deployments['hello-b-green']).toMatchObject({ release: second.releaseId, digest: b2 });
    expect(deployments['hello-b-blue']).toMatchObject({ release: first.releaseId, digest: b1 });
    expect(await fx.liveSelectors()).toEqual({ 'hello-a': 'blue', 'hello-b': 'blue' });

    const before = await fx.resourceVersions();
    const again = await fx.deployJson();
    expect(again).toMatchObject({ releaseId: second.releaseId, outcome: 'already-on-standby' });
    expect(await fx.resourceVersions()).toEqual(before);
    expect(await fx.lockHolder()).toBeUndefined();
  });

  it('reports status and history in the JSON the command contract promises', async () => {
    const fx = await groupFixture(stack);
    const a1 = await fx.push('hello-a');
    await fx.push('hello-b');
    const first = await fx.deployJson();
    await fx.cli(['promote', fx.group, '--force', '--reason', 'bootstrap', '--scale-down-delay', 'keep']);
    await fx.push('hello-b');
    const second = await fx.deployJson();

    const run = await fx.cli(['status', fx.group, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const status = JSON.parse(run.stdout);
    expect(status).toMatchObject({
      liveColor: 'blue',
      liveReleaseId: first.releaseId,
      phase: 'ready',
      standby: { color: 'green', releaseId: second.releaseId, phase: 'ready' },
    });
    expect(status.services).toContainEqual(
      expect.objectContaining({
        service: 'hello-a',
        live: expect.objectContaining({ color: 'blue', digest: a1, readyReplicas: 2 }),
        standby: expect.objectContaining({ digest: a1, readyReplicas: 2 }),
      }),
    );
    expect(
      status.history.map((entry: { releaseId: string; phase: string }) => [entry.releaseId, entry.phase]),
    ).toEqual([
      [second.releaseId, 'ready'],
      [first.releaseId, 'promoted'],
    ]);
    expect(status.history[0].deployedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });
});
