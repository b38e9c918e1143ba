/**
 * The fault harness itself (issue 16), against the real local stack: kubectl and
 * @kubernetes/client-node, as clients independent of Greenlight, go through the fault
 * proxy in front of the kube-apiserver and see each injected fault; write counting and
 * kill points agree with what the API server holds, read with kubectl directly against
 * the API server (not through the proxy); the lease blocker stops renewals.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { KubeConfig, Watch } from '@kubernetes/client-node';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { adminKubeConfig, kubectl, namespaceForTest, runCommand, waitFor } from '../stack/helpers.ts';
import { kubectlPath } from '../stack/tools.ts';
import '../stack/types.ts';
import type { Fault, FaultRule, RequestMatch } from '../support/fault-rules.ts';
import { countWrites, runKilledAfterWrite } from '../support/kill-points.ts';
import { startGroup } from '../support/process-group.ts';
import { reliabilityCase } from '../support/reliability.ts';
import { type ApiServerProxy, blockLeaseRenewals, startApiServerProxy } from '../support/stack-proxies.ts';

const stack = inject('stack');

interface Proxied {
  proxy: ApiServerProxy;
  /** the admin's kubeconfig with the server swapped for the proxy */
  kubeconfig: string;
  /** kubectl through the proxy; never throws on a non-zero exit */
  kubectl(args: string[], options?: { input?: string; timeoutMs?: number }): ReturnType<typeof runCommand>;
}

/** A proxy of its own for the running test, closed when it ends. */
async function proxyForTest(): Promise<Proxied> {
  const proxy = await startApiServerProxy(stack);
  onTestFinished(() => proxy.close());
  const kubeconfig = proxy.kubeconfigFor(stack.kubeconfig);
  return {
    proxy,
    kubeconfig,
    kubectl: (args, options = {}) =>
      runCommand(kubectlPath(), [`--kubeconfig=${kubeconfig}`, ...args], {
        allowFailure: true,
        timeoutMs: options.timeoutMs ?? 60_000,
        ...(options.input !== undefined ? { input: options.input } : {}),
      }),
  };
}

function configMapsYaml(names: readonly string[], labels: Record<string, string> = {}, data = 'v1'): string {
  return names
    .map((name) =>
      [
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata:',
        `  name: ${name}`,
        '  labels:',
        ...Object.entries({ set: 'harness', ...labels }).map(([key, value]) => `    ${key}: ${value}`),
        'data:',
        `  value: ${data}`,
      ].join('\n'),
    )
    .join('\n---\n');
}

/** Names of the ConfigMaps labelled set=harness, read directly from the API server, in name order. */
async function configMapNames(namespace: string): Promise<string[]> {
  const { stdout } = await kubectl(stack, [
    'get',
    'configmaps',
    '-n',
    namespace,
    '-l',
    'set=harness',
    '-o',
    'name',
  ]);
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => line.replace('configmap/', ''))
    .sort();
}

interface ObjectMeta {
  metadata: { name: string; uid: string; resourceVersion: string };
  data?: Record<string, string>;
  spec?: Record<string, unknown>;
}

async function readDirect(namespace: string, kind: string, name: string): Promise<ObjectMeta> {
  const { stdout } = await kubectl(stack, ['get', kind, name, '-n', namespace, '-o', 'json']);
  return JSON.parse(stdout) as ObjectMeta;
}

async function exists(namespace: string, kind: string, name: string): Promise<boolean> {
  const res = await kubectl(stack, ['get', kind, name, '-n', namespace, '-o', 'name'], {
    allowFailure: true,
  });
  return res.code === 0;
}

/** A rule that fires on the first request it matches. */
const once = (fault: Fault, match: RequestMatch): FaultRule => ({ match, on: { nth: 1 }, fault });

