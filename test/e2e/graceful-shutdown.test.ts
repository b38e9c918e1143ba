/**
 * Graceful shutdown with Greenlight's manifests, on the real node: a pod that is deleted
 * while it still serves (a node drain, a scale-in, an eviction) leaves the Service's
 * endpoints at the same moment the kubelet starts stopping it, and kube-proxy follows the
 * endpoint change a little later. An app that exits at SIGTERM (here hello-a with
 * SHUTDOWN_DRAIN_MS=0: it closes its listener at once) then refuses the requests
 * kube-proxy still sends it. Greenlight's preStop sleep (catalog preStopSleepSeconds,
 * default 5) keeps it serving until kube-proxy has moved on.
 *
 * On this one-node cluster kube-proxy is quick: it usually drops the endpoint before the
 * kubelet has even sent SIGTERM, so neither pod would drop anything (measured: 0 of 2400
 * both ways). On a busy node or a large cluster it takes seconds. The test makes that lag
 * explicit and the same every run: kube-proxy is frozen (SIGSTOP) for 2.5 s from the
 * deletion. Under a steady load, the pod with the sleep drops nothing; the same app without
 * it (preStopSleepSeconds: 0) refuses requests, which is what the sleep is for (measured:
 * 0 of 2400 with it; 256-370 of 2400 without, refused and then timed out).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { lastGoodTag } from '../../src/core/naming.ts';
import { uniqueName, uniqueNamespace } from '../stack/helpers.ts';
import { describeLoad, startLoad } from '../stack/real-nodes/load.ts';
import { serviceAddress, untilAnswering } from '../stack/real-nodes/traffic.ts';
import type { StackInfo } from '../stack/types.ts';
import { type DemoStage, greenlight, kubectl, sleep } from '../support/demo-flow.ts';
import { buildAndPushSampleApp, buildBaseImage } from '../support/sample-images.ts';
import './types.ts';

const context = inject('e2e');
const skipped = 'skipped' in context ? context.skipped : null;
const stack = 'stack' in context ? context.stack : (null as unknown as StackInfo);
const log = (line: string) => console.log(`[e2e graceful] ${line}`);
/**
 * A new connection per request (as clients behind a proxy or a load balancer often make):
 * each goes wherever kube-proxy's rules say at that moment. With kept-alive connections a
 * load may never touch the deleted pod at all (a handful of connections, all to the other).
 */
const LOAD = { rate: 200, durationMs: 12_000, timeoutMs: 2000, keepalive: false };
/** How long kube-proxy lags the deletion (frozen); well under the 5 s preStop sleep. */
const KUBE_PROXY_LAG_MS = 2500;

