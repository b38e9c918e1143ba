/**
 * Runs an action's committed bundle the way the GitHub runner does: Node 24, every input
 * as `INPUT_<NAME>` (defaults from action.yml filled in), and GITHUB_OUTPUT /
 * GITHUB_STEP_SUMMARY files. Used by the bundle tests of every action.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { CommandSpec } from './process-group.ts';

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
  /** GITHUB_OUTPUT as the action wrote it (delimiters and all) */
  outputText: string;
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

interface PreparedRun {
  dir: string;
  outputFile: string;
  summaryFile: string;
  entry: string;
  env: NodeJS.ProcessEnv;
}

function prepareRun(
  action: string,
  inputs: Record<string, string>,
  env: Record<string, string>,
): PreparedRun {
  const metadata = readActionMetadata(action);
  const dir = mkdtempSync(join(tmpdir(), `greenlight-${action}-`));
  const outputFile = join(dir, 'output');
  const summaryFile = join(dir, 'summary');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const inputEnv: Record<string, string> = {};
  for (const [name, spec] of Object.entries(metadata.inputs)) {
    if (spec.default !== undefined) inputEnv[inputEnvName(name)] = evaluateDefault(spec.default);
  }
  for (const [name, value] of Object.entries(inputs)) inputEnv[inputEnvName(name)] = value;
  return {
    dir,
    outputFile,
    summaryFile,
    entry: join(REPO_ROOT, 'actions', action, metadata.runs.main),
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
  };
}

function finishRun(run: PreparedRun, exitCode: number | null, stdout: string, stderr: string): ActionRun {
  try {
    const outputText = readFileSync(run.outputFile, 'utf8');
    return {
      exitCode,
      stdout,
      stderr,
      outputs: parseOutputFile(outputText),
      outputText,
      summary: readFileSync(run.summaryFile, 'utf8'),
    };
  } finally {
    rmSync(run.dir, { recursive: true, force: true });
  }
}

export function runActionBundle(
  action: string,
  inputs: Record<string, string>,
  env: Record<string, string> = {},
): ActionRun {
  const run = prepareRun(action, inputs, env);
  const result = spawnSync(NODE24, [run.entry], {
    cwd: run.dir,
    encoding: 'utf8',
    timeout: 60_000,
    env: run.env,
  });
  return finishRun(run, result.status, result.stdout, result.stderr);
}

/**
 * The same, without blocking this process: for runs that talk to a server this test process
 * itself serves (the strict GitHub fake), which spawnSync would starve.
 */
export function runActionBundleAsync(
  action: string,
  inputs: Record<string, string>,
  env: Record<string, string> = {},
  timeoutMs = 120_000,
): Promise<ActionRun> {
  const run = prepareRun(action, inputs, env);
  return new Promise((resolve) => {
    const child = spawn(NODE24, [run.entry], {
      cwd: run.dir,
      env: run.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve(finishRun(run, code, stdout, stderr));
    });
  });
}

/**
 * The same run as a command of its own, for test/support/process-group.ts (and the secret
 * scan, which samples its process tree): start `command`, then hand its exit and output to
 * `finish` for the outputs and summary it wrote.
 */
export function actionBundleCommand(
  action: string,
  inputs: Record<string, string>,
  env: Record<string, string> = {},
  timeoutMs = 120_000,
): { command: CommandSpec; finish(exitCode: number | null, stdout: string, stderr: string): ActionRun } {
  const run = prepareRun(action, inputs, env);
  return {
    command: { command: NODE24, args: [run.entry], cwd: run.dir, env: run.env, timeoutMs },
    finish: (exitCode, stdout, stderr) => finishRun(run, exitCode, stdout, stderr),
  };
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
