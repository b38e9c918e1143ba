/**
 * Graceful shutdown with Greenlight's manifests, on the real node: a pod that is deleted
 * while it still serves (a node drain, a scale-in, an eviction) leaves the Service's
 * endpoints at the same moment the kubelet starts stopping it, and kube-proxy follows the
 * endpoint change a little later. An app that exits at SIGTERM (here hello-a with
 * SHUTDOWN_DRAIN_MS=0: it closes its listener at once) then refuses the requests
 * kube-proxy still sends it. Greenlight's preStop sleep (catalog preStopSleepSeconds,
 * default 5) keeps it serving until kube-proxy has moved on: under a steady load, the
 * deletion drops nothing. The same app without it (preStopSleepSeconds: 0) drops requests,
 * so the load shows what the sleep is for.
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
const LOAD = { rate: 200, durationMs: 12_000, timeoutMs: 2000 };

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
    // one pod of each leaves while serving, as a node drain or a scale-in does it
    const deletedAt = Date.now();
    await kubectl(stage, [
      'delete',
      'pod',
      withSleep[0] ?? '',
      without[0] ?? '',
      '-n',
      stage.namespace,
      '--wait=false',
    ]);
    const [withReport, withoutReport] = await Promise.all([loads.with.done, loads.without.done]);
    const since = (times: number[]) => times.map((t) => t - deletedAt).join(' ');
    log(
      `with the preStop sleep: ${describeLoad(withReport)}; failures at +ms ${since(withReport.failureTimes)}`,
    );
    log(`without it: ${describeLoad(withoutReport)}; failures at +ms ${since(withoutReport.failureTimes)}`);
    const kubeletLog = readFileSync(stack.logs.kubelet ?? '', 'utf8')
      .split('\n')
      .filter(
        (line) => /PreStop|preStop|Killing container|sleep/i.test(line) && line.includes(withSleep[0] ?? '?'),
      );
    log(`kubelet on ${withSleep[0]}:\n${kubeletLog.join('\n')}`);

    expect(withReport.sent).toBe((LOAD.rate * LOAD.durationMs) / 1000);
    expect(withReport.failures).toEqual({});
    expect(withReport.failed).toBe(0);
    expect(withoutReport.sent).toBe((LOAD.rate * LOAD.durationMs) / 1000);
    expect(withoutReport.failed).toBeGreaterThan(0);
    expect(withoutReport.failureTimes[0]).toBeGreaterThanOrEqual(deletedAt - LOAD.timeoutMs);
  });
});
