/**
 * The demo's path (`npm run demo`), step by step on the real-node tier, with Greenlight's
 * engine and the repository's own group files: the sample apps built with buildah and
 * pushed as build-push-ecr tags them; `greenlight deploy`, `test` (the integration suite as
 * a Job: real pods, JUnit from the pod's real log), `promote`; a new hello-a promoted and a
 * rollback, each under a steady load from before the switch until the old color's pods are
 * gone (no request may fail, and the switch probe must count none either); a broken hello-b
 * tested, refused and rejected with live untouched. Every step is read back independently:
 * kubectl for cluster state, and the apps' own /version answers through their live
 * Services for what `greenlight status` claims is live.
 *
 * The control: live pods killed just before a switch (as a crash or an OOM kill does) make
 * both the load and the probe count failures, so both measurements are known to be able
 * to fail.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PROBE_REPORT_MARKER } from '../../src/core/probe.ts';
import { uniqueNamespace } from '../stack/helpers.ts';
import { run } from '../stack/real-nodes/host.ts';
import { requestInNode, serviceAddress, untilAnswering } from '../stack/real-nodes/traffic.ts';
import type { StackInfo } from '../stack/types.ts';
import {
  type AppSource,
  buildAndPush,
  commitChange,
  DEMO_GROUP,
  type DemoStage,
  demoGroups,
  demoRepositories,
  greenlight,
  HELLO_A_RELEASE,
  HELLO_B_BREAKS,
  kubectl,
  type LoadedSwitch,
  liveVersion,
  registryArgs,
  repositorySources,
  sleep,
  statusJson,
  underLoad,
} from '../support/demo-flow.ts';
import './types.ts';

const context = inject('e2e');
const skipped = 'skipped' in context ? context.skipped : null;
const stack = 'stack' in context ? context.stack : (null as unknown as StackInfo);
const log = (line: string) => console.log(`[e2e demo] ${line}`);
const DELAY = ['--scale-down-delay', '10s'];

describe.skipIf(skipped !== null)("the demo's path, with Greenlight's engine on a real node", () => {
  let stage: DemoStage;
  let v1: AppSource[];
  let helloA2: AppSource;
  const releases: Record<string, string> = {};

  beforeAll(async () => {
    const workDir = mkdtempSync(join(tmpdir(), 'greenlight-e2e-demo-'));
    const groups = demoGroups(workDir, uniqueNamespace('demo'));
    stage = { stack, workDir, ...groups, log };
    v1 = await repositorySources(['hello-a', 'hello-b', 'integration-tests', 'switch-probe']);
    const started = Date.now();
    await buildAndPush(stage, v1);
    log(`four images built and pushed in ${((Date.now() - started) / 1000).toFixed(0)}s`);
  });

  afterAll(async () => {
    if (!stage) return;
    await kubectl(stage, ['delete', 'namespace', stage.namespace, '--wait=false', '--ignore-not-found']);
    rmSync(stage.workDir, { recursive: true, force: true });
  });

  const commitOf = (app: string) => v1.find((source) => source.app === app)?.commit ?? '';

  it('deploys master to blue: real pods on the node, with the preStop sleep, answering with what status claims', async () => {
    const deployed = JSON.parse(
      (await greenlight(stage, ['deploy', DEMO_GROUP, ...registryArgs(stage), '--json'])).stdout,
    ) as { releaseId: string; standbyColor: string };
    expect(deployed.standbyColor).toBe('blue');
    releases.first = deployed.releaseId;

    const pods = JSON.parse(
      await kubectl(stage, [
        'get',
        'pods',
        '-n',
        stage.namespace,
        '-l',
        'greenlight.dev/color=blue',
        '-o',
        'json',
      ]),
    ) as { items: Pod[] };
    expect(pods.items).toHaveLength(4);
    for (const pod of pods.items) {
      expect(pod.spec.nodeName).toBe(stack.realNode?.nodeName);
      expect(pod.status.phase).toBe('Running');
      expect(pod.status.containerStatuses[0]?.ready).toBe(true);
      expect(pod.spec.terminationGracePeriodSeconds).toBe(35);
      expect(pod.spec.containers[0]?.lifecycle).toEqual({ preStop: { sleep: { seconds: 5 } } });
    }

    const status = await statusJson(stage);
    expect(status.liveColor).toBeNull();
    expect(status.standby).toMatchObject({ color: 'blue', releaseId: releases.first, phase: 'ready' });
    for (const service of ['hello-a', 'hello-b'] as const) {
      const claimed = status.services.find((entry) => entry.service === service)?.standby;
      expect(claimed?.commit).toBe(commitOf(service));
      const running = pods.items.find((pod) => pod.metadata.labels['app.kubernetes.io/name'] === service);
      expect(running?.status.containerStatuses[0]?.imageID).toContain(claimed?.digest);
      // the preview Service reaches the standby, which reports what status claims
      const { ip, port } = await serviceAddress(stack, stage.namespace, `${service}-preview`);
      await untilAnswering(stack, `http://${ip}:${port}/version`);
      const answer = JSON.parse((await requestInNode(stack, `http://${ip}:${port}/version`)).body);
      expect(answer).toMatchObject({
        service,
        color: 'blue',
        commit: claimed?.commit,
        digest: claimed?.digest,
      });
    }
  });

  it("runs the integration suite as a Job in the namespace; the JUnit comes from the pod's real log", async () => {
    const tested = JSON.parse(
      (await greenlight(stage, ['test', DEMO_GROUP, ...registryArgs(stage), '--json'])).stdout,
    );
    expect(tested).toMatchObject({
      passed: true,
      releaseId: releases.first,
      mode: 'job',
      tests: 8,
      failures: 0,
    });
    // the test pod's own log, read with kubectl, holds the report the verdict came from
    const logs = await kubectl(stage, [
      'logs',
      '-n',
      stage.namespace,
      '-l',
      'greenlight.dev/test-run',
      '--tail=-1',
    ]);
    expect(logs).toContain('<!-- greenlight:junit:begin -->');
    expect(logs).toMatch(/<testsuites name="greenlight-integration" tests="8" failures="0"/);
    expect(logs).toMatch(/^ok {3}hello-b: hello-b calls hello-a on its own color$/m);
    const status = await statusJson(stage);
    expect(status.history[0]).toMatchObject({ releaseId: releases.first, phase: 'verified' });
    expect(status.history[0]?.verification).toMatchObject({ passed: true, tests: 8, failures: 0 });
  });

  it('promotes the first release: the live Services answer from blue with the commits status claims', async () => {
    await greenlight(stage, ['promote', DEMO_GROUP, ...DELAY]);
    const status = await statusJson(stage);
    expect(status).toMatchObject({ liveColor: 'blue', liveReleaseId: releases.first });
    await expectLiveAsClaimed(stage);
    expect((await liveVersion(stage, 'hello-a')).version).toBe('1.0.0');
  });

  it('a new hello-a goes live under a steady load, from before the switch until blue is gone: no request fails', async () => {
    helloA2 = await commitChange(stage.workDir, HELLO_A_RELEASE);
    await buildAndPush(stage, [helloA2]);
    const deployed = JSON.parse(
      (await greenlight(stage, ['deploy', DEMO_GROUP, ...registryArgs(stage), '--json'])).stdout,
    );
    expect(deployed.standbyColor).toBe('green');
    releases.second = deployed.releaseId;
    expect((await greenlight(stage, ['test', DEMO_GROUP, ...registryArgs(stage)])).stdout).toContain(
      'tests passed',
    );

    const loaded = await underLoad(stage, 'blue', () =>
      greenlight(stage, ['promote', DEMO_GROUP, ...DELAY, '--probe', ...registryArgs(stage), '--json']),
    );
    expectNoFailure(loaded);
    const { result } = loaded;
    const promoted = JSON.parse(result.stdout);
    expect(promoted).toMatchObject({ outcome: 'promoted', releaseId: releases.second, liveColor: 'green' });
    expect(promoted.probe).toMatchObject({
      measured: true,
      failed: 0,
      from: 'blue',
      to: 'green',
      until: 'old-color-gone',
    });
    expect(promoted.probe.sent).toBeGreaterThan(0);

    const status = await statusJson(stage);
    expect(status).toMatchObject({ liveColor: 'green', liveReleaseId: releases.second });
    expect(status.history.find((entry) => entry.releaseId === releases.second)?.switchProbe).toEqual(
      promoted.probe,
    );
    await expectLiveAsClaimed(stage);
    const helloA = await liveVersion(stage, 'hello-a');
    expect(helloA).toMatchObject({ color: 'green', commit: helloA2.commit, version: '1.1.0' });
    expect(await replicasOf(stage, 'blue')).toEqual({ 'hello-a-blue': 0, 'hello-b-blue': 0 });
  });

  it('a broken hello-b is tested on blue, fails, is refused and rejected; live is untouched', async () => {
    const broken = await commitChange(stage.workDir, HELLO_B_BREAKS);
    await buildAndPush(stage, [broken]);
    const deployed = JSON.parse(
      (await greenlight(stage, ['deploy', DEMO_GROUP, ...registryArgs(stage), '--json'])).stdout,
    );
    expect(deployed.standbyColor).toBe('blue');
    releases.broken = deployed.releaseId;

    const report = join(stage.workDir, 'broken-junit.xml');
    const tested = await greenlight(stage, ['test', DEMO_GROUP, ...registryArgs(stage), '--report', report], {
      allowFailure: true,
    });
    expect(tested.code).toBe(1);
    expect(tested.stdout).toContain(`release ${releases.broken}: tests FAILED`);
    const failed = [
      ...readFileSync(report, 'utf8').matchAll(
        /<testcase classname="hello-b" name="([^"]+)"[^/]*?>\s*<failure/g,
      ),
    ].map((match) => match[1]?.replaceAll('&apos;', "'"));
    expect(failed).toEqual(["GET / includes hello-a's answer", 'hello-b calls hello-a on its own color']);

    const refused = await greenlight(stage, ['promote', DEMO_GROUP, '--json'], { allowFailure: true });
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout).error.kind).toBe('not-verified');
    await greenlight(stage, ['reject', DEMO_GROUP]);

    const status = await statusJson(stage);
    expect(status).toMatchObject({ liveColor: 'green', liveReleaseId: releases.second });
    expect(status.history.find((entry) => entry.releaseId === releases.broken)?.phase).toBe('rejected');
    expect(await replicasOf(stage, 'blue')).toEqual({ 'hello-a-blue': 0, 'hello-b-blue': 0 });
    await expectLiveAsClaimed(stage);
    expect(await liveVersion(stage, 'hello-b')).toMatchObject({
      color: 'green',
      commit: commitOf('hello-b'),
    });
  });

  it('rolls back under a steady load to the release before: no request fails', async () => {
    const loaded = await underLoad(stage, 'green', () =>
      greenlight(stage, ['rollback', DEMO_GROUP, ...DELAY, '--probe', ...registryArgs(stage), '--json']),
    );
    expectNoFailure(loaded);
    const { result } = loaded;
    const rolledBack = JSON.parse(result.stdout);
    expect(rolledBack).toMatchObject({
      outcome: 'rolled-back',
      releaseId: releases.first,
      liveColor: 'blue',
    });
    expect(rolledBack.probe).toMatchObject({
      measured: true,
      failed: 0,
      operation: 'rollback',
      from: 'green',
      to: 'blue',
    });

    const status = await statusJson(stage);
    expect(status).toMatchObject({ liveColor: 'blue', liveReleaseId: releases.first });
    expect(status.history.find((entry) => entry.releaseId === releases.second)?.phase).toBe('rolled-back');
    await expectLiveAsClaimed(stage);
    expect(await liveVersion(stage, 'hello-a')).toMatchObject({
      color: 'blue',
      commit: commitOf('hello-a'),
      version: '1.0.0',
    });
  });

  it('the control: live pods killed just before a switch make both the load and the probe count failures', async () => {
    // hello-b's last-good tag back on its good image, as a fix would put it; green gets release 2 again
    const repository = demoRepositories(stage.groupsDir)['hello-b'];
    await run(
      'skopeo',
      [
        'copy',
        '--src-tls-verify=false',
        '--dest-tls-verify=false',
        `docker://${stack.registry}/${repository}:sha-${commitOf('hello-b')}`,
        `docker://${stack.registry}/${repository}:branch-master`,
      ],
      { timeoutMs: 120_000 },
    );
    const deployed = JSON.parse(
      (await greenlight(stage, ['deploy', DEMO_GROUP, ...registryArgs(stage), '--json'])).stdout,
    );
    expect(deployed).toMatchObject({ standbyColor: 'green', releaseId: releases.second });
    await greenlight(stage, ['test', DEMO_GROUP, ...registryArgs(stage)]);

    let killedAt = 0;
    const { result, loads, failed, sent } = await underLoad(stage, 'blue', async () => {
      const promoting = greenlight(stage, [
        'promote',
        DEMO_GROUP,
        ...DELAY,
        '--probe',
        ...registryArgs(stage),
        '--json',
      ]);
      // the probe reports every 0.5 s and the switch waits until it has run 3 s: kill on its first report
      await probeReported(stage);
      killedAt = Date.now();
      await killContainers(stage, 'greenlight.dev/color=blue');
      return promoting;
    });
    const promoted = JSON.parse(result.stdout);
    expect(promoted.outcome).toBe('promoted');
    log(
      `control: load failed ${failed} of ${sent}; probe failed ${promoted.probe.failed} of ${promoted.probe.sent}`,
    );
    // every kind of client saw it, and none before the kill
    for (const { client, report } of loads) {
      expect(report.failed, client).toBeGreaterThan(0);
      expect(report.failureTimes[0], client).toBeGreaterThanOrEqual(killedAt - 2000);
    }
    expect(promoted.probe).toMatchObject({ measured: true });
    expect(promoted.probe.failed).toBeGreaterThan(0);
    expect(result.stderr).toMatch(/switch probe/);
  });
});

function expectNoFailure(loaded: LoadedSwitch<unknown>) {
  expect(loaded.sent).toBeGreaterThanOrEqual(10_000);
  expect(loaded.failed).toBe(0);
  for (const { client, report } of loaded.loads) {
    expect(report.failures, client).toEqual({});
    // the window reached past the old color's last pod
    expect(report.endedAt, client).toBeGreaterThan(loaded.oldColorGoneAt);
    // both colors answered: the switch happened inside it
    expect(Object.keys(report.answers).sort(), client).toEqual(['blue', 'green']);
  }
}

/** What `greenlight status` says runs live is what the live Services answer: color and commit of each. */
async function expectLiveAsClaimed(stage: DemoStage): Promise<void> {
  const status = await statusJson(stage);
  for (const service of ['hello-a', 'hello-b'] as const) {
    const claimed = status.services.find((entry) => entry.service === service)?.live;
    const answered = await liveVersion(stage, service);
    expect({ service, color: answered.color, commit: answered.commit, digest: answered.digest }).toEqual({
      service,
      color: claimed?.color,
      commit: claimed?.commit,
      digest: claimed?.digest,
    });
  }
}

