/**
 * `npm run demo`: Greenlight end to end on this machine, with the repository's own group
 * files (groups/services.yaml, groups/master.yaml). A local Kubernetes with a real node
 * (test/stack, real-node tier) runs the sample apps for real; the steps are the ones
 * test/e2e/demo.test.ts asserts on (test/support/demo-flow.ts):
 *
 *   1. hello-a, hello-b, the integration tests and the switch probe built with buildah at
 *      this repository's HEAD and pushed to the stack's registry (sha-<commit>, branch-master)
 *   2. `greenlight deploy master` (standby blue), 3. `greenlight test master` (a Job; JUnit
 *      from its log), 4. `greenlight promote master`
 *   5. a new hello-a (a commit in a scratch repository) deployed, tested and promoted under
 *      a steady load, with the switch probe
 *   6. a broken hello-b deployed, its tests failing, promotion refused, rejected: live untouched
 *   7. `greenlight rollback master` under the same load
 *
 * `greenlight status master` after each step; the last line counts what was promoted,
 * rejected and rolled back and how many requests of the load failed. Nothing stays
 * running, unless `--keep`, which prints how to reach the apps and the cluster.
 * Run through scripts/demo.sh (installs what is missing first). Needs root.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { resolveNodeTools } from '../test/stack/real-nodes/node.ts';
import { relayToService } from '../test/stack/real-nodes/traffic.ts';
import { type RunningStack, startStack } from '../test/stack/stack.ts';
import { readStackState, stackRunning, writeStackState } from '../test/stack/state-file.ts';
import { kubectlPath, MissingToolError, systemBinary, toolPath } from '../test/stack/tools.ts';
import {
  buildAndPush,
  commitChange,
  DEMO_GROUP,
  type DemoService,
  type DemoStage,
  demoGroups,
  greenlight,
  HELLO_A_RELEASE,
  HELLO_B_BREAKS,
  type LoadedSwitch,
  liveVersion,
  registryArgs,
  repositorySources,
  statusJson,
  underLoad,
} from '../test/support/demo-flow.ts';

const KEPT_STACK = 'demo';
const DELAY = ['--scale-down-delay', '10s'];
const STEPS = 7;

interface Tally {
  promoted: number;
  rejected: number;
  rolledBack: number;
  sent: number;
  failed: number;
  /** What did not go as the demo says it would. */
  problems: string[];
}

const say = (line: string) => process.stdout.write(`demo: ${line}\n`);
const header = (step: number, title: string) => process.stdout.write(`\n== ${step}/${STEPS} ${title}\n`);
const indent = (text: string) => text.replace(/^(?=.)/gm, '  ');

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { keep: { type: 'boolean', default: false }, help: { type: 'boolean' } },
  });
  if (values.help) {
    process.stdout.write(
      'usage: npm run demo [-- --keep]\n  --keep  leave the stack running and print how to reach it\n',
    );
    return 0;
  }
  const keep = values.keep === true;
  preflight(keep);
  const started = Date.now();
  say(
    'starting a local Kubernetes with a real node (etcd, kube-apiserver, controllers; containerd, kubelet, kube-proxy and CoreDNS in a network namespace of their own)',
  );
  const stack = await startStack({
    label: 'greenlight-demo-stack',
    lifetime: keep ? 'detached' : 'owned',
    realNodes: true,
    log: (line) => process.stdout.write(`  ${line}\n`),
  });
  if (keep) writeStackState(KEPT_STACK, stack.state);
  say(`stack ready in ${stack.state.startupSeconds.toFixed(0)}s (node ${stack.info.nodeName})`);
  const workDir = mkdtempSync(join(tmpdir(), 'greenlight-demo-'));
  const stage: DemoStage = {
    stack: stack.info,
    workDir,
    ...demoGroups(workDir),
    log: say,
    echo: (_stream, text) => process.stdout.write(indent(text)),
  };
  const tally: Tally = { promoted: 0, rejected: 0, rolledBack: 0, sent: 0, failed: 0, problems: [] };
  try {
    await runSteps(stage, tally);
  } catch (error) {
    tally.problems.push(error instanceof Error ? error.message : String(error));
  } finally {
    await finish(stack, stage, keep);
    rmSync(workDir, { recursive: true, force: true });
  }
  process.stdout.write(`\n${summaryLine(tally, Date.now() - started)}\n`);
  return tally.problems.length === 0 ? 0 : 1;
}

