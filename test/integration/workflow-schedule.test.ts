/**
 * schedule.yml run by a real workflow runner (nektos/act, host mode: test/support/act.ts)
 * against the local stack, in a deployments repository of the test's own holding the
 * workflow, the committed CLI bundle it runs (bin/, dist/) and groups whose `schedule` is
 * due now (`* * * * *`: an instant in every minute of the 2-hour window) or absent. The
 * groups are deployed and promoted beforehand with the CLI; what the workflow did is read
 * back with kubectl (Deployments' replicas and resource versions).
 *
 * act ignores `concurrency`: the per-group concurrency of the up/down jobs is checked by
 * reading the workflow file (test/tools/workflows.test.ts), not here.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { lastGoodTag } from '../../src/core/naming.ts';
import { kubectl, uniqueName, uniqueNamespace } from '../stack/helpers.ts';
import { type ActOptions, type ActRun, runAct } from '../support/act.ts';
import { runCli } from '../support/cli.ts';
import { namespaceReader } from '../support/group-fixture.ts';
import { type MotoAccount, motoAccountForTest } from '../support/moto-account.ts';
import { pushOciImage } from '../support/registry.ts';
import { createWorkflowRepo, type WorkflowRepo } from '../support/workflow-repo.ts';

const stack = inject('stack');
const CLUSTER = 'greenlight-test';
/** What schedule.yml needs of this repository: itself and the CLI bundle it runs. */
const SCHEDULE_FILES = ['.github/workflows/schedule.yml', 'bin', 'dist'];

let account: MotoAccount;
const namespaces: string[] = [];

beforeAll(async () => {
  account = await motoAccountForTest(stack);
}, 120_000);

afterAll(async () => {
  for (const namespace of namespaces) {
    await kubectl(stack, ['delete', 'namespace', namespace, '--wait=false', '--ignore-not-found']);
  }
});

/** Groups by name -> their `schedule:` block (or none); each gets a namespace of its own. */
function deploymentsRepo(schedules: Record<string, string | undefined>) {
  const prefix = uniqueName('sched');
  const files: Record<string, string> = {
    'groups/services.yaml': `services:\n  hello-a:\n    repository: ${prefix}/hello-a\n    port: 8080\n    replicas: 2\n`,
  };
  const groupNamespaces: Record<string, string> = {};
  for (const [group, schedule] of Object.entries(schedules)) {
    groupNamespaces[group] = uniqueNamespace(`wf-${group}`);
    namespaces.push(groupNamespaces[group]);
    files[`groups/${group}.yaml`] = [
      `namespace: ${groupNamespaces[group]}`,
      'services:',
      '  hello-a:',
      ...(schedule ? ['schedule:', ...schedule.split('\n').map((line) => `  ${line}`)] : []),
      '',
    ].join('\n');
  }
  const repo = createWorkflowRepo({ fullName: 'acme/deployments', copy: SCHEDULE_FILES, files });
  return { repo, prefix, namespaces: groupNamespaces };
}

/** Deploys and promotes a group with the CLI, as a person would have before the schedule runs. */
async function goLive(repo: WorkflowRepo, group: string): Promise<void> {
  const common = ['--kubeconfig', stack.kubeconfig];
  for (const args of [
    ['deploy', group, '--registry', stack.registry, '--timeout', '60s'],
    ['promote', group, '--force', '--reason', 'schedule test setup', '--scale-down-delay', 'keep'],
  ]) {
    const run = await runCli([...args, ...common], { cwd: repo.dir });
    if (run.code !== 0) throw new Error(`greenlight ${args.join(' ')}: ${run.stderr}`);
  }
}

function runnerOptions(repo: WorkflowRepo): ActOptions {
  return {
    repo: repo.dir,
    workflow: '.github/workflows/schedule.yml',
    event: 'schedule',
    payload: { schedule: '*/30 * * * *' },
    vars: { GREENLIGHT_ROLE_ARN: account.roleArn, AWS_REGION: stack.region, GREENLIGHT_CLUSTER: CLUSTER },
    aws: { endpoint: stack.ecrEndpoint, roles: { [account.roleArn]: account.credentials } },
    eks: { clusters: { [CLUSTER]: stack.kubeconfig } },
    timeoutMs: 600_000,
  };
}

