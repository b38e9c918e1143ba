/**
 * The real-node tier, proven with plain Kubernetes objects: the sample apps
 * built with buildah, pushed to the stack's registry, run as Deployments on the
 * real node, reached through their Services (kube-proxy, CoreDNS) from inside
 * the node's network namespace and through a loopback relay; then a selector
 * switch between two Deployments under a steady load, done carefully (0
 * failed requests) and naively (failures: the measurement can fail).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createNamespace, kubectl, type TestNamespace, uniqueName, waitFor } from '../stack/helpers.ts';
import { run } from '../stack/real-nodes/host.ts';
import { describeLoad, type LoadReport, startLoad } from '../stack/real-nodes/load.ts';
import {
  fetchInNamespace,
  relayToService,
  requestInNode,
  serviceAddress,
  untilAnswering,
} from '../stack/real-nodes/traffic.ts';
import type { StackInfo } from '../stack/types.ts';
import { buildAndPushSampleApp, buildBaseImage } from '../support/sample-images.ts';
import './types.ts';

const context = inject('e2e');
const skipped = 'skipped' in context ? context.skipped : null;
const stack = 'stack' in context ? context.stack : (null as unknown as StackInfo);
const log = (line: string) => console.log(`[e2e real-nodes] ${line}`);
const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)}s`;

const COMMIT = '0123456789abcdef0123456789abcdef01234567';
/** Load for the switch tests: 400 requests a second for 15 s (6000 requests). */
const LOAD = { rate: 400, durationMs: 15_000, timeoutMs: 2000 };

