/**
 * The act harness (test/support/act.ts) on small workflows, with the real act: what it
 * reports (job results, outputs across jobs, matrix, summaries), what it keeps out (the
 * test's environment, the internet, actions without a stand-in), the stand-ins, and that
 * a run is bounded and leaves no process behind. No stack needed.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ActSetupError, runAct } from '../support/act.ts';
import { createWorkflowRepo, type WorkflowRepo } from '../support/workflow-repo.ts';

const work = mkdtempSync(join(tmpdir(), 'greenlight-act-harness-'));
const repos: WorkflowRepo[] = [];
afterAll(() => {
  for (const repo of repos) repo.remove();
  rmSync(work, { recursive: true, force: true });
});

/** A process's state letter from /proc (R, S, Z, ...), or "gone". */
function processState(pid: string): string {
  if (!existsSync(`/proc/${pid}/stat`)) return 'gone';
  try {
    return /\) (\S)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1] ?? 'gone';
  } catch {
    return 'gone';
  }
}

/** A workflow expression, `${{ inner }}`, written without the literal (biome flags it in strings). */
const expr = (inner: string) => `${'$'}{{ ${inner} }}`;

function repoWith(workflow: string): WorkflowRepo {
  const repo = createWorkflowRepo({
    fullName: 'acme/probe',
    files: { '.github/workflows/probe.yml': workflow },
  });
  repos.push(repo);
  return repo;
}

const PROBE = `name: probe
on:
  push:
  workflow_dispatch:
    inputs:
      who:
        description: who to greet
        type: string
permissions: {}
jobs:
  produce:
    runs-on: ubuntu-latest
    outputs:
      word: ${expr('steps.say.outputs.word')}
    steps:
      - id: say
        env:
          WHO: ${expr('inputs.who')}
        run: |
          echo "word=hello $WHO" >> "$GITHUB_OUTPUT"
          echo "### probe summary" >> "$GITHUB_STEP_SUMMARY"
          echo "node $(node --version), probe=\${PROBE_FROM_TEST:-unset}"
  consume:
    needs: produce
    runs-on: ubuntu-latest
    strategy:
      fail-fast: false
      matrix:
        n: [1, 2]
    steps:
      - id: check
        env:
          WORD: ${expr('needs.produce.outputs.word')}
          N: ${expr('matrix.n')}
        run: |
          echo "got $WORD for $N"
          test "$N" = 1
`;

