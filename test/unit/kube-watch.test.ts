/**
 * Resuming a watch (src/kube/watch.ts) the way the reliability tests found it must
 * (issue 16): a stream cut by an error resumes after the last event it delivered, not
 * from where it started; a watch answered HTTP 410 Gone lists again instead of retrying
 * the same version. Against a small HTTP server on 127.0.0.1 that answers list and watch
 * requests for pods as the API server does.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createKubeClient, type KubeClient, kubeCall } from '../../src/kube/client.ts';
import { keepWatching } from '../../src/kube/watch.ts';

/** Each request as `list` or `watch@<resourceVersion>`, in order. */
const seen: string[] = [];
let watches = 0;

const pod = (name: string, version: string) => ({ metadata: { name, resourceVersion: version } });

function answer(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.searchParams.get('watch') !== 'true') {
    seen.push('list');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ metadata: { resourceVersion: seen.length > 1 ? '20' : '10' }, items: [] }));
    return;
  }
  seen.push(`watch@${url.searchParams.get('resourceVersion')}`);
  watches++;
  if (watches === 1) {
    // one event, then the connection breaks in the middle of the stream
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.write(`${JSON.stringify({ type: 'ADDED', object: pod('a', '11') })}\n`, () => {
      setTimeout(() => res.socket?.destroy(), 50);
    });
    return;
  }
  if (watches === 2) {
    res.writeHead(410, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({ kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' }),
    );
    return;
  }
  // from then on: a quiet watch that stays open
  res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
  res.flushHeaders();
}

const server = createServer(answer);
const dir = mkdtempSync(join(tmpdir(), 'greenlight-watch-'));
let client: KubeClient;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      // client-node speaks plain HTTP only with TLS verification off; this server is on loopback.
      clusters: [
        {
          name: 'fake',
          cluster: {
            server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
            'insecure-skip-tls-verify': true,
          },
        },
      ],
      users: [{ name: 'u', user: { token: 'test-token' } }],
      contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'u' } }],
      'current-context': 'fake',
    }),
  );
  client = createKubeClient({ kubeconfigPath: kubeconfig });
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

it('resumes a cut watch after its last event, and lists again after a 410 instead of retrying the version', async () => {
  const stop = new AbortController();
  const cache = new Map<string, V1Pod>();
  const errors: unknown[] = [];
  await keepWatching(
    client,
    {
      what: 'pods',
      path: '/api/v1/namespaces/ns/pods',
      labelSelector: 'x=y',
      list: () =>
        kubeCall(client, 'list pods', (options) =>
          client.core.listNamespacedPod({ namespace: 'ns' }, options),
        ),
    },
    cache,
    () => {},
    stop.signal,
    (error) => errors.push(error),
  );
  const deadline = Date.now() + 10_000;
  while (seen.length < 5 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  stop.abort();
  expect(seen.slice(0, 5)).toEqual(['list', 'watch@10', 'watch@11', 'list', 'watch@20']);
  expect(errors).toEqual([]);
});
