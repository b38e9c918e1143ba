/**
 * deploy-group.yml and nightly.yml run by a real workflow runner (nektos/act, host mode:
 * test/support/act.ts) against the local stack, from a deployments repository of the
 * test's own (groups/ and the workflows, as an adopter's): the released actions
 * (`greenlight-dev/greenlight/actions/*@v1`) are this worktree's, images are resolved in
 * ECR (moto, an account per test), and the jobs reach the cluster as on GitHub:
 * configure-aws-credentials, then `aws eks update-kubeconfig` (stand-ins: the role's
 * credentials from moto's STS, the local stack's kubeconfig for the cluster name).
 * The group's integration suite is a Kubernetes Job whose image kwok finishes with the
 * exit code it is named for (`suite/exit-0`, `suite/exit-1`).
 *
 * Everything is read back independently: the cluster with kubectl (live Services'
 * selectors, Deployments' replicas and digests, the release records), ECR with a fresh
 * client. The workflows' job outputs are read where they arrive: in the steps of the jobs
 * that need them (the `result` job's, nightly's `verdict`), from act's --json events.
 *
 * act ignores `concurrency` and `environment:` protections (the approval job runs at
 * once here): those are checked by reading the workflow files
 * (test/tools/workflows.test.ts), not here.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { lastGoodTag } from '../../src/core/naming.ts';
import { kubectl, uniqueNamespace } from '../stack/helpers.ts';
import { type ActOptions, type ActRun, runAct } from '../support/act.ts';
import { namespaceReader } from '../support/group-fixture.ts';
import { type MotoAccount, motoAccountForTest } from '../support/moto-account.ts';
import { putEcrImage } from '../support/registry.ts';
import { createWorkflowRepo, type WorkflowRepo } from '../support/workflow-repo.ts';

const stack = inject('stack');
const CLUSTER = 'greenlight-test';
const MASTER = lastGoodTag('master');
/** The released Greenlight a deployments repository uses: its actions and their bundle. */
const GREENLIGHT_RELEASE_FILES = ['actions', 'dist'];
const DEPLOYMENTS_FILES = ['.github/workflows/deploy-group.yml', '.github/workflows/nightly.yml'];

let account: MotoAccount;
let greenlight: WorkflowRepo;
const namespaces: string[] = [];

beforeAll(async () => {
  account = await motoAccountForTest(stack);
  await account.createRepositories(['hello-a', 'hello-b', 'suite/exit-0', 'suite/exit-1']);
  greenlight = createWorkflowRepo({ fullName: 'greenlight-dev/greenlight', copy: GREENLIGHT_RELEASE_FILES });
}, 120_000);

afterAll(async () => {
  greenlight?.remove();
  for (const namespace of namespaces) {
    await kubectl(stack, ['delete', 'namespace', namespace, '--wait=false', '--ignore-not-found']);
  }
});

const CATALOG = `services:
  hello-a:
    repository: hello-a
    port: 8080
    replicas: 2
  hello-b:
    repository: hello-b
    port: 8080
    calls: [hello-a]
`;

/** The test image: kwok ends its pod with exit code 0 or 1; `missing` is in no repository. */
type Suite = 'exit-0' | 'exit-1' | 'missing';

/** groups/master.yaml of a deployments repository: the suite decides the tests' outcome. */
function masterGroup(namespace: string, suite: Suite, approval?: string): string {
  return [
    `namespace: ${namespace}`,
    'defaultBranch: master',
    'services:',
    '  hello-a:',
    '  hello-b:',
    'integration:',
    `  image: suite/${suite}:${MASTER}`,
    '  timeout: 2m',
    ...(approval ? ['promotion:', `  approval: ${approval}`] : []),
    '',
  ].join('\n');
}

interface Deployments {
  repo: WorkflowRepo;
  namespace: string;
  state: ReturnType<typeof namespaceReader>;
}

function deploymentsRepo(suite: Suite, approval?: string): Deployments {
  const namespace = uniqueNamespace('wf-master');
  namespaces.push(namespace);
  const repo = createWorkflowRepo({
    fullName: 'acme/deployments',
    copy: DEPLOYMENTS_FILES,
    files: { 'groups/services.yaml': CATALOG, 'groups/master.yaml': masterGroup(namespace, suite, approval) },
  });
  return { repo, namespace, state: namespaceReader(stack, namespace) };
}

/** A new image of each service (and the suites) at the master branch's last-good tag; the digests. */
async function pushMasterImages(): Promise<Record<string, string>> {
  const digests: Record<string, string> = {};
  for (const repository of ['hello-a', 'hello-b', 'suite/exit-0', 'suite/exit-1']) {
    digests[repository] = await putEcrImage(account.ecr, repository, [MASTER]);
  }
  return digests;
}

