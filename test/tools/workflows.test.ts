/**
 * The workflows are code that runs with cloud credentials: lint them with actionlint (and
 * shellcheck for `run:` scripts), and hold them to the security rules of the design.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { toolPath } from '../stack/tools.ts';
import { REPO_ROOT } from '../support/action-runner.ts';

const WORKFLOW_DIR = join(REPO_ROOT, '.github/workflows');
const WORKFLOWS = readdirSync(WORKFLOW_DIR).filter((name) => /\.ya?ml$/.test(name));

interface Step {
  run?: string;
  uses?: string;
}
interface Job {
  permissions?: unknown;
  uses?: string;
  steps?: Step[];
}
interface Workflow {
  permissions?: unknown;
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
  });
});