describe.skipIf(skipped !== null)('a live pod deleted under load, with and without the preStop sleep', () => {
  let stage: DemoStage;

  beforeAll(async () => {
    const workDir = mkdtempSync(join(tmpdir(), 'greenlight-e2e-graceful-'));
    const namespace = uniqueNamespace('graceful');
    const repository = uniqueName('graceful/hello-a');
    await buildAndPushSampleApp({
      app: 'hello-a',
      baseImage: await buildBaseImage(),
      registry: stack.registry,
      repository,
      tag: lastGoodTag('master'),
    });
    // two services of one image that exits at SIGTERM, one with the default preStop sleep, one without
    const service = (name: string, ...extra: string[]) =>
      [
        `  ${name}:`,
        `    repository: ${repository}`,
        '    port: 8080',
        '    readinessPath: /readyz',
        '    livenessPath: /healthz',
        '    replicas: 2',
        '    env:',
        '      SHUTDOWN_DRAIN_MS: "0"',
        ...extra,
      ].join('\n');
    const groupsDir = join(workDir, 'groups');
    mkdirSync(groupsDir);
    writeFileSync(
      join(groupsDir, 'services.yaml'),
      `services:\n${service('with-prestop')}\n${service('without-prestop', '    preStopSleepSeconds: 0')}\n`,
    );
    writeFileSync(
      join(groupsDir, 'stops.yaml'),
      `namespace: ${namespace}\nservices:\n  with-prestop:\n  without-prestop:\n`,
    );
    stage = { stack, workDir, groupsDir, namespace, log };
    await greenlight(stage, ['deploy', 'stops', '--registry', stack.registry]);
  });

  afterAll(async () => {
    if (!stage) return;
    await kubectl(stage, ['delete', 'namespace', stage.namespace, '--wait=false', '--ignore-not-found']);
    rmSync(stage.workDir, { recursive: true, force: true });
  });

  it('drops nothing with the preStop sleep, and refuses requests without it', async () => {
    const pods = (service: string) =>
      kubectl(stage, [
        'get',
        'pods',
        '-n',
        stage.namespace,
        '-l',
        `app.kubernetes.io/name=${service}`,
        '-o',
        'jsonpath={.items[*].metadata.name}',
      ]).then((names) => names.split(' ').filter(Boolean));
    const withSleep = await pods('with-prestop');
    const without = await pods('without-prestop');
    expect(withSleep).toHaveLength(2);
    expect(without).toHaveLength(2);
    const spec = JSON.parse(
      await kubectl(stage, ['get', 'pod', without[0] ?? '', '-n', stage.namespace, '-o', 'json']),
    ) as { spec: { terminationGracePeriodSeconds: number; containers: { lifecycle?: unknown }[] } };
    expect(spec.spec.terminationGracePeriodSeconds).toBe(30);
    expect(spec.spec.containers[0]?.lifecycle).toBeUndefined();

    const loadOn = async (service: string) => {
      const { ip, port } = await serviceAddress(stack, stage.namespace, `${service}-blue`);
      await untilAnswering(stack, `http://${ip}:${port}/`);
      return startLoad({
        ...LOAD,
        url: `http://${ip}:${port}/`,
        netns: stack.realNode?.netns ?? '',
        workDir: stage.workDir,
      });
    };
    const loads = { with: await loadOn('with-prestop'), without: await loadOn('without-prestop') };
    await sleep(4000);
    // one pod of each leaves while serving, as a node drain or a scale-in does it, and
    // kube-proxy follows late, as on a busy node
    const deletedAt = Date.now();
    await withKubeProxyFrozen(stack, KUBE_PROXY_LAG_MS, () =>
      kubectl(stage, [
        'delete',
        'pod',
        withSleep[0] ?? '',
        without[0] ?? '',
        '-n',
        stage.namespace,
        '--wait=false',
      ]),
    );
    const [withReport, withoutReport] = await Promise.all([loads.with.done, loads.without.done]);
    const since = (times: number[]) => times.map((t) => t - deletedAt).join(' ');
    log(
      `with the preStop sleep: ${describeLoad(withReport)}; failures at +ms ${since(withReport.failureTimes)}`,
    );
    log(`without it: ${describeLoad(withoutReport)}; failures at +ms ${since(withoutReport.failureTimes)}`);

    // vegeta's schedule sends rate × duration, give or take the last tick
    const planned = (LOAD.rate * LOAD.durationMs) / 1000;
    for (const report of [withReport, withoutReport]) {
      expect(report.sent).toBeGreaterThanOrEqual(planned - 2);
      expect(report.ok + report.failed).toBe(report.sent);
    }
    expect(withReport.failures).toEqual({});
    expect(withReport.failed).toBe(0);
    expect(withoutReport.failed).toBeGreaterThan(0);
    // (refused while the address still answers, reset, then no answer once the pod's
    // network is torn down: reasons vary with the timing)
    // the failures are the deletion's: none before it
    expect(withoutReport.failureTimes[0]).toBeGreaterThanOrEqual(deletedAt);
  });
});

/**
 * Runs `action` with the node's kube-proxy stopped (SIGSTOP to its process group) and
 * resumes it `ms` after; always resumed, also when `action` fails.
 */
async function withKubeProxyFrozen(
  stack: StackInfo,
  ms: number,
  action: () => Promise<unknown>,
): Promise<void> {
  const state = JSON.parse(readFileSync(join(stack.dir, 'state.json'), 'utf8')) as {
    processes: { name: string; pid: number }[];
  };
  const kubeProxy = state.processes.find((entry) => entry.name === 'kube-proxy');
  if (!kubeProxy) throw new Error(`no kube-proxy in ${stack.dir}/state.json`);
  process.kill(-kubeProxy.pid, 'SIGSTOP');
  try {
    await action();
    await sleep(ms);
  } finally {
    process.kill(-kubeProxy.pid, 'SIGCONT');
  }
}
