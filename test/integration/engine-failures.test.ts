/**
 * A standby that cannot become ready (kwok's never-ready and crash-looping stages): the
 * deploy fails naming the service and the pod's reason, scales the failed standby to zero,
 * never touches live, records the failure and releases the lock.
 */
import { describe, expect, inject, it } from 'vitest';
import { groupFixture } from '../support/group-fixture.ts';

const stack = inject('stack');

async function liveGroup() {
  const fx = await groupFixture(stack);
  await fx.push('hello-a');
  await fx.push('hello-b');
  const live = await fx.deployJson();
  const promoted = await fx.cli([
    'promote',
    fx.group,
    '--force',
    '--reason',
    'baseline',
    '--scale-down-delay',
    'keep',
  ]);
  expect(promoted.code, promoted.stderr).toBe(0);
  return { fx, live };
}

describe('a standby that cannot become ready', () => {
  it('never ready: fails at the timeout naming the service and its failing readiness; standby scaled to zero, live untouched', async () => {
    const { fx, live } = await liveGroup();
    fx.writeCatalog({ 'hello-a': { replicas: 2 }, 'hello-b': { calls: ['hello-a'], image: 'never-ready' } });
    await fx.push('hello-b');
    const run = await fx.cli(['deploy', fx.group, '--registry', stack.registry, '--timeout', '6s', '--json']);
    expect(run.code).toBe(1);
    const error = JSON.parse(run.stdout).error;
    expect(error.kind).toBe('rollout-timeout');
    expect(run.stderr).toMatch(
      /hello-b: 0\/1 ready: hello-b-green-[a-z0-9-]+: running but not ready \(readiness probe failing/,
    );
    expect(run.stderr).toContain('Readiness probe failed');
    expect(run.stderr).not.toMatch(/hello-a: /);

    const deployments = await fx.deployments();
    expect(deployments['hello-b-green']?.replicas).toBe(0);
    expect(deployments['hello-a-green']?.replicas).toBe(0);
    expect(deployments['hello-a-blue']).toMatchObject({ replicas: 2, release: live.releaseId });
    expect(deployments['hello-b-blue']).toMatchObject({ replicas: 1, release: live.releaseId });
    expect(await fx.liveSelectors()).toEqual({ 'hello-a': 'blue', 'hello-b': 'blue' });
    const failed = Object.values(await fx.records()).find((record) => record.phase === 'failed');
    expect(failed).toMatchObject({ failure: { kind: 'rollout-timeout' } });
    expect(await fx.lockHolder()).toBeUndefined();
  });

  it('crash loop: fails as soon as the pod crash-loops, with its reason and exit code', async () => {
    const { fx } = await liveGroup();
    fx.writeCatalog({ 'hello-a': { replicas: 2 }, 'hello-b': { calls: ['hello-a'], image: 'crashloop' } });
    await fx.push('hello-b');
    const run = await fx.cli([
      'deploy',
      fx.group,
      '--registry',
      stack.registry,
      '--timeout',
      '60s',
      '--json',
    ]);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout).error.kind).toBe('rollout-failed');
    expect(run.stderr).toMatch(/hello-b: hello-b-green-[a-z0-9-]+: container app CrashLoopBackOff/);
    expect(run.stderr).toMatch(/last exit code \d+/);
    expect((await fx.deployments())['hello-b-green']?.replicas).toBe(0);
    expect(await fx.liveSelectors()).toEqual({ 'hello-a': 'blue', 'hello-b': 'blue' });
    expect(await fx.lockHolder()).toBeUndefined();
  });

  it('keep-failed leaves the failed standby running for debugging', async () => {
    const { fx } = await liveGroup();
    fx.writeCatalog({ 'hello-a': { replicas: 2 }, 'hello-b': { calls: ['hello-a'], image: 'never-ready' } });
    await fx.push('hello-b');
    const run = await fx.cli([
      'deploy',
      fx.group,
      '--registry',
      stack.registry,
      '--timeout',
      '4s',
      '--keep-failed',
    ]);
    expect(run.code).toBe(1);
    expect((await fx.deployments())['hello-b-green']?.replicas).toBe(1);
    expect(await fx.liveSelectors()).toEqual({ 'hello-a': 'blue', 'hello-b': 'blue' });
  });
});
