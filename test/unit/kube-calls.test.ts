/**
 * The Kubernetes chokepoint under the faults the reliability tests found (issue 16): a
 * create whose answer was lost is read back instead of failing, a timed-out request is
 * cancelled (its connection closed, so it cannot land late), and an aborted call (a lost
 * lock) neither retries nor leaves a request in flight. Against a small HTTP server on
 * 127.0.0.1 that answers as the API server does for ConfigMaps.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1ConfigMap } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubeClient, type KubeClient, KubeError, kubeCall, kubeCreate } from '../../src/kube/client.ts';

type Behaviour = 'normal' | 'apply-then-drop' | 'refuse-503' | 'hang';

interface Seen {
  method: string;
  path: string;
  /** the client closed the connection before an answer */
  closedEarly: boolean;
}

/** ConfigMaps in memory; the next POSTs behave as `plan` says, one entry each. */
class FakeApi {
  readonly stored = new Map<string, V1ConfigMap>();
  readonly seen: Seen[] = [];
  plan: Behaviour[] = [];
  server: Server = createServer((req, res) => this.handle(req, res));

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const seen: Seen = { method: req.method ?? '', path: req.url ?? '', closedEarly: false };
    this.seen.push(seen);
    res.on('close', () => {
      if (!res.writableFinished) seen.closedEarly = true;
    });
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const name = /\/configmaps\/([^/?]+)/.exec(seen.path)?.[1];
    if (req.method === 'GET' && name) {
      const found = this.stored.get(name);
      if (found) return this.json(res, 200, found);
      return this.json(res, 404, status(404, 'NotFound', `configmaps "${name}" not found`));
    }
    if (req.method === 'POST') {
      const behaviour = this.plan.shift() ?? 'normal';
      if (behaviour === 'hang') return; // never answered; the client must give up and close
      if (behaviour === 'refuse-503') return this.json(res, 503, status(503, 'ServiceUnavailable', 'busy'));
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as V1ConfigMap;
      const key = body.metadata?.name ?? '';
      if (this.stored.has(key))
        return this.json(res, 409, status(409, 'AlreadyExists', `configmaps "${key}" already exists`));
      const created = { ...body, metadata: { ...body.metadata, resourceVersion: String(this.seen.length) } };
      this.stored.set(key, created);
      if (behaviour === 'apply-then-drop') {
        res.socket?.destroy(); // applied, and the answer lost on the way
        return;
      }
      return this.json(res, 201, created);
    }
    this.json(res, 405, status(405, 'MethodNotAllowed', 'not here'));
  }

  private json(res: ServerResponse, code: number, body: unknown): void {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }
}

function status(code: number, reason: string, message: string) {
  return { kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message };
}

const dir = mkdtempSync(join(tmpdir(), 'greenlight-kubecalls-'));
const api = new FakeApi();
let client: KubeClient;

beforeAll(async () => {
  const server = await api.listen();
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      // client-node speaks plain HTTP only with TLS verification off; this server is on loopback.
      clusters: [{ name: 'fake', cluster: { server, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'u', user: { token: 'test-token' } }],
      contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'u' } }],
      'current-context': 'fake',
    }),
  );
  client = createKubeClient({ kubeconfigPath: kubeconfig });
});
afterAll(() => {
  api.server.closeAllConnections();
  api.server.close();
  rmSync(dir, { recursive: true, force: true });
});

function createConfigMap(name: string, value: string) {
  const body: V1ConfigMap = { metadata: { name, namespace: 'ns' }, data: { value } };
  return kubeCreate(client, `create ConfigMap ${name}`, {
    create: (options) => client.core.createNamespacedConfigMap({ namespace: 'ns', body }, options),
    readBack: (options) => client.core.readNamespacedConfigMap({ name, namespace: 'ns' }, options),
    isOurs: (found) => found.data?.value === value,
  });
}

/** POSTs of ConfigMaps the server has seen so far. */
const posts = () => api.seen.filter((s) => s.method === 'POST' && s.path.endsWith('/configmaps')).length;

describe('kubeCreate', () => {
  it('reads back a create that was applied but whose answer was lost, and sends it only once', async () => {
    api.plan = ['apply-then-drop'];
    const before = posts();
    const created = await createConfigMap('a', 'mine');
    expect(created.data).toEqual({ value: 'mine' });
    expect(posts() - before).toBe(1);
    expect(api.stored.get('a')?.data).toEqual({ value: 'mine' });
  });

  it('sends the create again when the read-back shows the first one was not applied', async () => {
    api.plan = ['refuse-503'];
    const before = posts();
    const created = await createConfigMap('b', 'mine');
    expect(created.metadata?.name).toBe('b');
    expect(posts() - before).toBe(2);
  });

  it("leaves another writer's object alone: a first-attempt 409 is the caller's", async () => {
    api.stored.set('c', { metadata: { name: 'c', resourceVersion: '1' }, data: { value: 'theirs' } });
    const error = await createConfigMap('c', 'mine').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KubeError);
    expect(error).toMatchObject({ code: 409 });
    expect(api.stored.get('c')?.data).toEqual({ value: 'theirs' });
  });

  it('says so when the object read back after an ambiguous failure is not the one it sent', async () => {
    api.stored.set('d', { metadata: { name: 'd', resourceVersion: '1' }, data: { value: 'theirs' } });
    api.plan = ['refuse-503'];
    const error = await createConfigMap('d', 'mine').catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 409, message: expect.stringContaining('another writer created it') });
  });
});

describe('kubeCall', () => {
  const body = (name: string): V1ConfigMap => ({ metadata: { name, namespace: 'ns' } });

  it('cancels a request that outlives its timeout: the connection is closed, nothing can land later', async () => {
    api.plan = ['hang'];
    const from = api.seen.length;
    const error = await kubeCall(
      client,
      'create ConfigMap e',
      (options) => client.core.createNamespacedConfigMap({ namespace: 'ns', body: body('e') }, options),
      { timeoutMs: 300 },
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KubeError);
    expect(String(error)).toContain('no answer within 0.3s');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(api.seen.slice(from).map((s) => s.closedEarly)).toEqual([true]);
  });

  it('stops at once when its signal aborts: the request in flight is cancelled, no retry, the reason thrown as it is', async () => {
    api.plan = ['hang', 'hang'];
    const from = api.seen.length;
    const lost = new AbortController();
    const reason = new Error('lost the namespace lock');
    setTimeout(() => lost.abort(reason), 200);
    const error = await kubeCall(
      client,
      'create ConfigMap f',
      (options) => client.core.createNamespacedConfigMap({ namespace: 'ns', body: body('f') }, options),
      { retry: 'safe', timeoutMs: 5_000, signal: lost.signal },
    ).catch((caught: unknown) => caught);
    expect(error).toBe(reason);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(api.seen.slice(from).map((s) => s.closedEarly)).toEqual([true]);
    expect(api.stored.has('f')).toBe(false);
  });

  it('starts nothing once its signal has aborted', async () => {
    const from = api.seen.length;
    const reason = new Error('lost the namespace lock');
    const error = await kubeCall(
      client,
      'create ConfigMap g',
      (options) => client.core.createNamespacedConfigMap({ namespace: 'ns', body: body('g') }, options),
      { signal: AbortSignal.abort(reason) },
    ).catch((caught: unknown) => caught);
    expect(error).toBe(reason);
    expect(api.seen.length).toBe(from);
  });
});