function runnerOptions(repo: WorkflowRepo, overrides: Partial<ActOptions>): ActOptions {
  return {
    repo: repo.dir,
    workflow: '.github/workflows/deploy-group.yml',
    event: 'workflow_dispatch',
    vars: { GREENLIGHT_ROLE_ARN: account.roleArn, AWS_REGION: stack.region, GREENLIGHT_CLUSTER: CLUSTER },
    aws: { endpoint: stack.ecrEndpoint, roles: { [account.roleArn]: account.credentials } },
    eks: { clusters: { [CLUSTER]: stack.kubeconfig } },
    localRepositories: { 'greenlight-dev/greenlight@v1': greenlight.dir },
    timeoutMs: 600_000,
    ...overrides,
  };
}

/** The run, with how long act took (reported in the test's name-less log line). */
async function timedRun(what: string, options: ActOptions): Promise<ActRun> {
  const started = Date.now();
  const run = await runAct(options);
  console.log(`${what}: act took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return run;
}

/** The result of every job of the run, by job id (matrix-free workflows). */
const results = (run: ActRun) => Object.fromEntries(run.jobs.map((job) => [job.id, job.result]));

/** Which jobs ran the configure-aws-credentials and `aws` stand-ins, in order. */
const standinJobs = (run: ActRun, action: string) =>
  run.standinCalls
    .filter((call) => call.action === action)
    .map((call) => call.job)
    .sort();

describe('deploy-group.yml by workflow_dispatch', () => {
  let deployments: Deployments;
  let first: ActRun;
  let firstDigests: Record<string, string>;

  beforeAll(async () => {
    // The group names no approval environment: the dispatch adds one.
    deployments = deploymentsRepo('exit-0');
    firstDigests = await pushMasterImages();
    first = await timedRun(
      'deploy-group.yml, passing suite',
      runnerOptions(deployments.repo, {
        inputs: { group: 'master', 'approval-environment': 'production', 'scale-down-delay': '1s' },
      }),
    );
  }, 660_000);
  afterAll(() => deployments?.repo.remove());

  it('deploys master to standby, runs the tests, passes the approval job and promotes', () => {
    expect(first.exitCode, first.transcript()).toBe(0);
    expect(results(first)).toEqual({
      deploy: 'success',
      test: 'success',
      approval: 'success',
      promote: 'success',
      result: 'success',
    });
    expect(first.job('approval').step('approved').log).toMatch(
      /^release [0-9a-f]{16} approved in environment production$/m,
    );
    // Nothing tried to leave the machine (GitHub reporting is off without a token).
    expect(first.refused).toEqual([]);
  });

  it('reached the cluster in every job that needs it, as on GitHub: the role, then update-kubeconfig', () => {
    expect(standinJobs(first, 'aws-actions/configure-aws-credentials')).toEqual([
      'deploy',
      'promote',
      'test',
    ]);
    expect(standinJobs(first, 'aws')).toEqual(['deploy', 'promote', 'test']);
    const update = first.standinCalls.find((call) => call.action === 'aws');
    expect(update?.inputs.args).toMatch(
      new RegExp(
        `^eks update-kubeconfig --name ${CLUSTER} --region ${stack.region} --kubeconfig /\\S+/kubeconfig$`,
      ),
    );
    expect(first.job('deploy').step('connect').log).toContain(
      `Added new context arn:aws:eks:${stack.region}:${account.accountId}:cluster/${CLUSTER}`,
    );
  });

  it('the release went live: every live Service selects blue, blue runs the ECR digests, the record says promoted', async () => {
    expect(await deployments.state.liveSelectors()).toEqual({ 'hello-a': 'blue', 'hello-b': 'blue' });
    const deployed = await deployments.state.deployments();
    expect(deployed['hello-a-blue']).toMatchObject({ replicas: 2, digest: firstDigests['hello-a'] });
    expect(deployed['hello-b-blue']).toMatchObject({ replicas: 1, digest: firstDigests['hello-b'] });
    const records = Object.values(await deployments.state.records());
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ phase: 'promoted', color: 'blue', verification: { passed: true } });
  });

  it('its outputs crossed the jobs: the result job got the release, the verdict, the phase and the live colors', async () => {
    const [record] = Object.values(await deployments.state.records());
    expect(first.job('result').step('result').outputs).toEqual({
      'release-id': String(record?.id),
      passed: 'true',
      phase: 'promoted',
      'live-colors': '{"hello-a":"blue","hello-b":"blue"}',
    });
    // The deploy job's outputs reached the promote job too: it promoted exactly that release.
    expect(first.job('promote').step('promote').outputs.outcome).toBe('promoted');
    expect(JSON.parse(first.job('promote').step('promote').outputs['history-entry'] ?? '{}')).toMatchObject({
      releaseId: record?.id,
      phase: 'promoted',
    });
    expect(first.job('result').step('result').summary).toContain('| promoted |');
  });

  describe('then a change whose tests fail', () => {
    let second: ActRun;
    let secondDigests: Record<string, string>;

    beforeAll(async () => {
      if (first.exitCode !== 0) return;
      deployments.repo.commit('master: a suite that fails, and an approval environment of its own', {
        'groups/master.yaml': masterGroup(deployments.namespace, 'exit-1', 'production'),
      });
      secondDigests = await pushMasterImages();
      second = await timedRun(
        'deploy-group.yml, failing suite',
        runnerOptions(deployments.repo, { inputs: { group: 'master' } }),
      );
    }, 660_000);

    it('deploys to green, tests, skips approval and promote, and rejects; the run itself succeeds', (ctx) => {
      if (!second) return ctx.skip('the first deploy failed');
      expect(second.exitCode, second.transcript()).toBe(0);
      expect(results(second)).toEqual({
        deploy: 'success',
        test: 'success',
        reject: 'success',
        result: 'success',
      });
      // The deploy step told the jobs after it what is live and which environment approves.
      expect(second.job('deploy').step('deploy').outputs).toMatchObject({
        'standby-color': 'green',
        'live-colors': '{"hello-a":"blue","hello-b":"blue"}',
        approval: 'production',
      });
      // Failed tests are an outcome (fail-on-failure: false), not a failed step.
      expect(second.job('test').step('test').outputs).toMatchObject({ passed: 'false' });
      expect(second.job('test').step('test').result).toBe('success');
      expect(second.job('reject').step('phase').log).toContain(
        'did not pass its integration tests and was rejected',
      );
      expect(second.job('result').step('result').outputs).toMatchObject({
        passed: 'false',
        phase: 'rejected',
        'live-colors': '{"hello-a":"blue","hello-b":"blue"}',
      });
    });

    it('live is untouched: blue still serves the first release, green is down, the new release is rejected', async (ctx) => {
      if (!second) return ctx.skip('the first deploy failed');
      expect(await deployments.state.liveSelectors()).toEqual({ 'hello-a': 'blue', 'hello-b': 'blue' });
      const deployed = await deployments.state.deployments();
      expect(deployed['hello-a-blue']).toMatchObject({ replicas: 2, digest: firstDigests['hello-a'] });
      expect(deployed['hello-b-blue']).toMatchObject({ replicas: 1, digest: firstDigests['hello-b'] });
      expect(deployed['hello-a-green']).toMatchObject({ replicas: 0, digest: secondDigests['hello-a'] });
      expect(deployed['hello-b-green']).toMatchObject({ replicas: 0, digest: secondDigests['hello-b'] });
      const records = await deployments.state.records();
      const rejectedId = second.job('result').step('result').outputs['release-id'] ?? '';
      expect(records[rejectedId]).toMatchObject({
        phase: 'rejected',
        color: 'green',
        verification: { passed: false },
      });
      const live = Object.values(records).filter((record) => record.id !== rejectedId);
      expect(live).toMatchObject([{ phase: 'promoted', color: 'blue' }]);
    });
  });
});

describe('deploy-group.yml, the other paths', () => {
  it("tests the overridden branch on standby and leaves it there, verified; the group's approval cannot be swapped", async () => {
    const deployments = deploymentsRepo('exit-0', 'production');
    try {
      const digests = await pushMasterImages();
      const feature = await putEcrImage(account.ecr, 'hello-b', [lastGoodTag('feature/login')]);
      const run = await timedRun(
        'deploy-group.yml, overrides and no promotion',
        runnerOptions(deployments.repo, {
          inputs: {
            group: 'master',
            overrides: 'hello-b=feature/login',
            'auto-promote': 'false',
            'approval-environment': 'qa',
          },
        }),
      );
      expect(run.exitCode, run.transcript()).toBe(0);
      expect(results(run)).toEqual({ deploy: 'success', test: 'success', result: 'success' });
      // The group names an approval environment: a dispatch cannot replace it with another.
      expect(run.job('deploy').step('deploy').outputs.approval).toBe('production');
      expect(run.job('deploy').step('settings').log).toContain(
        `::warning::the group's promotion.approval "production" applies; the input approval-environment "qa" cannot replace it`,
      );
      expect(run.job('deploy').step('settings').outputs.approval).toBe('production');
      expect(run.job('result').step('result').outputs).toMatchObject({
        passed: 'true',
        phase: 'verified',
        'live-colors': '{}',
      });
      expect(await deployments.state.liveSelectors()).toEqual({});
      const deployed = await deployments.state.deployments();
      expect(deployed['hello-a-blue']).toMatchObject({ replicas: 2, digest: digests['hello-a'] });
      expect(deployed['hello-b-blue']).toMatchObject({ replicas: 1, digest: feature });
      expect(Object.values(await deployments.state.records())).toMatchObject([{ phase: 'verified' }]);
    } finally {
      deployments.repo.remove();
    }
  }, 660_000);

  it('tests that cannot run (the test image is in no repository) fail the test job, and the standby still goes', async () => {
    const deployments = deploymentsRepo('missing');
    try {
      await pushMasterImages();
      const run = await timedRun(
        'deploy-group.yml, no test image',
        runnerOptions(deployments.repo, { inputs: { group: 'master' } }),
      );
      expect(run.exitCode).not.toBe(0);
      expect(results(run), run.transcript()).toEqual({
        deploy: 'success',
        test: 'failure',
        reject: 'success',
        result: 'success',
      });
      expect(run.job('test').step('test').log).toContain('suite/missing');
      expect(run.job('result').step('result').outputs).toMatchObject({ passed: '', phase: 'rejected' });
      expect(await deployments.state.deployments()).toMatchObject({
        'hello-a-blue': { replicas: 0 },
        'hello-b-blue': { replicas: 0 },
      });
      expect(Object.values(await deployments.state.records())).toMatchObject([{ phase: 'rejected' }]);
    } finally {
      deployments.repo.remove();
    }
  }, 660_000);

  it('refuses a group input that is a path (the concurrency group is keyed on the name), before any deploy', async () => {
    const deployments = deploymentsRepo('exit-0');
    try {
      const run = await runAct(runnerOptions(deployments.repo, { inputs: { group: 'groups/master.yaml' } }));
      expect(run.exitCode).not.toBe(0);
      expect(run.job('deploy').step('checked').log).toContain(
        '::error::Input group: expected the name of a group file (groups/<name>.yaml), such as master, got "groups/master.yaml"',
      );
      expect(run.standinCalls).toEqual([]);
      expect(await deployments.state.deployments()).toEqual({});
    } finally {
      deployments.repo.remove();
    }
  }, 300_000);
});