// without root or the real-node tools, global-setup.ts has said why in one line (and failed under CI)
describe.skipIf(skipped !== null)('the real-node tier', () => {
  let ns: TestNamespace;
  let images: { helloA: string; helloB: string };
  let workDir: string;

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'greenlight-e2e-'));
    let since = Date.now();
    const baseImage = await buildBaseImage();
    log(`base image ${baseImage} in ${seconds(since)}`);
    since = Date.now();
    const tag = uniqueName('e2e');
    const [helloA, helloB] = await Promise.all(
      (['hello-a', 'hello-b'] as const).map((app) =>
        buildAndPushSampleApp({
          app,
          baseImage,
          registry: stack.registry,
          repository: `greenlight-e2e/${app}`,
          tag,
          revision: COMMIT,
        }),
      ),
    );
    images = { helloA: helloA as string, helloB: helloB as string };
    log(`hello-a and hello-b built and pushed in ${seconds(since)}`);

    since = Date.now();
    ns = await createNamespace(stack, 'real-nodes');
    await kubectl(stack, ['apply', '-n', ns.name, '-f', '-'], {
      input: manifests(ns.name, images),
    });
    for (const deployment of ['hello-a-blue', 'hello-a-green', 'hello-b']) {
      await kubectl(
        stack,
        ['rollout', 'status', `deployment/${deployment}`, '-n', ns.name, '--timeout=240s'],
        {
          timeoutMs: 250_000,
        },
      );
    }
    log(`Deployments rolled out in ${seconds(since)}`);
    // kube-proxy follows the new Services a little after the API: start once they answer
    for (const service of ['hello-a', 'hello-b']) {
      const { ip, port } = await serviceAddress(stack, ns.name, service);
      await untilAnswering(stack, `http://${ip}:${port}/healthz`);
    }
  });

  afterAll(async () => {
    await ns?.delete();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('runs the pods on the real node: Running and Ready, started by containerd, with addresses from the node', async () => {
    const pods = await podsOf(stack, ns.name, 'app in (hello-a, hello-b)');
    expect(pods).toHaveLength(5);
    for (const pod of pods) {
      expect(pod.spec.nodeName).toBe(stack.realNode?.nodeName);
      expect(pod.status.phase).toBe('Running');
      expect(pod.status.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
      expect(pod.status.podIP).toMatch(/^10\.88\.0\.\d+$/);
      expect(pod.status.containerStatuses?.[0]?.containerID).toMatch(/^containerd:\/\/[0-9a-f]{64}$/);
      expect(pod.status.containerStatuses?.[0]?.imageID).toContain(stack.registry);
    }
    // the container's own stdout, read through the API server, its egress relay and the kubelet
    const logs = await kubectl(stack, ['logs', '-n', ns.name, 'deployment/hello-a-blue']);
    expect(logs.stdout).toMatch(/"msg":"listening".*"color":"blue"/);
  });

  it("answers /version on the Service's ClusterIP from inside the node's namespace (kube-proxy)", async () => {
    const { ip, port } = await serviceAddress(stack, ns.name, 'hello-a');
    expect(ip).toMatch(/^10\.0\.\d+\.\d+$/); // the stack's Service range, 10.0.0.0/16
    const response = await requestInNode(stack, `http://${ip}:${port}/version`);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ service: 'hello-a', color: 'blue', commit: COMMIT });
  });

  it('hello-b reaches hello-a through the Service DNS name (CoreDNS, then kube-proxy from a pod)', async () => {
    const { ip, port } = await serviceAddress(stack, ns.name, 'hello-b');
    const response = await requestInNode(stack, `http://${ip}:${port}/`);
    expect(response.status, response.body).toBe(200);
    const body = JSON.parse(response.body) as { service: string; helloA: { service: string; color: string } };
    expect(body.service).toBe('hello-b');
    expect(body.helloA).toMatchObject({ service: 'hello-a', message: 'hello from a', color: 'blue' });
    // and hello-a's own log shows the request, with the id hello-b passed on
    const requestId = response.headers['x-request-id'];
    expect(requestId).toBeTruthy();
    await waitFor('hello-a to log the request from hello-b', async () => {
      const logs = await kubectl(stack, ['logs', '-n', ns.name, '-l', 'app=hello-a,color=blue', '--tail=-1']);
      return logs.stdout.includes(`"requestId":"${requestId}"`) ? true : undefined;
    });
  });

  it("relays a loopback port on the host into the Service, and the host has no other way into the node's networks", async () => {
    const relay = await relayToService(stack, { namespace: ns.name, service: 'hello-a' });
    try {
      expect(relay.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const response = await fetch(`${relay.url}/version`, { signal: AbortSignal.timeout(5000) });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ service: 'hello-a', color: 'blue' });
    } finally {
      await relay.stop();
    }
    // no address, route or interface of the node's networks on the host
    const hostRoutes = await run('ip', ['-4', 'route', 'show', 'table', 'all']);
    expect(hostRoutes.stdout).not.toMatch(/10\.88\.0\.|10\.0\.0\.0\/16/);
    const hostAddresses = await run('ip', ['-4', '-o', 'addr', 'show']);
    expect(hostAddresses.stdout).not.toContain('10.88.0.1');
  });

  it("keeps the node's traffic in its namespace: only loopback, the bridge and the pods' veths; no default route; a guard that drops the rest", async () => {
    const netns = stack.realNode?.netns ?? '';
    const links = (await run('ip', ['-n', netns, '-o', 'link', 'show'])).stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split(': ')[1]?.split('@')[0]);
    expect(links).toContain('cni0');
    for (const link of links) expect(link).toMatch(/^(lo|cni0|veth[0-9a-f]+)$/);
    const routes = (await run('ip', ['-n', netns, '-4', 'route', 'show'])).stdout;
    expect(routes).not.toMatch(/^default/m);
    const guard = (await run('nsenter', [`--net=/run/netns/${netns}`, 'iptables', '-t', 'mangle', '-S']))
      .stdout;
    expect(guard).toContain('-A POSTROUTING -m comment --comment');
    expect(guard).toContain('-A GREENLIGHT-GUARD -d 10.88.0.0/24 -o cni0 -j RETURN');
    expect(guard).toMatch(/-A GREENLIGHT-GUARD -j DROP$/m);
  });

  it('drops whatever would leave towards anything but the pods, should a way out appear (a veth to a namespace of this test)', async () => {
    const netns = stack.realNode?.netns ?? '';
    const probe = `glprobe-${randomBytes(4).toString('hex')}`;
    await run('ip', ['netns', 'add', probe]);
    let listener: ChildProcess | undefined;
    try {
      await run('ip', ['-n', probe, 'link', 'set', 'lo', 'up']);
      await run('ip', [
        'link',
        'add',
        'glguard0',
        'netns',
        netns,
        'type',
        'veth',
        'peer',
        'name',
        'glguard1',
        'netns',
        probe,
      ]);
      for (const [where, link, address] of [
        [netns, 'glguard0', '10.99.0.1/30'],
        [probe, 'glguard1', '10.99.0.2/30'],
      ] as const) {
        await run('ip', ['-n', where, 'addr', 'add', address, 'dev', link]);
        await run('ip', ['-n', where, 'link', 'set', link, 'up']);
      }
      listener = spawn('nsenter', [
        `--net=/run/netns/${probe}`,
        process.execPath,
        '-e',
        'require("node:http").createServer((q, s) => s.end("reached")).listen(8080, "10.99.0.2")',
      ]);
      await waitFor('the listener in the probe namespace', () =>
        fetchInNamespace(probe, 'http://10.99.0.2:8080/').then(
          (r) => (r.body === 'reached' ? true : undefined),
          () => undefined,
        ),
      );
      const dropsBefore = await guardDrops(netns);
      // from the node's namespace and from a pod: nothing gets through
      await expect(fetchInNamespace(netns, 'http://10.99.0.2:8080/', { timeoutMs: 1500 })).rejects.toThrow();
      const fromPod = await kubectl(stack, [
        'exec',
        '-n',
        ns.name,
        'deployment/hello-b',
        '--',
        'node',
        '-e',
        "fetch('http://10.99.0.2:8080/', { signal: AbortSignal.timeout(1500) }).then((r) => r.text()).then((t) => console.log('reached ' + t), (e) => console.log('blocked ' + (e.cause?.code ?? e.name)))",
      ]);
      expect(fromPod.stdout.trim()).toMatch(/^blocked /);
      expect(await guardDrops(netns)).toBeGreaterThan(dropsBefore);
      // the control: without the guard the same request arrives, so the drop was the guard's
      const jump = [
        '-t',
        'mangle',
        'POSTROUTING',
        '-m',
        'comment',
        '--comment',
        GUARD_COMMENT,
        '-j',
        'GREENLIGHT-GUARD',
      ];
      const iptables = (action: string) =>
        run('nsenter', [
          `--net=/run/netns/${netns}`,
          'iptables',
          jump[0] as string,
          jump[1] as string,
          action,
          ...jump.slice(2),
        ]);
      await iptables('-D');
      try {
        expect((await fetchInNamespace(netns, 'http://10.99.0.2:8080/', { timeoutMs: 3000 })).body).toBe(
          'reached',
        );
      } finally {
        await iptables('-I');
      }
    } finally {
      listener?.kill('SIGKILL');
      await run('ip', ['netns', 'delete', probe]);
    }
  });

  it('switches a Service between two Deployments under a steady load without a failed request, when the old pods stay for a delay', async () => {
    const { ip, port } = await serviceAddress(stack, ns.name, 'hello-a');
    const load = startLoad({
      ...LOAD,
      url: `http://${ip}:${port}/`,
      netns: stack.realNode?.netns ?? '',
      workDir,
      classify: colorOf,
    });
    await sleep(3000);
    await selectColor(stack, ns.name, 'green');
    // the scale-down delay: the old pods keep serving until every kube-proxy rule has moved
    await sleep(5000);
    await kubectl(stack, ['scale', 'deployment/hello-a-blue', '-n', ns.name, '--replicas=0']);
    const report = await load.done;
    log(`careful switch: ${describeLoad(report)}`);
    expect(report.sent).toBe((LOAD.rate * LOAD.durationMs) / 1000);
    expect(report.failures).toEqual({});
    expect(report.failed).toBe(0);
    // the switch happened while the load ran: both colors answered it
    expect(report.answers.blue ?? 0).toBeGreaterThan(0);
    expect(report.answers.green ?? 0).toBeGreaterThan(0);
    await expectOnlyColor(stack, ns.name, 'green');
  });

  it('the naive way (the old pods stop at once, then the selector moves) fails requests: the measurement can fail', async () => {
    await kubectl(stack, ['scale', 'deployment/hello-a-blue', '-n', ns.name, '--replicas=2']);
    await kubectl(stack, ['rollout', 'status', 'deployment/hello-a-blue', '-n', ns.name, '--timeout=120s'], {
      timeoutMs: 130_000,
    });
    await selectColor(stack, ns.name, 'blue');
    await expectOnlyColor(stack, ns.name, 'blue');
    const { ip, port } = await serviceAddress(stack, ns.name, 'hello-a');
    // kube-proxy lags the EndpointSlice: start once the ClusterIP answers from blue
    await waitFor('kube-proxy to send hello-a traffic to blue', async () => {
      const answers = await Promise.all(
        [1, 2, 3].map(() => requestInNode(stack, `http://${ip}:${port}/`).catch(() => null)),
      );
      return answers.every((a) => a?.status === 200 && colorOf(a.body) === 'blue') ? true : undefined;
    });
    const load = startLoad({
      ...LOAD,
      url: `http://${ip}:${port}/`,
      netns: stack.realNode?.netns ?? '',
      workDir,
      classify: colorOf,
    });
    await sleep(3000);
    // what a crash, an OOM kill or `kill -9` does: the processes are gone, no drain
    const killedAt = Date.now();
    await killContainers(stack, ns.name, 'app=hello-a,color=blue');
    await selectColor(stack, ns.name, 'green');
    const report: LoadReport = await load.done;
    log(`naive switch: ${describeLoad(report)}`);
    expect(report.sent).toBe((LOAD.rate * LOAD.durationMs) / 1000);
    expect(report.ok + report.failed).toBe(report.sent);
    expect(report.failed).toBeGreaterThan(0);
    // and the failures are the switch's: none before the kill
    expect(report.failureTimes[0]).toBeGreaterThanOrEqual(killedAt - LOAD.timeoutMs);
  });
});

