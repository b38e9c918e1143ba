import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createKubeClient, KubeError } from '../../src/kube/client.ts';

const dir = mkdtempSync(join(tmpdir(), 'greenlight-kubeclient-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeKubeconfig(name: string, server: string): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    [
      'apiVersion: v1',
      'kind: Config',
      `current-context: ${name}`,
      `clusters: [{ name: ${name}, cluster: { server: '${server}' } }]`,
      `users: [{ name: ${name}, user: { token: t-${name} } }]`,
      `contexts: [{ name: ${name}, context: { cluster: ${name}, user: ${name} } }]`,
      '',
    ].join('\n'),
  );
  return path;
}

describe('createKubeClient', () => {
  const first = writeKubeconfig('first', 'https://127.0.0.1:6443');
  const second = writeKubeconfig('second', 'https://127.0.0.1:7443');

  it('reads a KUBECONFIG list as kubectl does: the first file picks the context', () => {
    const client = createKubeClient({ kubeconfigPath: [first, second].join(delimiter) });
    expect(client.context).toBe('first');
    expect(client.server).toBe('https://127.0.0.1:6443');
  });

  it('reaches contexts from later files of the list', () => {
    const client = createKubeClient({ kubeconfigPath: [first, second].join(delimiter), context: 'second' });
    expect(client.server).toBe('https://127.0.0.1:7443');
  });

  it('names the file it could not load', () => {
    const missing = join(dir, 'missing');
    expect(() => createKubeClient({ kubeconfigPath: missing })).toThrow(KubeError);
    expect(() => createKubeClient({ kubeconfigPath: missing })).toThrow(`could not load ${missing}`);
  });
});
