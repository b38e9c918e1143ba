/**
 * Cold start of each action bundle and of the CLI: a new Node process, from spawn to
 * exit, for an invocation that ends right after the inputs are validated (the action
 * rejects one invalid input, the CLI validates a generated groups dir and exits). The
 * median of several runs after one warm-up (the OS file cache is warm; the process is
 * new each time). And the bundles' sizes (every .js file of the dist folder).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { run } from './exec.ts';

export interface Entry {
  name: string;
  /** the entry file of the shared bundle, relative to the repository */
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
    dist: join('dist', 'actions', `${name}.js`),
    args: [join(repoRoot, 'dist', 'actions', `${name}.js`)],
    env: { INPUT_GROUP: 'bench-no-such-group', 'INPUT_GROUPS-DIR': groupsDir, ...extra },
    expect: { code: 1, output: /::error::.*bench-no-such-group/ },
  });
  return [
    {
      name: 'build-push-ecr',
      dist: join('dist', 'actions', 'build-push-ecr.js'),
      args: [join(repoRoot, 'dist', 'actions', 'build-push-ecr.js')],
      env: { INPUT_REPOSITORY: 'Not A Valid Repository!' },
      expect: { code: 1, output: /::error::.*repository/i },
    },
    group('deploy-group'),
    group('run-integration'),
    group('switch-color', { INPUT_OPERATION: 'promote', 'INPUT_RELEASE-ID': 'bench' }),
    {
      name: 'cli',
      dist: join('dist', 'cli.js'),
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

/**
 * Bytes an entry of the shared bundle can load: its own file and every chunk it imports,
 * statically or lazily (the whole closure, what one run may read); undefined when missing.
 */
export function bundleBytes(repoRoot: string, entry: string): number | undefined {
  const first = join(repoRoot, entry);
  if (!existsSync(first)) return undefined;
  const seen = new Set<string>();
  const pending = [first];
  let total = 0;
  for (let file = pending.pop(); file; file = pending.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    total += statSync(file).size;
    // esbuild's chunk references; strings in bundled library code that look alike are not files of dist/.
    for (const match of text.matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+\.js)["']/g)) {
      const target = match[1] ? join(dirname(file), match[1]) : '';
      if (target.startsWith(join(repoRoot, 'dist')) && existsSync(target)) pending.push(target);
    }
  }
  return total;
}