const replicasOf = async (namespace: string) =>
  Object.fromEntries(
    Object.entries(await namespaceReader(stack, namespace).deployments()).map(([name, d]) => [
      name,
      d.replicas,
    ]),
  );

describe('schedule.yml', () => {
  let repo: WorkflowRepo;
  let groups: Record<string, string>;
  let steadyBefore: string[];
  let morningBefore: Record<string, number>;
  let run: ActRun;

  beforeAll(async () => {
    const made = deploymentsRepo({
      morning: 'up: "* * * * *"\ntimezone: Europe/Berlin',
      evening: 'down: "* * * * *"\ntimezone: America/New_York',
      steady: undefined,
    });
    repo = made.repo;
    groups = made.namespaces;
    await pushOciImage(stack.registry, `${made.prefix}/hello-a`, [lastGoodTag('master')]);
    for (const group of ['morning', 'evening', 'steady']) await goLive(repo, group);
    const down = await runCli(['down', 'morning', '--kubeconfig', stack.kubeconfig], { cwd: repo.dir });
    if (down.code !== 0) throw new Error(`greenlight down morning: ${down.stderr}`);
    morningBefore = await replicasOf(groups.morning ?? '');
    steadyBefore = Object.values(await namespaceReader(stack, groups.steady ?? '').deployments()).map(
      (d) => d.resourceVersion,
    );
    const started = Date.now();
    run = await runAct(runnerOptions(repo));
    console.log(`schedule.yml with two groups due: act took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }, 660_000);
  afterAll(() => repo?.remove());

  it('greenlight due (the committed bundle, on Node 24) finds the two scheduled groups, and nothing else', () => {
    expect(run.exitCode, run.transcript()).toBe(0);
    const due = run.job('due');
    expect(due.result).toBe('success');
    expect(JSON.parse(due.step('due').outputs.matrix ?? '{}')).toEqual({
      include: [
        { group: 'evening', action: 'down' },
        { group: 'morning', action: 'up' },
      ],
    });
    expect(due.step('due').summary).toMatch(/^down {2}evening {2}scheduled /m);
    expect(run.standinCalls).toContainEqual({
      action: 'actions/setup-node',
      job: 'due',
      inputs: { 'node-version': '24' },
    });
  });

  it('runs greenlight down for evening and greenlight up for morning, each after assuming the role and connecting', () => {
    expect(run.job('apply', { group: 'evening', action: 'down' }).step('scale').outputs.outcome).toBe('down');
    expect(run.job('apply', { group: 'morning', action: 'up' }).step('scale').outputs.outcome).toBe('up');
    const callsIn = (action: string) =>
      run.standinCalls.filter((call) => call.action === action).map((c) => c.job);
    expect(callsIn('aws-actions/configure-aws-credentials')).toEqual(['apply', 'apply']);
    expect(callsIn('aws')).toEqual(['apply', 'apply']);
    expect(run.refused).toEqual([]);
  });

  it('the cluster shows it: morning serves again, evening is scaled to zero, steady is untouched', async () => {
    expect(morningBefore).toEqual({ 'hello-a-blue': 0 });
    expect(await replicasOf(groups.morning ?? '')).toEqual({ 'hello-a-blue': 2 });
    expect(await replicasOf(groups.evening ?? '')).toEqual({ 'hello-a-blue': 0 });
    const steady = await namespaceReader(stack, groups.steady ?? '').deployments();
    expect(Object.values(steady).map((d) => [d.replicas, d.resourceVersion])).toEqual(
      steadyBefore.map((version) => [2, version]),
    );
  });
});

describe('schedule.yml with nothing due', () => {
  it('skips the up/down job, touching nothing', async () => {
    const { repo } = deploymentsRepo({ steady: undefined });
    try {
      const run = await runAct(runnerOptions(repo));
      expect(run.exitCode, run.transcript()).toBe(0);
      expect(run.job('due').step('due').outputs).toMatchObject({ matrix: '{"include":[]}', any: 'false' });
      expect(run.jobs.map((job) => job.id)).toEqual(['due']);
      expect(run.standinCalls.map((call) => call.action)).toEqual(['actions/setup-node']);
    } finally {
      repo.remove();
    }
  }, 300_000);
});