describe('nightly.yml', () => {
  it('deploys the master group through deploy-group.yml, and its verdict job gets the called workflow’s outputs', async () => {
    const deployments = deploymentsRepo('exit-0');
    try {
      const digests = await pushMasterImages();
      const run = await timedRun(
        'nightly.yml',
        runnerOptions(deployments.repo, { workflow: '.github/workflows/nightly.yml', event: 'schedule' }),
      );
      expect(run.exitCode, run.transcript()).toBe(0);
      // The called workflow's jobs, named <caller job>/<workflow>/<job>, then the caller's own.
      expect(run.jobs.map((job) => [job.id, job.result])).toEqual([
        ['deploy', 'success'],
        ['test', 'success'],
        ['promote', 'success'],
        ['result', 'success'],
        ['verdict', 'success'],
      ]);
      expect(run.job('deploy').name).toMatch(/^deploy\/deploy-group\//);
      const [record] = Object.values(await deployments.state.records());
      expect(record).toMatchObject({ phase: 'promoted', services: [{ digest: digests['hello-a'] }, {}] });
      expect(run.job('verdict').step('verdict').outputs).toEqual({
        'release-id': String(record?.id),
        passed: 'true',
        phase: 'promoted',
        'live-colors': '{"hello-a":"blue","hello-b":"blue"}',
      });
      expect(await deployments.state.liveSelectors()).toEqual({ 'hello-a': 'blue', 'hello-b': 'blue' });
    } finally {
      deployments.repo.remove();
    }
  }, 660_000);

  it('is red when the tests failed, though deploy-group.yml succeeded in rejecting the release', async () => {
    const deployments = deploymentsRepo('exit-1');
    try {
      await pushMasterImages();
      const run = await timedRun(
        'nightly.yml, failing suite',
        runnerOptions(deployments.repo, { workflow: '.github/workflows/nightly.yml', event: 'schedule' }),
      );
      expect(run.exitCode).not.toBe(0);
      expect(run.jobs.map((job) => [job.id, job.result])).toEqual([
        ['deploy', 'success'],
        ['test', 'success'],
        ['reject', 'success'],
        ['result', 'success'],
        ['verdict', 'failure'],
      ]);
      expect(run.job('verdict').step('verdict').outputs).toMatchObject({
        passed: 'false',
        phase: 'rejected',
      });
      expect(run.job('verdict').step('verdict').log).toContain(
        "::error title=nightly::the master group's integration tests failed",
      );
      expect(Object.values(await deployments.state.records())).toMatchObject([{ phase: 'rejected' }]);
      expect(await deployments.state.liveSelectors()).toEqual({});
    } finally {
      deployments.repo.remove();
    }
  }, 660_000);
});
