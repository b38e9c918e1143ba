/**
 * The promotion gate against the local stack: refused without a verification, refused for
 * a verification of other digests, allowed for these digests, allowed by force with the
 * reason recorded, and promotion.requireVerifiedIn enforced across groups.
 */
import { describe, expect, inject, it } from 'vitest';
import type { Verification } from '../../src/core/release.ts';
import { loadGroup } from '../../src/disk/groups.ts';
import { recordStandbyVerification } from '../../src/engine/verify.ts';
import { connectKube, engineDepsFor } from '../../src/wiring/connect.ts';
import { type GroupFixture, groupFixture } from '../support/group-fixture.ts';
import { recordingProgressLog } from '../support/logger.ts';

const stack = inject('stack');

/** Records a test result on the group's standby through the engine's own API, as run-integration will. */
async function recordVerification(fx: GroupFixture, group: string, verification: Partial<Verification>) {
  const { catalog, group: loaded } = loadGroup({ cwd: '/', groupsDir: fx.dir }, group);
  const deps = engineDepsFor(connectKube({}, stack.kubeconfig), loaded.namespace, recordingProgressLog(), {
    actor: 'test',
  });
  return recordStandbyVerification(
    {
      catalog,
      group: loaded,
      lockTimeoutMs: 10_000,
      timeoutMs: 30_000,
      verification: {
        passed: true,
        tests: 3,
        failures: 0,
        errors: 0,
        skipped: 0,
        digests: {},
        at: new Date().toISOString(),
        ...verification,
      },
    },
    deps,
  );
}

describe('the promotion gate', () => {
  it('promotes only a release whose exact digests passed, or by force with a recorded reason', async () => {
    const fx = await groupFixture(stack);
    const a1 = await fx.push('hello-a');
    const b1 = await fx.push('hello-b');
    const release = await fx.deployJson();

    const untested = await fx.cli(['promote', fx.group]);
    expect(untested.code).toBe(1);
    expect(untested.stderr).toContain('has not been tested');

    // A passing run, but of another hello-b: standby is not what was tested.
    const other = await recordVerification(fx, fx.group, {
      digests: { 'hello-a': a1, 'hello-b': `sha256:${'0'.repeat(64)}` },
    });
    expect(other.counted).toBe(true);
    const mismatch = await fx.cli(['promote', fx.group, '--json']);
    expect(mismatch.code).toBe(1);
    expect(JSON.parse(mismatch.stdout).error).toMatchObject({ kind: 'verification-mismatch' });
    expect(mismatch.stderr).toContain('ran against other digests for hello-b');

    const failed = await recordVerification(fx, fx.group, {
      passed: false,
      failures: 2,
      digests: { 'hello-a': a1, 'hello-b': b1 },
    });
    expect(failed.record.phase).toBe('failed');
    const refusedFailed = await fx.cli(['promote', fx.group]);
    expect(refusedFailed.code).toBe(1);
    expect(refusedFailed.stderr).toContain('failed its tests (2 of 3 failed)');

    await recordVerification(fx, fx.group, { digests: { 'hello-a': a1, 'hello-b': b1 } });
    expect((await fx.records())[release.releaseId]).toMatchObject({ phase: 'verified' });
    const promoted = await fx.cli([
      'promote',
      fx.group,
      '--release',
      release.releaseId,
      '--scale-down-delay',
      'keep',
    ]);
    expect(promoted.code, promoted.stderr).toBe(0);
    expect(await fx.liveSelectors()).toEqual({ 'hello-a': 'blue', 'hello-b': 'blue' });
    expect((await fx.records())[release.releaseId]).toMatchObject({ phase: 'promoted' });
    expect((await fx.records())[release.releaseId]).not.toHaveProperty('forced');

    // Promote twice: a no-op.
    const twice = await fx.cli(['promote', fx.group, '--release', release.releaseId, '--json']);
    expect(JSON.parse(twice.stdout)).toMatchObject({ outcome: 'already-live' });

    await fx.push('hello-b');
    const next = await fx.deployJson();
    // an id of neither release: its first character changed (to another one, whatever it was)
    const unknownId = `${release.releaseId.startsWith('f') ? '0' : 'f'}${release.releaseId.slice(1)}`;
    const wrongId = await fx.cli(['promote', fx.group, '--release', unknownId]);
    expect(wrongId.code).toBe(1);
    expect(wrongId.stderr).toContain(`is not on standby: green runs release ${next.releaseId}`);
    const forced = await fx.cli([
      'promote',
      fx.group,
      '--force',
      '--reason',
      'hotfix, suite broken',
      '--scale-down-delay',
      '1s',
    ]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stderr).toContain('by force (hotfix, suite broken)');
    expect((await fx.records())[next.releaseId]).toMatchObject({
      phase: 'promoted',
      forced: { reason: 'hotfix, suite broken', actor: expect.any(String) },
    });
    expect(await fx.liveSelectors()).toEqual({ 'hello-a': 'green', 'hello-b': 'green' });
  });

  it('enforces promotion.requireVerifiedIn: a shared service must have passed with the same digest in the other group', async () => {
    const fx = await groupFixture(stack, {
      groupYaml: 'promotion:\n  requireVerifiedIn: [base]',
      otherGroups: { base: { services: ['hello-a'] } },
    });
    const a1 = await fx.push('hello-a');
    const b1 = await fx.push('hello-b');
    await fx.deployJson();
    await recordVerification(fx, fx.group, { digests: { 'hello-a': a1, 'hello-b': b1 } });

    const refused = await fx.cli(['promote', fx.group, '--json']);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout).error).toMatchObject({ kind: 'not-verified-in-group' });
    expect(refused.stderr).toContain(`hello-a@${a1.slice(0, 19)} has not passed in group base`);

    const base = await fx.cli(['deploy', 'base', '--registry', stack.registry, '--timeout', '60s']);
    expect(base.code, base.stderr).toBe(0);
    await recordVerification(fx, 'base', { digests: { 'hello-a': a1 } });
    const allowed = await fx.cli(['promote', fx.group, '--scale-down-delay', 'keep']);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(await fx.liveSelectors()).toEqual({ 'hello-a': 'blue', 'hello-b': 'blue' });
  });
});