describe('runAct', () => {
  it('reports jobs, step outputs across jobs, matrix results and summaries; a failed job fails the run', async () => {
    process.env.PROBE_FROM_TEST = 'leaked';
    try {
      const repo = repoWith(PROBE);
      const run = await runAct({
        repo: repo.dir,
        workflow: '.github/workflows/probe.yml',
        event: 'workflow_dispatch',
        inputs: { who: 'probe' },
        timeoutMs: 120_000,
      });
      expect(run.exitCode, run.transcript()).not.toBe(0);
      const say = run.job('produce').step('say');
      expect(say.outputs).toEqual({ word: 'hello probe' });
      expect(say.summary).toBe('### probe summary\n');
      // Node 24 from node_modules/.bin comes first; the test process's variables do not leak in.
      expect(say.log).toMatch(/node v24\.\d+\.\d+, probe=unset/);
      expect(run.job('consume', { n: 1 }).result, run.transcript()).toBe('success');
      expect(run.job('consume', { n: 1 }).step('check').log).toContain('got hello probe for 1');
      expect(run.job('consume', { n: 2 }).result).toBe('failure');
      expect(run.job('consume', { n: 2 }).step('check').result).toBe('failure');
      expect(() => run.job('consume')).toThrow(/expected one job "consume"/);
      expect(run.refused).toEqual([]);
    } finally {
      delete process.env.PROBE_FROM_TEST;
    }
  }, 180_000);

  it("runs a called workflow (workflow_call): its jobs are named <caller job>/<workflow>/<job>, its outputs reach the caller's next job", async () => {
    const repo = createWorkflowRepo({
      fullName: 'acme/probe',
      files: {
        '.github/workflows/caller.yml': `name: caller
on: workflow_dispatch
permissions: {}
jobs:
  call:
    uses: ./.github/workflows/inner.yml
    with:
      word: hi
  after:
    needs: call
    runs-on: ubuntu-latest
    steps:
      - id: show
        env:
          GOT: ${expr('needs.call.outputs.result')}
        run: echo "got $GOT"
`,
        '.github/workflows/inner.yml': `name: inner
on:
  workflow_call:
    inputs:
      word: { type: string, required: true }
    outputs:
      result:
        value: ${expr('jobs.work.outputs.result')}
jobs:
  work:
    runs-on: ubuntu-latest
    outputs:
      result: ${expr('steps.make.outputs.result')}
    steps:
      - id: make
        env:
          WORD: ${expr('inputs.word')}
        run: echo "result=$WORD there" >> "$GITHUB_OUTPUT"
`,
      },
    });
    repos.push(repo);
    const run = await runAct({
      repo: repo.dir,
      workflow: '.github/workflows/caller.yml',
      event: 'workflow_dispatch',
    });
    expect(run.exitCode, run.transcript()).toBe(0);
    expect(run.jobs.map((job) => [job.id, job.name])).toEqual([
      ['work', 'call/inner/work'],
      ['after', 'caller/after'],
    ]);
    expect(run.job('work').step('make').outputs).toEqual({ result: 'hi there' });
    expect(run.job('after').step('show').log).toContain('got hi there');
  }, 180_000);

  it('passes secrets through a file and masks them in the log', async () => {
    const secret = 'greenlight-probe-secret-value-4711';
    const repo = repoWith(`name: secret
on: push
permissions: {}
jobs:
  show:
    runs-on: ubuntu-latest
    steps:
      - id: show
        env:
          TOKEN: ${expr('secrets.TOKEN')}
        run: |
          echo "token is $TOKEN"
          test "\${#TOKEN}" = ${secret.length}
`);
    const run = await runAct({
      repo: repo.dir,
      workflow: '.github/workflows/probe.yml',
      event: 'push',
      secrets: { TOKEN: secret },
      timeoutMs: 120_000,
    });
    expect(run.exitCode, run.transcript()).toBe(0);
    expect(run.job('show').step('show').log).toContain('token is ***');
    // What a person reads (act's messages) never holds it; act's --json keeps command arguments unmasked.
    expect(run.events.map((event) => event.msg).join('\n')).not.toContain(secret);
  }, 180_000);

  it('keeps the run off the internet: a request outside goes to the refusing proxy and fails', async () => {
    const repo = repoWith(`name: net
on: push
permissions: {}
jobs:
  fetch:
    runs-on: ubuntu-latest
    steps:
      - id: curl
        run: curl -sS --max-time 20 https://example.com/
`);
    const run = await runAct({ repo: repo.dir, workflow: '.github/workflows/probe.yml', event: 'push' });
    expect(run.job('fetch').step('curl').result).toBe('failure');
    expect(run.refused).toEqual(['CONNECT example.com:443']);
  }, 180_000);

  it('refuses, before act starts, a workflow using a remote action that has no stand-in', async () => {
    const repo = repoWith(`name: remote
on: push
permissions: {}
jobs:
  cache:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/cache@27d5ce7f107fe9357f9df03efb73ab90386fccae # v5.0.5
        with:
          path: x
          key: y
`);
    await expect(
      runAct({ repo: repo.dir, workflow: '.github/workflows/probe.yml', event: 'push' }),
    ).rejects.toThrow(
      new ActSetupError(
        '.github/workflows/probe.yml: "uses: actions/cache@27d5ce7f107fe9357f9df03efb73ab90386fccae" has no stand-in in test/support/act-standins and no local copy: act would fetch it from github.com',
      ),
    );
  });

  it('kills a run after its timeout, with the processes its steps started', async () => {
    const pidFile = join(work, 'sleep.pid');
    const repo = repoWith(`name: slow
on: push
permissions: {}
jobs:
  slow:
    runs-on: ubuntu-latest
    steps:
      - run: |
          sleep 300 &
          echo $! > "$PID_FILE"
          wait
`);
    const run = await runAct({
      repo: repo.dir,
      workflow: '.github/workflows/probe.yml',
      event: 'push',
      env: { PID_FILE: pidFile },
      timeoutMs: 8_000,
    });
    expect(run.timedOut).toBe(true);
    const pid = readFileSync(pidFile, 'utf8').trim();
    expect(pid).toMatch(/^\d+$/);
    // The step (and its background sleep) ran in a session of its own; it is killed all the same.
    // Nobody may reap it here (pid 1 of a container), so it can linger as a zombie: dead all the same.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(processState(pid)).toMatch(/^(gone|Z)$/);
  }, 60_000);
});