describe('faults seen by kubectl through the API server proxy', () => {
  reliabilityCase('harness.api.status-503', async () => {
    const { proxy, kubectl: viaProxy } = await proxyForTest();
    const namespace = await namespaceForTest(stack, 'fault-503');
    await kubectl(stack, ['create', 'configmap', 'c1', '-n', namespace]);
    const path = `/api/v1/namespaces/${namespace}/configmaps/c1`;
    const rule = proxy.addRule(once({ kind: 'status', status: 503 }, { method: 'GET', path }));
    const result = await viaProxy(['get', 'configmap', 'c1', '-n', namespace]);
    expect(result.code).toBe(1);
    expect(rule.fired()).toBe(1);
    const faulted = proxy.requests().filter((r) => r.path === path);
    expect(faulted.map((r) => [r.status, r.forwarded, r.fault])).toEqual([[503, false, rule.name]]);
    return { outcome: 'observed', output: result.stderr };
  });

  reliabilityCase('harness.api.throttle-429', async () => {
    const { proxy, kubectl: viaProxy } = await proxyForTest();
    const namespace = await namespaceForTest(stack, 'fault-429');
    await kubectl(stack, ['create', 'configmap', 'c1', '-n', namespace]);
    const path = `/api/v1/namespaces/${namespace}/configmaps/c1`;
    proxy.addRule(once({ kind: 'throttle', retryAfterSeconds: 1 }, { method: 'GET', path }));
    // -v=4 shows client-go reading the Retry-After header back before it retries
    const result = await viaProxy(['get', 'configmap', 'c1', '-n', namespace, '-o', 'name', '-v=4']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('configmap/c1\n');
    const calls = proxy.requests().filter((r) => r.path === path);
    expect(calls.map((r) => [r.status, r.forwarded])).toEqual([
      [429, false],
      [200, true],
    ]);
    return { outcome: 'recovered', output: result.stderr };
  });

  reliabilityCase('harness.api.conflict-409', async () => {
    const { proxy, kubectl: viaProxy } = await proxyForTest();
    const namespace = await namespaceForTest(stack, 'fault-409');
    await kubectl(stack, ['apply', '-n', namespace, '-f', '-'], { input: configMapsYaml(['c1']) });
    const before = await readDirect(namespace, 'configmap', 'c1');
    proxy.addRule(once({ kind: 'conflict' }, { method: 'PUT' }));
    const result = await viaProxy(['replace', '-n', namespace, '-f', '-'], {
      input: configMapsYaml(['c1'], {}, 'v2'),
    });
    expect(result.code).toBe(1);
    const after = await readDirect(namespace, 'configmap', 'c1');
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    expect(after.data).toEqual({ value: 'v1' });
    return { outcome: 'observed', output: result.stderr };
  });

  reliabilityCase('harness.api.reset-before-write', async () => {
    const { proxy, kubectl: viaProxy } = await proxyForTest();
    const namespace = await namespaceForTest(stack, 'fault-reset');
    proxy.addRule(once({ kind: 'reset', when: 'before' }, { method: 'POST' }));
    const result = await viaProxy(['create', 'configmap', 'c1', '-n', namespace]);
    expect(result.code).toBe(1);
    expect(await exists(namespace, 'configmap', 'c1')).toBe(false);
    expect(proxy.writes()).toEqual([]);
    return { outcome: 'observed', output: result.stderr };
  });

  reliabilityCase('harness.api.reset-after-write', async () => {
    const { proxy, kubectl: viaProxy } = await proxyForTest();
    const namespace = await namespaceForTest(stack, 'fault-reset-after');
    proxy.addRule(once({ kind: 'reset', when: 'after' }, { method: 'POST' }));
    const result = await viaProxy(['create', 'configmap', 'c1', '-n', namespace]);
    expect(result.code).toBe(1);
    // the server applied the write the client never heard back about
    const created = await readDirect(namespace, 'configmap', 'c1');
    const [write] = proxy.writes();
    expect(write).toMatchObject({ upstreamStatus: 201, status: null, outcome: 'reset' });
    expect(write?.responseObject?.uid).toBe(created.metadata.uid);
    return { outcome: 'observed', output: result.stderr };
  });

  reliabilityCase('harness.api.reset-read', async () => {
    const { proxy, kubectl: viaProxy } = await proxyForTest();
    const namespace = await namespaceForTest(stack, 'fault-reset-read');
    await kubectl(stack, ['create', 'configmap', 'c1', '-n', namespace]);
    const path = `/api/v1/namespaces/${namespace}/configmaps/c1`;
    proxy.addRule(once({ kind: 'reset', when: 'before' }, { method: 'GET', path }));
    // Go's transport or client-go retries it (which one depends on whether the connection was reused)
    const result = await viaProxy(['get', 'configmap', 'c1', '-n', namespace, '-o', 'name']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('configmap/c1\n');
    expect(
      proxy
        .requests()
        .filter((r) => r.path === path)
        .map((r) => r.outcome),
    ).toEqual(['reset', 'answered']);
    return { outcome: 'recovered', output: result.stderr };
  });

  reliabilityCase('harness.api.delay', async () => {
    const { proxy, kubectl: viaProxy } = await proxyForTest();
    const namespace = await namespaceForTest(stack, 'fault-delay');
    await kubectl(stack, ['create', 'configmap', 'c1', '-n', namespace]);
    const path = `/api/v1/namespaces/${namespace}/configmaps/c1`;
    proxy.addRule({ match: { method: 'GET', path }, fault: { kind: 'delay', ms: 3000 } });
    // the client gives up before the delay is over; without a deadline the same read succeeds
    const impatient = await viaProxy(['get', 'configmap', 'c1', '-n', namespace, '--request-timeout=1s']);
    expect(impatient.code).toBe(1);
    const patient = await viaProxy(['get', 'configmap', 'c1', '-n', namespace, '-o', 'name']);
    expect(patient.stdout).toBe('configmap/c1\n');
    const calls = proxy.requests().filter((r) => r.path === path);
    expect(calls.map((r) => [r.faultKind, r.outcome])).toEqual([
      ['delay', 'client-closed'],
      ['delay', 'answered'],
    ]);
    return { outcome: 'observed', output: impatient.stderr };
  });

  reliabilityCase('harness.api.hang', async () => {
    const { proxy, kubectl: viaProxy } = await proxyForTest();
    const namespace = await namespaceForTest(stack, 'fault-hang');
    await kubectl(stack, ['create', 'configmap', 'c1', '-n', namespace]);
    const path = `/api/v1/namespaces/${namespace}/configmaps/c1`;
    proxy.addRule({ match: { method: 'GET', path }, fault: { kind: 'hang' } });
    const result = await viaProxy(['get', 'configmap', 'c1', '-n', namespace, '--request-timeout=1s']);
    expect(result.code).toBe(1);
    expect(
      proxy
        .requests()
        .filter((r) => r.path === path)
        .map((r) => [r.outcome, r.forwarded]),
    ).toEqual([['held', false]]);
    return { outcome: 'observed', output: result.stderr };
  });
});

describe('identities through the proxy', () => {
  it('forwards a bearer token as it is, and refuses a client certificate it was not given', async () => {
    const { proxy } = await proxyForTest();
    const namespace = await namespaceForTest(stack, 'fault-identity');
    await kubectl(stack, ['create', 'serviceaccount', 'deployer', '-n', namespace]);
    const token = (await kubectl(stack, ['create', 'token', 'deployer', '-n', namespace])).stdout.trim();
    const dir = mkdtempSync(join(tmpdir(), 'greenlight-identity-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const tokenConfig = join(dir, 'token.kubeconfig');
    writeFileSync(tokenConfig, tokenKubeconfig(token));
    const viaProxy = proxy.kubeconfigFor(tokenConfig);
    const whoami = await runCommand(kubectlPath(), [
      `--kubeconfig=${viaProxy}`,
      'auth',
      'whoami',
      '-o',
      'jsonpath={.status.userInfo.username}',
    ]);
    expect(whoami.stdout).toBe(`system:serviceaccount:${namespace}:deployer`);
    expect(proxy.requests().every((r) => r.identity === null)).toBe(true);

    // a certificate signed by the stack's CA, but not registered with the proxy
    const pki = dirname(stack.caFile);
    const stranger = join(dir, 'stranger.kubeconfig');
    writeFileSync(
      stranger,
      certKubeconfig(proxy.url, join(pki, 'kube-scheduler.crt'), join(pki, 'kube-scheduler.key')),
    );
    const refused = await runCommand(kubectlPath(), [`--kubeconfig=${stranger}`, 'get', 'namespaces'], {
      allowFailure: true,
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('the server has asked for the client to provide credentials'); // a 401
    expect(
      proxy
        .requests()
        .filter((r) => r.status === 401)
        .every((r) => !r.forwarded),
    ).toBe(true);
  });
});

function tokenKubeconfig(token: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    `clusters: [{name: local, cluster: {server: "${stack.apiServerUrl}", certificate-authority: "${stack.caFile}"}}]`,
    `users: [{name: deployer, user: {token: "${token}"}}]`,
    'contexts: [{name: local, context: {cluster: local, user: deployer}}]',
    'current-context: local',
    '',
  ].join('\n');
}

function certKubeconfig(server: string, cert: string, key: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    `clusters: [{name: local, cluster: {server: "${server}", certificate-authority: "${stack.caFile}"}}]`,
    `users: [{name: stranger, user: {client-certificate: "${cert}", client-key: "${key}"}}]`,
    'contexts: [{name: local, context: {cluster: local, user: stranger}}]',
    'current-context: local',
    '',
  ].join('\n');
}

describe('watch streams through the proxy', () => {
  reliabilityCase('harness.api.watch-abort', async () => {
    const { proxy, kubeconfig } = await proxyForTest();
    const namespace = await namespaceForTest(stack, 'fault-watch');
    const label = `watch-${randomBytes(3).toString('hex')}`;
    proxy.addRule({ match: { watch: true }, fault: { kind: 'cut-watch', afterEvents: 3 } });
    // -v=1 makes kubectl say why its watch ended
    const group = startGroup({
      command: kubectlPath(),
      args: [
        `--kubeconfig=${kubeconfig}`,
        'get',
        'configmaps',
        '-n',
        namespace,
        '-l',
        `w=${label}`,
        '--watch',
        '-o',
        'name',
        '-v=1',
      ],
      timeoutMs: 60_000,
    });
    onTestFinished(() => group.kill());
    await proxy.waitForRequest((r) => r.watch && r.status === 200, { what: 'the watch to start' });
    const names = ['w1', 'w2', 'w3', 'w4', 'w5'];
    for (const name of names) {
      await kubectl(stack, ['apply', '-n', namespace, '-f', '-'], {
        input: configMapsYaml([name], { w: label }),
      });
    }
    const run = await group.done; // ends by itself: the cut ended its watch
    expect(run.timedOut).toBe(false);
    expect(run.stdout.split('\n').filter(Boolean)).toEqual(['configmap/w1', 'configmap/w2', 'configmap/w3']);
    expect(await configMapNames(namespace)).toEqual(names); // all five exist: kubectl missed two because of the cut
    const [watch] = proxy.requests().filter((r) => r.watch);
    expect(watch).toMatchObject({ outcome: 'cut', events: 3 });
    return { outcome: 'observed', output: run.stderr };
  });

  reliabilityCase('harness.api.watch-end', async () => {
    const { proxy, kubeconfig } = await proxyForTest();
    const namespace = await namespaceForTest(stack, 'fault-watch-end');
    await kubectl(stack, ['apply', '-n', namespace, '-f', '-'], {
      input: configMapsYaml(['e1', 'e2', 'e3', 'e4']),
    });
    proxy.addRule({ match: { watch: true }, fault: { kind: 'cut-watch', afterEvents: 2, mode: 'end' } });
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfig);
    const seen: string[] = [];
    // a watch without a resourceVersion starts with an ADDED event per existing object
    const ended = await new Promise<unknown>((resolve) => {
      new Watch(kc)
        .watch(
          `/api/v1/namespaces/${namespace}/configmaps`,
          { labelSelector: 'set=harness' },
          (type, object: { metadata: { name: string } }) => seen.push(`${type} ${object.metadata.name}`),
          resolve,
        )
        .catch(resolve);
    });
    expect(seen).toEqual(['ADDED e1', 'ADDED e2']);
    expect(proxy.requests().find((r) => r.watch)).toMatchObject({ outcome: 'cut', events: 2 });
    // a clean end: the watch finished without an error, as when the server ends a watch
    expect(ended ?? null).toBeNull();
    return { outcome: 'observed', output: '' };
  });

  it('forwards upgrades: a websocket watch through the proxy gets the API server events', async () => {
    const { proxy } = await proxyForTest();
    const namespace = await namespaceForTest(stack, 'fault-ws');
    const user = adminKubeConfig(stack).getCurrentUser();
    const pem = (data: string | undefined) => Buffer.from(data ?? '', 'base64').toString('utf8');
    const url = new URL(proxy.url);
    const frames: string[] = [];
    const upgraded = await new Promise<{ status: number | undefined; socket: Socket }>((resolve, reject) => {
      const req = httpsRequest({
        host: url.hostname,
        port: url.port,
        path: `/api/v1/namespaces/${namespace}/configmaps?watch=true&labelSelector=set%3Dharness`,
        ca: readCa(),
        cert: pem(user?.certData),
        key: pem(user?.keyData),
        headers: {
          Connection: 'Upgrade',
          Upgrade: 'websocket',
          'Sec-WebSocket-Version': '13',
          'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
          Origin: proxy.url, // the API server's websocket handler refuses requests without one
        },
      });
      req.on('upgrade', (res, socket, head) => {
        readFrames(socket, head, (text) => frames.push(text));
        resolve({ status: res.statusCode, socket });
      });
      req.on('response', (res) => reject(new Error(`no upgrade: HTTP ${res.statusCode}`)));
      req.on('error', reject);
      req.end();
    });
    onTestFinished(() => {
      upgraded.socket.destroy();
    });
    expect(upgraded.status).toBe(101);
    await kubectl(stack, ['apply', '-n', namespace, '-f', '-'], { input: configMapsYaml(['ws1']) });
    const frame = await waitFor('a websocket frame', async () => frames[0], { timeoutMs: 20_000 });
    expect(JSON.parse(frame)).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'ws1' } } });
    expect(proxy.requests().find((r) => r.upgrade)).toMatchObject({ status: 101, identity: user?.name });
  });
});