async function replicasOf(stage: DemoStage, color: string): Promise<Record<string, number>> {
  const list = JSON.parse(
    await kubectl(stage, [
      'get',
      'deployments',
      '-n',
      stage.namespace,
      '-l',
      `greenlight.dev/color=${color}`,
      '-o',
      'json',
    ]),
  ) as { items: { metadata: { name: string }; spec: { replicas: number } }[] };
  return Object.fromEntries(list.items.map((item) => [item.metadata.name, item.spec.replicas]));
}

/** Waits (bounded) for the switch probe's first report line in its pod's log. */
async function probeReported(stage: DemoStage): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const logs = await kubectl(stage, [
      'logs',
      '-n',
      stage.namespace,
      '-l',
      'greenlight.dev/probe-run',
      '--tail=3',
    ]).catch(() => '');
    if (logs.includes(PROBE_REPORT_MARKER)) return;
    await sleep(100);
  }
  throw new Error('the switch probe did not report within 120 s');
}

/** SIGKILL to the app container of every matching pod, through containerd (as the kernel's OOM killer would). */
async function killContainers(stage: DemoStage, selector: string): Promise<void> {
  const socket = `${stage.stack.realNode?.dir}/containerd/containerd.sock`;
  const pods = JSON.parse(
    await kubectl(stage, ['get', 'pods', '-n', stage.namespace, '-l', selector, '-o', 'json']),
  ) as { items: Pod[] };
  expect(pods.items.length).toBeGreaterThan(0);
  await Promise.all(
    pods.items.map((pod) => {
      const id = pod.status.containerStatuses[0]?.containerID?.replace('containerd://', '') ?? '';
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

interface Pod {
  metadata: { name: string; labels: Record<string, string> };
  spec: {
    nodeName?: string;
    terminationGracePeriodSeconds?: number;
    containers: { lifecycle?: unknown }[];
  };
  status: {
    phase: string;
    containerStatuses: { ready: boolean; containerID?: string; imageID?: string }[];
  };
}
