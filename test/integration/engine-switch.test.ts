/**
 * Switching live, and its ways back, against the local stack: a promote whose Service patch
 * fails puts every Service back on the old color; a promote killed half-way is completed (or
 * reverted) by the next command; reject, rollback (warm and cold), down and up, each read
 * back with kubectl.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { kubectl, serviceAccountKubeconfig } from '../stack/helpers.ts';
import { REPO_ROOT } from '../support/action-runner.ts';
import { type GroupFixture, groupFixture } from '../support/group-fixture.ts';

const stack = inject('stack');
const dir = mkdtempSync(join(tmpdir(), 'greenlight-switch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Release 1 live on blue, release 2 ready on green. */
async function twoReleases(fx: GroupFixture) {
  await fx.push('hello-a');
  await fx.push('hello-b');
  const first = await fx.deployJson();
  const promoted = await fx.cli([
    'promote',
    fx.group,
    '--force',
    '--reason',
    'r1',
    '--scale-down-delay',
    'keep',
  ]);
  expect(promoted.code, promoted.stderr).toBe(0);
  await fx.push('hello-b');
  const second = await fx.deployJson();
  return { first, second };
}

/** The shipped Role's rules (terraform/rbac/greenlight-deployer.yaml), optionally changed. */
function shippedRules(): {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}[] {
  const [doc] = parseAllDocuments(
    readFileSync(join(REPO_ROOT, 'terraform/rbac/greenlight-deployer.yaml'), 'utf8'),
  );
  return (doc?.toJS() as { rules: ReturnType<typeof shippedRules> } | undefined)?.rules ?? [];
}

async function identityWith(
  fx: GroupFixture,
  name: string,
  rules: ReturnType<typeof shippedRules>,
): Promise<string> {
  const role = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name, namespace: fx.namespace },
    rules,
  };
  await kubectl(stack, ['apply', '-f', '-'], { input: JSON.stringify(role) });
  await kubectl(stack, [
    'create',
    'rolebinding',
    name,
    '-n',
    fx.namespace,
    `--role=${name}`,
    `--serviceaccount=${fx.namespace}:${name}`,
  ]);
  return serviceAccountKubeconfig(stack, dir, fx.namespace, name);
}

async function recordOf(fx: GroupFixture, id: string) {
  return (await fx.records())[id] as Record<string, unknown>;
}

