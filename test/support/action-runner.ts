/**
 * Runs an action's committed bundle the way the GitHub runner does: Node 24, every input
 * as `INPUT_<NAME>` (defaults from action.yml filled in), and GITHUB_OUTPUT /
 * GITHUB_STEP_SUMMARY files. Used by the bundle tests of every action.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

export const REPO_ROOT = new URL('../..', import.meta.url).pathname;
export const NODE24 = join(REPO_ROOT, 'node_modules/.bin/node');

export interface ActionMetadata {
  name: string;
  description: string;
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string };
}

export function readActionMetadata(action: string): ActionMetadata {
  return parse(readFileSync(join(REPO_ROOT, 'actions', action, 'action.yml'), 'utf8')) as ActionMetadata;
}

export interface ActionRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
}

/** The runner's name mangling: upper case, spaces to underscores; hyphens stay. */
export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/** Expressions in defaults (`${{ github.token }}`) are evaluated by the runner; tests pass a stand-in. */
function evaluateDefault(value: string): string {
  return value.replace(/\$\{\{\s*github\.token\s*\}\}/g, 'ghs_test_token_from_runner');
}

export function runActionBundle(
  action: string,
  inputs: Record<string, string>,
  env: Record<string, string> = {},
): ActionRun {
  const metadata = readActionMetadata(action);
  const dir = mkdtempSync(join(tmpdir(), `greenlight-${action}-`));
  try {
    const outputFile = join(dir, 'output');
    const summaryFile = join(dir, 'summary');
    writeFileSync(outputFile, '');
    writeFileSync(summaryFile, '');
    const inputEnv: Record<string, string> = {};
    for (const [name, spec] of Object.entries(metadata.inputs)) {
      if (spec.default !== undefined) inputEnv[inputEnvName(name)] = evaluateDefault(spec.default);
    }
    for (const [name, value] of Object.entries(inputs)) inputEnv[inputEnvName(name)] = value;
    const result = spawnSync(NODE24, [join(REPO_ROOT, 'actions', action, metadata.runs.main)], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: dir,
        RUNNER_TEMP: dir,
        GITHUB_ACTIONS: 'true',
        GITHUB_WORKSPACE: dir,
        GITHUB_OUTPUT: outputFile,
        GITHUB_STEP_SUMMARY: summaryFile,
        ...inputEnv,
        ...env,
      },
    });
    return {
      exitCode: result.status,
      stdout: result.stdout,
      stderr: result.stderr,
      outputs: parseOutputFile(readFileSync(outputFile, 'utf8')),
      summary: readFileSync(summaryFile, 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Parses the `name<<DELIMITER ... DELIMITER` blocks @actions/core writes to GITHUB_OUTPUT. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<=]+)<<(.+)$/.exec(lines[i] ?? '');
    if (!match?.[1] || !match[2]) continue;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== match[2]; i++) value.push(lines[i] ?? '');
    outputs[match[1]] = value.join('\n');
  }
  return outputs;
}