function colorOf(body: string): string {
  try {
    return (JSON.parse(body) as { color?: string }).color ?? 'no color';
  } catch {
    return 'not JSON';
  }
}

/** SIGKILL to the app container of every matching pod, through containerd (as the kernel's OOM killer would). */
async function killContainers(stack: StackInfo, namespace: string, selector: string): Promise<void> {
  const socket = `${stack.realNode?.dir}/containerd/containerd.sock`;
  const pods = await podsOf(stack, namespace, selector);
  expect(pods.length).toBeGreaterThan(0);
  await Promise.all(
    pods.map((pod) => {
      const id = pod.status.containerStatuses?.[0]?.containerID?.replace('containerd://', '') ?? '';
      return run('ctr', [
        `--address=${socket}`,
        '--namespace=k8s.io',
        'tasks',
        'kill',
        '--signal=SIGKILL',
        id,
      ]);
    }),
  );
}

const GUARD_COMMENT = "greenlight: nothing leaves the node's namespace";

/** Packets the guard's last rule (DROP) has dropped so far. */
async function guardDrops(netns: string): Promise<number> {
  const listing = await run('nsenter', [
    `--net=/run/netns/${netns}`,
    'iptables',
    '-t',
    'mangle',
    '-L',
    'GREENLIGHT-GUARD',
    '-v',
    '-x',
    '-n',
  ]);
  const drop = listing.stdout.split('\n').find((line) => /\sDROP\s/.test(line));
  return Number(drop?.trim().split(/\s+/)[0] ?? Number.NaN);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function selectColor(stack: StackInfo, namespace: string, color: 'blue' | 'green'): Promise<void> {
  await kubectl(stack, [
    'patch',
    'service',
    'hello-a',
    '-n',
    namespace,
    '--type=merge',
    '-p',
    JSON.stringify({ spec: { selector: { app: 'hello-a', color } } }),
  ]);
}

/** The Service's EndpointSlices hold only pods of `color` (read back with kubectl). */
async function expectOnlyColor(stack: StackInfo, namespace: string, color: 'blue' | 'green'): Promise<void> {
  const pods = await podsOf(stack, namespace, `app=hello-a,color=${color}`);
  const podIps = new Set(pods.map((pod) => pod.status.podIP));
  await waitFor(`the hello-a EndpointSlice to hold only the ${color} pods`, async () => {
    const res = await kubectl(stack, [
      'get',
      'endpointslices',
      '-n',
      namespace,
      '-l',
      'kubernetes.io/service-name=hello-a',
      '-o',
      'json',
    ]);
    const slices = JSON.parse(res.stdout) as {
      items: { endpoints?: { addresses: string[]; conditions?: { ready?: boolean } }[] }[];
    };
    const ready = slices.items
      .flatMap((slice) => slice.endpoints ?? [])
      .filter((endpoint) => endpoint.conditions?.ready)
      .flatMap((endpoint) => endpoint.addresses);
    return ready.length === podIps.size && ready.every((address) => podIps.has(address)) ? true : undefined;
  });
}

interface Pod {
  metadata: { name: string };
  spec: { nodeName?: string };
  status: {
    phase: string;
    podIP?: string;
    conditions: { type: string; status: string }[];
    containerStatuses?: { containerID?: string; imageID?: string }[];
  };
}

async function podsOf(stack: StackInfo, namespace: string, selector: string): Promise<Pod[]> {
  const res = await kubectl(stack, ['get', 'pods', '-n', namespace, '-l', selector, '-o', 'json']);
  return (JSON.parse(res.stdout) as { items: Pod[] }).items;
}

/** Plain manifests: hello-a on two colors behind one Service, hello-b calling it by its DNS name. */
function manifests(namespace: string, images: { helloA: string; helloB: string }): string {
  const probe = (path: string) => ({ httpGet: { path, port: 8080 }, periodSeconds: 1, failureThreshold: 2 });
  const container = (name: string, image: string, env: Record<string, string>) => ({
    name,
    image,
    ports: [{ containerPort: 8080 }],
    env: Object.entries(env).map(([key, value]) => ({ name: key, value })),
    readinessProbe: probe('/readyz'),
    livenessProbe: { ...probe('/healthz'), failureThreshold: 5 },
    resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '256Mi' } },
  });
  const deployment = (name: string, labels: Record<string, string>, replicas: number, spec: unknown) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { terminationGracePeriodSeconds: 30, containers: [spec] },
      },
    },
  });
  const service = (name: string, selector: Record<string, string>) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name },
    spec: { selector, ports: [{ port: 80, targetPort: 8080 }] },
  });
  const helloA = (color: string) =>
    deployment(
      `hello-a-${color}`,
      { app: 'hello-a', color },
      2,
      container('hello-a', images.helloA, {
        GREENLIGHT_COLOR: color,
        GREENLIGHT_COMMIT: COMMIT,
        SHUTDOWN_DRAIN_MS: '3000',
      }),
    );
  const objects = [
    helloA('blue'),
    helloA('green'),
    service('hello-a', { app: 'hello-a', color: 'blue' }),
    deployment(
      'hello-b',
      { app: 'hello-b' },
      1,
      container('hello-b', images.helloB, {
        GREENLIGHT_COLOR: 'blue',
        GREENLIGHT_URL_HELLO_A: `http://hello-a.${namespace}.svc.cluster.local`,
      }),
    ),
    service('hello-b', { app: 'hello-b' }),
  ];
  return objects.map((object) => JSON.stringify(object)).join('\n---\n');
}