describe('switching live', () => {
  it('puts every Service back on the old color when one cannot be switched', async () => {
    const fx = await groupFixture(stack);
    const { second } = await twoReleases(fx);
    // Everything the engine needs, except patching the live Service hello-b.
    const rules = shippedRules().flatMap((rule) =>
      rule.resources.includes('services')
        ? [
            { ...rule, verbs: rule.verbs.filter((verb) => verb !== 'patch') },
            {
              apiGroups: [''],
              resources: ['services'],
              verbs: ['patch'],
              resourceNames: ['hello-a', 'hello-a-preview', 'hello-b-preview'],
            },
          ]
        : [rule],
    );
    const kubeconfig = await identityWith(fx, 'no-patch-hello-b', rules);
    const run = await fx.cli(['promote', fx.group, '--force', '--reason', 'try', '--json'], { kubeconfig });
    expect(run.code).toBe(1);
    const error = JSON.parse(run.stdout).error;
    expect(error.kind).toBe('switch-failed');
    expect(error.message).toContain('every live Service is back on blue');
    expect(error.message).toMatch(
      /hello-b: could not switch Service hello-b .*forbidden.*cannot patch resource "services"/,
    );
    expect(await fx.liveSelectors()).toEqual({ 'hello-a': 'blue', 'hello-b': 'blue' });
    const record = await recordOf(fx, second.releaseId);
    expect(record).not.toHaveProperty('switch');
    expect(record).toMatchObject({ phase: 'ready', failure: { kind: 'switch-failed' } });
  });

  it('completes a promote that was killed after its first patch, on the next command', async () => {
    const fx = await groupFixture(stack);
    const { second } = await twoReleases(fx);
    await leaveHalfSwitched(fx, second.releaseId, 'green');
    expect(await fx.liveSelectors()).toEqual({ 'hello-a': 'green', 'hello-b': 'blue' });

    const status = await fx.cli(['status', fx.group, '--json']);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stderr).toContain('green is ready, so completing it');
    expect(await fx.liveSelectors()).toEqual({ 'hello-a': 'green', 'hello-b': 'green' });
    expect(await recordOf(fx, second.releaseId)).toMatchObject({ phase: 'promoted' });
    expect(await recordOf(fx, second.releaseId)).not.toHaveProperty('switch');
  });

  it('reverts a killed promote whose target color is no longer ready', async () => {
    const fx = await groupFixture(stack);
    const { first, second } = await twoReleases(fx);
    await leaveHalfSwitched(fx, second.releaseId, 'green');
    await kubectl(stack, ['scale', 'deployment', 'hello-b-green', '-n', fx.namespace, '--replicas=0']);

    const promote = await fx.cli(['promote', fx.group, '--force', '--reason', 'again']);
    expect(promote.stderr).toContain('green is not ready, so putting every live Service back on blue');
    expect(promote.code).toBe(1);
    expect(promote.stderr).toContain('standby (green) is not ready');
    expect(await fx.liveSelectors()).toEqual({ 'hello-a': 'blue', 'hello-b': 'blue' });
    expect(await recordOf(fx, first.releaseId)).toMatchObject({ phase: 'promoted' });
    expect(await recordOf(fx, second.releaseId)).not.toHaveProperty('switch');
  });

  it('rejects, rolls back warm and cold, and spins the group down and up', async () => {
    const fx = await groupFixture(stack);
    const { first, second } = await twoReleases(fx);

    const reject = await fx.cli(['reject', fx.group, '--json']);
    expect(JSON.parse(reject.stdout)).toMatchObject({ outcome: 'rejected', releaseId: second.releaseId });
    expect((await fx.deployments())['hello-b-green']?.replicas).toBe(0);
    expect(await fx.liveSelectors()).toEqual({ 'hello-a': 'blue', 'hello-b': 'blue' });
    expect(await recordOf(fx, second.releaseId)).toMatchObject({ phase: 'rejected' });

    // Deploy the same release again and promote it, keeping blue warm.
    await fx.deployJson();
    await fx.cli(['promote', fx.group, '--force', '--reason', 'r2', '--scale-down-delay', 'keep']);
    expect(await fx.liveSelectors()).toEqual({ 'hello-a': 'green', 'hello-b': 'green' });
    expect((await fx.deployments())['hello-a-blue']?.replicas).toBe(2);

    const warm = await fx.cli(['rollback', fx.group, '--scale-down-delay', '1s']);
    expect(warm.code, warm.stderr).toBe(0);
    expect(warm.stderr).toContain('still warm on blue: switching back at once');
    expect(await fx.liveSelectors()).toEqual({ 'hello-a': 'blue', 'hello-b': 'blue' });
    expect(await recordOf(fx, second.releaseId)).toMatchObject({ phase: 'rolled-back' });
    expect(await recordOf(fx, first.releaseId)).toMatchObject({ phase: 'promoted' });
    expect((await fx.deployments())['hello-b-green']?.replicas).toBe(0);

    // Release 2 again, live on green with blue scaled down: the rollback has to scale blue up first.
    await fx.deployJson();
    await fx.cli(['promote', fx.group, '--force', '--reason', 'r2 again', '--scale-down-delay', '1s']);
    expect((await fx.deployments())['hello-a-blue']?.replicas).toBe(0);
    const cold = await fx.cli(['rollback', fx.group, '--scale-down-delay', 'keep']);
    expect(cold.code, cold.stderr).toBe(0);
    expect(cold.stderr).toContain('is on blue but scaled down: scaling it up');
    expect(await fx.liveSelectors()).toEqual({ 'hello-a': 'blue', 'hello-b': 'blue' });

    const down = await fx.cli(['down', fx.group]);
    expect(down.code, down.stderr).toBe(0);
    const scaled = await fx.deployments();
    expect(Object.values(scaled).map((d) => d.replicas)).toEqual([0, 0, 0, 0]);
    expect(await fx.liveSelectors()).toEqual({ 'hello-a': 'blue', 'hello-b': 'blue' });
    const downStatus = JSON.parse((await fx.cli(['status', fx.group, '--json'])).stdout);
    expect(downStatus).toMatchObject({ down: true, liveReleaseId: first.releaseId });

    const up = await fx.cli(['up', fx.group]);
    expect(up.code, up.stderr).toBe(0);
    const upAgain = await fx.deployments();
    expect(upAgain['hello-a-blue']?.replicas).toBe(2);
    expect(upAgain['hello-b-blue']?.replicas).toBe(1);
    expect(upAgain['hello-a-green']?.replicas).toBe(0);
    const status = JSON.parse((await fx.cli(['status', fx.group, '--json'])).stdout);
    expect(status).toMatchObject({ down: false, liveColor: 'blue', liveReleaseId: first.releaseId });
    expect(status.history.map((h: { phase: string }) => h.phase).sort()).toEqual(['promoted', 'rolled-back']);
  });
});

/** What a promote killed right after its first Service patch leaves: the intent on record, one Service switched. */
async function leaveHalfSwitched(fx: GroupFixture, releaseId: string, to: 'blue' | 'green') {
  const name = `greenlight-release-${releaseId}`;
  const configMap = JSON.parse(
    (await kubectl(stack, ['get', 'configmap', name, '-n', fx.namespace, '-o', 'json'])).stdout,
  );
  const record = JSON.parse(configMap.data['release.json']);
  record.switch = {
    operation: 'promote',
    from: 'blue',
    to,
    startedAt: new Date().toISOString(),
    by: 'a killed run',
    scaleDownDelayMs: 1000,
  };
  configMap.data['release.json'] = JSON.stringify(record);
  await kubectl(stack, ['replace', '-f', '-'], { input: JSON.stringify(configMap) });
  await kubectl(stack, [
    'patch',
    'service',
    'hello-a',
    '-n',
    fx.namespace,
    '--type=merge',
    '-p',
    JSON.stringify({ spec: { selector: { 'greenlight.dev/color': to } } }),
  ]);
}