function readCa(): string {
  return Buffer.from(adminKubeConfig(stack).getCurrentCluster()?.caData ?? '', 'base64').toString('utf8');
}

/** Unmasked frames from a server (RFC 6455 section 5.2): text payloads, in order. */
function readFrames(socket: Socket, head: Buffer, onText: (text: string) => void): void {
  let buffer = head;
  const drain = () => {
    for (;;) {
      if (buffer.length < 2) return;
      let length = (buffer[1] ?? 0) & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (buffer.length < 4) return;
        length = buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (buffer.length < 10) return;
        length = Number(buffer.readBigUInt64BE(2));
        offset = 10;
      }
      if (buffer.length < offset + length) return;
      if (((buffer[0] ?? 0) & 0x0f) === 1) onText(buffer.subarray(offset, offset + length).toString('utf8'));
      buffer = buffer.subarray(offset + length);
    }
  };
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    drain();
  });
  drain();
}

describe('write counting and kill points', () => {
  it('counts the writes of kubectl apply: one per object, with the uid and resourceVersion the server holds', async () => {
    const { proxy, kubeconfig } = await proxyForTest();
    const namespace = await namespaceForTest(stack, 'fault-count');
    const apply = (yaml: string) =>
      countWrites(proxy, {
        command: kubectlPath(),
        args: [`--kubeconfig=${kubeconfig}`, 'apply', '-n', namespace, '-f', '-'],
        input: yaml,
        timeoutMs: 60_000,
      });
    const names = ['a', 'b', 'c'];
    const first = await apply(configMapsYaml(names));
    expect(first.code, first.stderr).toBe(0);
    expect(first.writes.map((w) => `${w.method} ${w.path} ${w.requestObject?.name}`)).toEqual(
      names.map((name) => `POST /api/v1/namespaces/${namespace}/configmaps ${name}`),
    );
    const held = await Promise.all(names.map((name) => readDirect(namespace, 'configmap', name)));
    expect(first.writes.map((w) => [w.responseObject?.uid, w.responseObject?.resourceVersion])).toEqual(
      held.map((object) => [object.metadata.uid, object.metadata.resourceVersion]),
    );

    // change one object: one write, to it alone; the others keep their resourceVersions
    const second = await apply([configMapsYaml(['a', 'c']), configMapsYaml(['b'], {}, 'v2')].join('\n---\n'));
    expect(second.writes.map((w) => `${w.method} ${w.path}`)).toEqual([
      `PATCH /api/v1/namespaces/${namespace}/configmaps/b`,
    ]);
    const after = await Promise.all(names.map((name) => readDirect(namespace, 'configmap', name)));
    expect(after.map((o) => o.metadata.resourceVersion)).toEqual([
      held[0]?.metadata.resourceVersion,
      second.writes[0]?.responseObject?.resourceVersion,
      held[2]?.metadata.resourceVersion,
    ]);
    expect(after[1]?.data).toEqual({ value: 'v2' });
  });

  const KILL_NAMES = ['k1', 'k2', 'k3', 'k4', 'k5'];

  reliabilityCase(
    'harness.kill.kubectl-apply',
    async (index) => {
      const n = index + 1;
      const { proxy, kubeconfig } = await proxyForTest();
      const namespace = await namespaceForTest(stack, `fault-kill-${n}`);
      // kubectl applies the objects one by one, in the manifest's order
      const apply = {
        command: kubectlPath(),
        args: [`--kubeconfig=${kubeconfig}`, 'apply', '-n', namespace, '-f', '-'],
        input: configMapsYaml(KILL_NAMES),
        timeoutMs: 60_000,
      };
      const killed = await runKilledAfterWrite(proxy, apply, n);
      expect(killed.killed).toBe(true);
      expect(killed.signal).toBe('SIGKILL');
      expect(killed.writes.map((w) => w.requestObject?.name)).toEqual(KILL_NAMES.slice(0, n));
      // exactly the first n objects exist, read from the API server itself
      expect(await configMapNames(namespace)).toEqual(KILL_NAMES.slice(0, n));

      const again = await countWrites(proxy, apply);
      expect(again.code, again.stderr).toBe(0);
      expect(again.writes.map((w) => w.requestObject?.name)).toEqual(KILL_NAMES.slice(n));
      expect(await configMapNames(namespace)).toEqual(KILL_NAMES);
      return { outcome: 'recovered', output: again.stdout };
    },
    { timeoutMs: 300_000 },
  );
});

