/**
 * The shipped Role (terraform/rbac/greenlight-deployer.yaml) is all the engine needs in a
 * namespace: every operation runs as a ServiceAccount bound to it and nothing else. A
 * narrower Role fails with a message that names the missing permission.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { kubectl, serviceAccountKubeconfig } from '../stack/helpers.ts';
import { REPO_ROOT } from '../support/action-runner.ts';
import { groupFixture } from '../support/group-fixture.ts';

const stack = inject('stack');
const dir = mkdtempSync(join(tmpdir(), 'greenlight-rbac-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ROLE_FILE = join(REPO_ROOT, 'terraform/rbac/greenlight-deployer.yaml');

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

describe('RBAC', () => {
  it('the shipped ClusterRole, bound in the namespace only, suffices for every operation', async () => {
    const fx = await groupFixture(stack);
    await kubectl(stack, ['create', 'namespace', fx.namespace]);
    await kubectl(stack, ['apply', '-f', ROLE_FILE]);
    await kubectl(stack, [
      'create',
      'rolebinding',
      'greenlight-deployer',
      '-n',
      fx.namespace,
      '--clusterrole=greenlight-deployer',
      `--serviceaccount=${fx.namespace}:deployer`,
    ]);
    const kubeconfig = await serviceAccountKubeconfig(stack, dir, fx.namespace, 'deployer');
    const as = (args: string[]) => fx.cli(args, { kubeconfig });
    await fx.push('hello-a');
    await fx.push('hello-b');
    const steps: string[][] = [
      ['deploy', fx.group, '--registry', stack.registry, '--timeout', '60s'],
      ['promote', fx.group, '--force', '--reason', 'rbac', '--scale-down-delay', 'keep'],
      ['status', fx.group],
      ['reject', fx.group],
      ['down', fx.group],
      ['up', fx.group],
    ];
    for (const step of steps) {
      const run = await as(step);
      expect(run.code, `${step.join(' ')}:\n${run.stderr}`).toBe(0);
    }
    await fx.push('hello-b');
    for (const step of [
      ['deploy', fx.group, '--registry', stack.registry, '--timeout', '60s'],
      ['promote', fx.group, '--force', '--reason', 'rbac 2', '--scale-down-delay', 'keep'],
      ['rollback', fx.group, '--scale-down-delay', 'keep'],
    ]) {
      const run = await as(step);
      expect(run.code, `${step.join(' ')}:\n${run.stderr}`).toBe(0);
    }
    expect(await fx.liveSelectors()).toEqual({ 'hello-a': 'blue', 'hello-b': 'blue' });
  });

  it('a Role without ConfigMap create fails the deploy naming the missing verb and resource, and writes no Deployment', async () => {
    const fx = await groupFixture(stack);
    await kubectl(stack, ['create', 'namespace', fx.namespace]);
    const [doc] = parseAllDocuments(readFileSync(ROLE_FILE, 'utf8'));
    const rules = ((doc?.toJS() as { rules: Rule[] } | undefined)?.rules ?? []).map((rule) =>
      rule.resources.includes('configmaps')
        ? { ...rule, verbs: rule.verbs.filter((verb) => verb !== 'create') }
        : rule,
    );
    const role = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'narrow', namespace: fx.namespace },
      rules,
    };
    await kubectl(stack, ['apply', '-f', '-'], { input: JSON.stringify(role) });
    await kubectl(stack, [
      'create',
      'rolebinding',
      'narrow',
      '-n',
      fx.namespace,
      '--role=narrow',
      `--serviceaccount=${fx.namespace}:narrow`,
    ]);
    const kubeconfig = await serviceAccountKubeconfig(stack, dir, fx.namespace, 'narrow');
    await fx.push('hello-a');
    await fx.push('hello-b');
    const run = await fx.cli(['deploy', fx.group, '--registry', stack.registry, '--json'], { kubeconfig });
    expect(run.code).toBe(1);
    const error = JSON.parse(run.stdout).error;
    expect(error.kind).toBe('permission-denied');
    expect(error.message).toMatch(/cannot create resource "configmaps"/);
    expect(error.hint).toContain('greenlight-deployer');
    expect(await fx.deployments()).toEqual({});
    expect(await fx.lockHolder()).toBeUndefined();
  });
});
