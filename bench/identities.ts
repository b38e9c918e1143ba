/**
 * One Kubernetes identity per contender, so the audit log says whose request each one
 * was: a ServiceAccount in the `greenlight-bench` namespace bound to cluster-admin (a
 * throwaway local cluster), a token from the TokenRequest API, and a kubeconfig with it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { StackInfo } from '../test/stack/types.ts';
import { kubectl, sleep } from './exec.ts';

export const IDENTITY_NAMESPACE = 'greenlight-bench';

/** The user name the API server (and so the audit log) gives a ServiceAccount. */
export function serviceAccountUser(name: string): string {
  return `system:serviceaccount:${IDENTITY_NAMESPACE}:${name}`;
}

export interface Identity {
  name: string;
  user: string;
  kubeconfig: string;
}

async function ensureNamespace(stack: StackInfo, cacheDir: string): Promise<void> {
  const existing = await kubectl(stack.kubeconfig, cacheDir, ['get', 'namespace', IDENTITY_NAMESPACE], {
    allowFailure: true,
  });
  if (existing.code !== 0)
    await kubectl(stack.kubeconfig, cacheDir, ['create', 'namespace', IDENTITY_NAMESPACE]);
  const deadline = Date.now() + 30_000;
  const args = ['get', 'serviceaccount', 'default', '-n', IDENTITY_NAMESPACE];
  while ((await kubectl(stack.kubeconfig, cacheDir, args, { allowFailure: true })).code !== 0) {
    if (Date.now() > deadline)
      throw new Error(`namespace ${IDENTITY_NAMESPACE}: no default ServiceAccount in 30s`);
    await sleep(200);
  }
}

/** Creates the identities (idempotent) and writes `<dir>/<name>.kubeconfig` for each. */
export async function createIdentities(
  stack: StackInfo,
  names: readonly string[],
  dir: string,
  cacheDir: string,
): Promise<Map<string, Identity>> {
  await ensureNamespace(stack, cacheDir);
  const identities = new Map<string, Identity>();
  const ca = readFileSync(stack.caFile).toString('base64');
  for (const name of names) {
    const manifest = stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: IDENTITY_NAMESPACE } },
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRoleBinding',
          metadata: { name: `greenlight-bench-${name}` },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
          subjects: [{ kind: 'ServiceAccount', name, namespace: IDENTITY_NAMESPACE }],
        },
      ],
    });
    await kubectl(stack.kubeconfig, cacheDir, ['apply', '-f', '-'], { input: manifest });
    const token = (
      await kubectl(stack.kubeconfig, cacheDir, [
        'create',
        'token',
        name,
        '-n',
        IDENTITY_NAMESPACE,
        '--duration=12h',
      ])
    ).stdout.trim();
    const kubeconfig = join(dir, `${name}.kubeconfig`);
    writeFileSync(kubeconfig, kubeconfigYaml(stack.apiServerUrl, ca, name, token), { mode: 0o600 });
    identities.set(name, { name, user: serviceAccountUser(name), kubeconfig });
  }
  return identities;
}

function kubeconfigYaml(server: string, caBase64: string, name: string, token: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'greenlight-bench', cluster: { server, 'certificate-authority-data': caBase64 } }],
    users: [{ name, user: { token } }],
    contexts: [{ name, context: { cluster: 'greenlight-bench', user: name, namespace: 'default' } }],
    'current-context': name,
  });
}
