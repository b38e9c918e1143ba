/**
 * Cold start of each action bundle and of the CLI: a new Node process, from spawn to
 * exit, for an invocation that ends right after the inputs are validated (the action
 * rejects one invalid input, the CLI validates a generated groups dir and exits). The
 * median of several runs after one warm-up (the OS file cache is warm; the process is
 * new each time). And the bundles' sizes (every .js file of the dist folder).
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './exec.ts';

export interface Entry {
  name: string;
  /** the bundle's folder, relative to the repository */
  dist: string;
  args: string[];
  env: Record<string, string>;
  /** what the output must show, so the measure is of the path we mean */
  expect: { code: number; output: RegExp };
}

/** The invocations: each action with one input it rejects, the CLI validating `groupsDir`. */
export function coldStartEntries(repoRoot: string, groupsDir: string): Entry[] {
  const group = (name: string, extra: Record<string, string> = {}): Entry => ({
    name,
    dist: join('actions', name, 'dist'),
    args: [join(repoRoot, 'actions', name, 'dist', 'index.js')],
    env: { INPUT_GROUP: 'bench-no-such-group', 'INPUT_GROUPS-DIR': groupsDir, ...extra },
    expect: { code: 1, output: /::error::.*bench-no-such-group/ },
  });
  return [
    {
      name: 'build-push-ecr',
      dist: join('actions', 'build-push-ecr', 'dist'),
      args: [join(repoRoot, 'actions', 'build-push-ecr', 'dist', 'index.js')],
      env: { INPUT_REPOSITORY: 'Not A Valid Repository!' },
      expect: { code: 1, output: /::error::.*repository/i },
    },
    group('deploy-group'),
    group('run-integration'),
    group('switch-color', { INPUT_OPERATION: 'promote', 'INPUT_RELEASE-ID': 'bench' }),
    {
      name: 'cli',
      dist: join('dist', 'cli'),
      args: [join(repoRoot, 'bin', 'greenlight.js'), 'validate', '--groups-dir', groupsDir],
      env: {},
      expect: { code: 0, output: /./ },
    },
  ];
}

export async function measureColdStart(entry: Entry, repoRoot: string, runs = 7): Promise<number> {
  const scratch = mkdtempSync(join(tmpdir(), 'greenlight-bench-cold-'));
  const files = { GITHUB_OUTPUT: join(scratch, 'output'), GITHUB_STEP_SUMMARY: join(scratch, 'summary') };
  for (const file of Object.values(files)) writeFileSync(file, '');
  const env = { PATH: process.env.PATH ?? '', HOME: scratch, RUNNER_TEMP: scratch, ...files, ...entry.env };
  try {
    const times: number[] = [];
    for (let i = 0; i <= runs; i++) {
      const started = performance.now();
      const result = await run(process.execPath, entry.args, {
        env,
        cwd: repoRoot,
        timeoutMs: 30_000,
        allowFailure: true,
      });
      const ms = performance.now() - started;
      const output = `${result.stdout}${result.stderr}`;
      if (result.code !== entry.expect.code || !entry.expect.output.test(output)) {
        throw new Error(
          `${entry.name}: expected exit ${entry.expect.code} and output matching ${entry.expect.output}, got exit ${result.code}: ${output.slice(0, 500)}`,
        );
      }
      if (i > 0) times.push(ms); // the first run warms the file cache
    }
    return median(times);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Bytes of every .js/.mjs/.cjs file in the bundle's folder (what `node` loads); undefined when there is none. */
export function bundleBytes(repoRoot: string, dist: string): number | undefined {
  const dir = join(repoRoot, dist);
  if (!existsSync(dir)) return undefined;
  let total = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && /\.(c|m)?js$/.test(entry.name))
      total += statSync(join(entry.parentPath, entry.name)).size;
  }
  return total;
}