/** Root and the tools, with one line saying what to do when something is missing. */
function preflight(keep: boolean): void {
  try {
    resolveNodeTools();
    toolPath('vegeta');
    systemBinary('buildah');
  } catch (error) {
    if (error instanceof MissingToolError) {
      say(`cannot run: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  const kept = readStackState(KEPT_STACK);
  if (keep && kept && stackRunning(kept)) {
    say(
      `a kept demo is still running (${kept.info.dir}); stop it first: npm run stack:down -- --name ${KEPT_STACK}`,
    );
    process.exit(1);
  }
}

async function runSteps(stage: DemoStage, tally: Tally): Promise<void> {
  header(1, 'build the sample apps at this repository HEAD and push them as build-push-ecr tags them');
  await buildAndPush(
    stage,
    await repositorySources(['hello-a', 'hello-b', 'integration-tests', 'switch-probe']),
  );

  header(2, 'deploy the master group: every service on the standby color; nothing live yet');
  await greenlight(stage, ['deploy', DEMO_GROUP, ...registryArgs(stage)]);
  await showStatus(stage);

  header(3, 'test the standby: the integration suite as a Job in the namespace, JUnit read from its log');
  await greenlight(stage, ['test', DEMO_GROUP, ...registryArgs(stage)]);
  await showStatus(stage);

  header(4, 'promote: the live Services switch to the tested color, all together');
  await greenlight(stage, ['promote', DEMO_GROUP, ...DELAY]);
  tally.promoted += 1;
  await showStatus(stage);
  await showLive(stage);

  header(5, 'a new hello-a (1.1.0): deploy, test, then promote under a steady load with the switch probe');
  await buildAndPush(stage, [await commitChange(stage.workDir, HELLO_A_RELEASE)]);
  await greenlight(stage, ['deploy', DEMO_GROUP, ...registryArgs(stage)]);
  await greenlight(stage, ['test', DEMO_GROUP, ...registryArgs(stage)]);
  countLoad(
    tally,
    'promote',
    await underLoad(stage, 'blue', () =>
      greenlight(stage, ['promote', DEMO_GROUP, ...DELAY, '--probe', ...registryArgs(stage)]),
    ),
  );
  tally.promoted += 1;
  await showStatus(stage);
  await showLive(stage);

  header(
    6,
    'a broken hello-b (it asks hello-a for a path it does not have): its tests fail, it is refused and rejected',
  );
  await buildAndPush(stage, [await commitChange(stage.workDir, HELLO_B_BREAKS)]);
  await greenlight(stage, ['deploy', DEMO_GROUP, ...registryArgs(stage)]);
  const before = await statusJson(stage);
  const tested = await greenlight(stage, ['test', DEMO_GROUP, ...registryArgs(stage)], {
    allowFailure: true,
  });
  if (tested.code === 0) tally.problems.push('the broken hello-b passed its integration tests');
  const refused = await greenlight(stage, ['promote', DEMO_GROUP], { allowFailure: true });
  if (refused.code === 0) tally.problems.push('the broken release was promoted');
  await greenlight(stage, ['reject', DEMO_GROUP]);
  tally.rejected += 1;
  const after = await statusJson(stage);
  if (after.liveReleaseId !== before.liveReleaseId || after.liveColor !== before.liveColor) {
    tally.problems.push(
      `live changed: ${before.liveColor}/${before.liveReleaseId} -> ${after.liveColor}/${after.liveReleaseId}`,
    );
  }
  await showStatus(stage);
  await showLive(stage);

  header(7, 'roll back to the release before, under the same load');
  countLoad(
    tally,
    'rollback',
    await underLoad(stage, 'green', () =>
      greenlight(stage, ['rollback', DEMO_GROUP, ...DELAY, '--probe', ...registryArgs(stage)]),
    ),
  );
  tally.rolledBack += 1;
  await showStatus(stage);
  await showLive(stage);
}

function countLoad(tally: Tally, what: string, measured: LoadedSwitch<unknown>): void {
  tally.sent += measured.sent;
  tally.failed += measured.failed;
  if (measured.failed > 0) tally.problems.push(`${measured.failed} requests failed across the ${what}`);
  if (measured.loads.some(({ report }) => report.endedAt <= measured.oldColorGoneAt)) {
    tally.problems.push(`the load across the ${what} ended before the old color's pods were gone`);
  }
}

async function showStatus(stage: DemoStage): Promise<void> {
  await greenlight(stage, ['status', DEMO_GROUP, '--history', '5']);
}

/** What the live Services answer, from inside the node, through kube-proxy. */
async function showLive(stage: DemoStage): Promise<void> {
  for (const service of ['hello-a', 'hello-b'] as DemoService[]) {
    const answer = await liveVersion(stage, service);
    say(
      `${service} live answers /version: ${answer.color}, commit ${answer.commit?.slice(0, 7)}, version ${answer.version}`,
    );
  }
}

async function finish(stack: RunningStack, stage: DemoStage, keep: boolean): Promise<void> {
  if (!keep) {
    say('stopping the stack (nothing is left running; --keep leaves it up)');
    await stack.stop();
    return;
  }
  const lines = [
    '',
    'the stack keeps running. To look around:',
    `  export KUBECONFIG=${stage.stack.kubeconfig}`,
    `  ${kubectlPath()} get pods -n ${stage.namespace} -o wide`,
    `  npm run greenlight -- status ${DEMO_GROUP}`,
  ];
  for (const service of ['hello-a', 'hello-b']) {
    const relay = await relayToService(
      stage.stack,
      { namespace: stage.namespace, service },
      { detached: true },
    );
    lines.push(`  curl ${relay.url}/version    # ${service}'s live Service (a loopback relay into the node)`);
  }
  lines.push(`stop it with: npm run stack:down -- --name ${KEPT_STACK}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

function summaryLine(tally: Tally, elapsedMs: number): string {
  const counts = `promoted ${tally.promoted}, rejected ${tally.rejected}, rolled back ${tally.rolledBack}, ${tally.failed} failed requests of ${tally.sent}`;
  const minutes = `${(elapsedMs / 60_000).toFixed(1)} min`;
  return tally.problems.length === 0
    ? `demo: ok (${counts}) in ${minutes}`
    : `demo: FAILED (${counts}): ${tally.problems.join('; ')}`;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `demo: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
