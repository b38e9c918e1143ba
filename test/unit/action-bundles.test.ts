import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NODE24, REPO_ROOT, readActionMetadata, runActionBundle } from '../support/action-runner.ts';

const ACTIONS = readdirSync(join(REPO_ROOT, 'actions'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

describe('action bundles', () => {
  it('covers the four actions of the design', () => {
    expect(ACTIONS).toEqual(['build-push-ecr', 'deploy-group', 'run-integration', 'switch-color']);
  });

  it('runs them on Node 24, the runtime action.yml declares', () => {
    expect(execFileSync(NODE24, ['--version'], { encoding: 'utf8' })).toMatch(/^v24\./);
  });

  describe.each(ACTIONS)('%s', (action) => {
    const metadata = readActionMetadata(action);
    const required = Object.entries(metadata.inputs)
      .filter(([, spec]) => spec.required)
      .map(([name]) => name);

    it('declares node24, its bundle, and documents every input and output', () => {
      // One shared bundle: each action.yml points at its small entry in the repository's dist/.
      expect(metadata.runs).toEqual({ using: 'node24', main: `../../dist/actions/${action}.js` });
      expect(metadata.description.length).toBeGreaterThan(20);
      for (const spec of [...Object.values(metadata.inputs), ...Object.values(metadata.outputs)]) {
        expect(spec.description.trim().length).toBeGreaterThan(10);
      }
      expect(required.length).toBeGreaterThan(0);
      expect(existsSync(join(REPO_ROOT, 'actions', action, metadata.runs.main))).toBe(true);
      expect(JSON.parse(readFileSync(join(REPO_ROOT, 'dist/package.json'), 'utf8'))).toEqual({
        type: 'module',
      });
    });

    it('documents every input and output in its README', () => {
      const readme = readFileSync(join(REPO_ROOT, 'actions', action, 'README.md'), 'utf8');
      for (const name of [...Object.keys(metadata.inputs), ...Object.keys(metadata.outputs)]) {
        expect(readme, `README of ${action} lacks ${name}`).toContain(`\`${name}\``);
      }
      expect(readme).toMatch(/## Permissions/);
      expect(readme).toContain(`uses: greenlight-dev/greenlight/actions/${action}@`);
    });

    it.each(required)('fails with exit code 1 and names the missing required input %s', (missing) => {
      const given = Object.fromEntries(
        required.filter((name) => name !== missing).map((name) => [name, 'x']),
      );
      const run = runActionBundle(action, { ...given, [missing]: '' });
      expect(run.exitCode).toBe(1);
      expect(run.stdout).toContain(`::error::Input required and not supplied: ${missing}`);
      expect(run.outputs).toEqual({ failure: 'input-invalid' });
    });
  });
});

describe('malformed inputs', () => {
  it.each([
    [
      'deploy-group',
      { group: 'master', timeout: 'soon' },
      'Input "timeout": expected a duration like 30s, 10m or 1h, got "soon"',
    ],
    [
      'deploy-group',
      { group: 'master', 'dry-run': 'yes' },
      'Input "dry-run": expected true or false, got "yes"',
    ],
    ['deploy-group', { group: '../etc/passwd' }, 'Input "group": expected a group name such as "master"'],
    [
      'switch-color',
      { group: 'master', operation: 'flip' },
      'Input "operation": expected one of promote, reject, rollback, got "flip"',
    ],
    [
      'switch-color',
      { group: 'master', operation: 'promote', force: 'true' },
      'Input "reason" is required with force: true; it is recorded with the release',
    ],
    [
      'switch-color',
      { group: 'master', operation: 'reject', force: 'true', reason: 'x' },
      'Input "force" applies to promote only, not to reject',
    ],
    [
      'switch-color',
      { group: 'master', operation: 'promote', 'scale-down-delay': 'later' },
      'Input "scale-down-delay": expected a duration like 30s or 2m, or keep, got "later"',
    ],
    [
      'run-integration',
      { group: 'master', mode: 'pod' },
      'Input "mode": expected one of auto, job, command, got "pod"',
    ],
  ] as const)('%s rejects %j', (action, inputs, message) => {
    const run = runActionBundle(action, inputs);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(`::error::${message}`);
  });
});