describe('the stand-ins', () => {
  const ROLE = 'arn:aws:iam::210987654321:role/greenlight-deploy';
  const aws = {
    endpoint: 'http://127.0.0.1:9',
    roles: {
      [ROLE]: {
        accountId: '210987654321',
        accessKeyId: 'ASIAPROBE',
        secretAccessKey: 'probe-secret-access-key-123456',
        sessionToken: 'probe-session-token-123456',
      },
    },
  };
  const workflow = (role: string, node: string) => `name: standins
on: push
permissions: {}
jobs:
  aws:
    runs-on: ubuntu-latest
    steps:
      - id: node
        uses: actions/setup-node@820762786026740c76f36085b0efc47a31fe5020 # v7.0.0
        with:
          node-version: "${node}"
      - id: creds
        uses: aws-actions/configure-aws-credentials@e6de054238d6b7531b4efff3b6587d9aade6a06c # v6.2.3
        with:
          role-to-assume: ${role}
          aws-region: eu-central-1
      - id: env
        run: echo "region=$AWS_REGION endpoint=$AWS_ENDPOINT_URL key=$AWS_ACCESS_KEY_ID"
`;

  it('configure-aws-credentials exports the role credentials and moto endpoint; setup-node checks the major', async () => {
    const repo = repoWith(workflow(ROLE, '24'));
    const run = await runAct({ repo: repo.dir, workflow: '.github/workflows/probe.yml', event: 'push', aws });
    expect(run.exitCode, run.transcript()).toBe(0);
    const job = run.job('aws');
    expect(job.step('node').outputs['node-version']).toMatch(/^v24\./);
    expect(job.step('creds').outputs['aws-account-id']).toBe('210987654321');
    expect(job.step('env').log).toContain('region=eu-central-1 endpoint=http://127.0.0.1:9 key=ASIAPROBE');
    expect(run.standinCalls).toEqual([
      { action: 'actions/setup-node', job: 'aws', inputs: { 'node-version': '24' } },
      {
        action: 'aws-actions/configure-aws-credentials',
        job: 'aws',
        inputs: { 'aws-region': 'eu-central-1', 'role-to-assume': ROLE },
      },
    ]);
    expect(run.events.map((event) => event.msg).join('\n')).not.toContain('probe-secret-access-key-123456');
  }, 180_000);

  it('a role the test did not make assumable fails like AWS refusing it', async () => {
    const other = 'arn:aws:iam::210987654321:role/someone-else';
    const repo = repoWith(workflow(other, '24'));
    const run = await runAct({ repo: repo.dir, workflow: '.github/workflows/probe.yml', event: 'push', aws });
    expect(run.job('aws').step('creds').result).toBe('failure');
    expect(run.job('aws').step('creds').log).toContain(
      `::error::Could not assume role with OIDC: Not authorized to perform sts:AssumeRoleWithWebIdentity (${other})`,
    );
    expect(run.job('aws').steps.find((step) => step.id === 'env')?.result).toBeUndefined();
  }, 180_000);

  it("the AWS CLI stand-in writes the kubeconfig of a known cluster, only with the assumed role's credentials", async () => {
    const kubeconfig = join(work, 'stack-kubeconfig');
    writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\n# the stack\n');
    const repo = repoWith(`name: eks
on: push
permissions: {}
jobs:
  eks:
    runs-on: ubuntu-latest
    steps:
      - id: anonymous
        continue-on-error: true
        run: aws eks update-kubeconfig --name probe --region eu-central-1 --kubeconfig "$RUNNER_TEMP/none"
      - id: creds
        uses: aws-actions/configure-aws-credentials@e6de054238d6b7531b4efff3b6587d9aade6a06c # v6.2.3
        with:
          role-to-assume: ${ROLE}
          aws-region: eu-central-1
      - id: unknown
        continue-on-error: true
        run: aws eks update-kubeconfig --name elsewhere
      - id: other
        continue-on-error: true
        run: aws s3 ls
      - id: known
        run: |
          aws eks update-kubeconfig --name probe --kubeconfig "$RUNNER_TEMP/kube/config"
          cat "$RUNNER_TEMP/kube/config"
`);
    const run = await runAct({
      repo: repo.dir,
      workflow: '.github/workflows/probe.yml',
      event: 'push',
      aws,
      eks: { clusters: { probe: kubeconfig } },
    });
    const job = run.job('eks');
    expect(job.step('anonymous').result).toBe('failure');
    expect(job.step('anonymous').log).toContain('Unable to locate credentials.');
    expect(job.step('unknown').result).toBe('failure');
    expect(job.step('unknown').log).toContain(
      'An error occurred (ResourceNotFoundException) when calling the DescribeCluster operation: No cluster found for name: elsewhere.',
    );
    expect(job.step('other').log).toContain('only does "aws eks update-kubeconfig"');
    expect(job.step('known').result, run.transcript()).toBe('success');
    expect(job.step('known').log).toMatch(
      /Added new context arn:aws:eks:eu-central-1:210987654321:cluster\/probe to \S+\/kube\/config\n/,
    );
    expect(job.step('known').log).toContain('# the stack');
    expect(run.standinCalls.filter((call) => call.action === 'aws').map((call) => call.inputs.args)).toEqual([
      expect.stringMatching(/^eks update-kubeconfig --name probe --region eu-central-1 --kubeconfig /),
      'eks update-kubeconfig --name elsewhere',
      's3 ls',
      expect.stringMatching(/^eks update-kubeconfig --name probe --kubeconfig /),
    ]);
  }, 180_000);

  it('setup-node fails for a Node the runner does not have', async () => {
    const repo = repoWith(workflow(ROLE, '20'));
    const run = await runAct({ repo: repo.dir, workflow: '.github/workflows/probe.yml', event: 'push', aws });
    expect(run.job('aws').step('node').result).toBe('failure');
    expect(run.job('aws').step('node').log).toMatch(
      /node-version 20 asked for, but the runner's Node is 24\./,
    );
  }, 180_000);
});