describe('the lease blocker', () => {
  const lease = (name: string, renewTime: string) =>
    [
      'apiVersion: coordination.k8s.io/v1',
      'kind: Lease',
      'metadata:',
      `  name: ${name}`,
      'spec:',
      '  holderIdentity: holder-a',
      '  leaseDurationSeconds: 15',
      '  acquireTime: "2026-01-01T00:00:00.000000Z"',
      `  renewTime: "${renewTime}"`,
    ].join('\n');
  const FIRST = '2026-01-01T00:00:00.000000Z';
  const RENEWED = '2026-01-01T00:00:10.000000Z';

  reliabilityCase('harness.lease.fail', async () => {
    const { proxy, kubectl: viaProxy } = await proxyForTest();
    const namespace = await namespaceForTest(stack, 'fault-lease');
    await kubectl(stack, ['apply', '-n', namespace, '-f', '-'], { input: lease('lock', FIRST) });
    const blocker = blockLeaseRenewals(proxy, { namespace, name: 'lock' }, 'fail');
    const replaced = await viaProxy(['replace', '-n', namespace, '-f', '-'], {
      input: lease('lock', RENEWED),
    });
    const patched = await viaProxy([
      'patch',
      'lease',
      'lock',
      '-n',
      namespace,
      '--type=merge',
      '-p',
      `{"spec":{"renewTime":"${RENEWED}"}}`,
    ]);
    expect([replaced.code, patched.code]).toEqual([1, 1]);
    expect(patched.stderr).toContain('renewals of Lease lock are blocked');
    // reads still pass, and the holder's Lease keeps its old renewTime on the server
    expect((await viaProxy(['get', 'lease', 'lock', '-n', namespace, '-o', 'name'])).stdout).toBe(
      'lease.coordination.k8s.io/lock\n',
    );
    expect((await readDirect(namespace, 'lease', 'lock')).spec?.renewTime).toBe(FIRST);
    expect(blocker.fired()).toBe(2);
    // unblocked, the same renewal goes through
    blocker.remove();
    const renewed = await viaProxy(['replace', '-n', namespace, '-f', '-'], {
      input: lease('lock', RENEWED),
    });
    expect(renewed.code, renewed.stderr).toBe(0);
    expect((await readDirect(namespace, 'lease', 'lock')).spec?.renewTime).toBe(RENEWED);
    return { outcome: 'observed', output: replaced.stderr };
  });

  reliabilityCase('harness.lease.hang', async () => {
    const { proxy, kubectl: viaProxy } = await proxyForTest();
    const namespace = await namespaceForTest(stack, 'fault-lease-hang');
    await kubectl(stack, ['apply', '-n', namespace, '-f', '-'], { input: lease('lock', FIRST) });
    blockLeaseRenewals(proxy, { namespace, name: 'lock' }, 'hang');
    const result = await viaProxy(['replace', '-n', namespace, '-f', '-', '--request-timeout=2s'], {
      input: lease('lock', RENEWED),
    });
    expect(result.code).toBe(1);
    expect((await readDirect(namespace, 'lease', 'lock')).spec?.renewTime).toBe(FIRST);
    return { outcome: 'observed', output: result.stderr };
  });
});
