/**
 * What a test run needs beside the engine's usual deps: the test Job in the cluster, the
 * runner side of a test command (run it, forward ports to the standby, read its report),
 * and the team reporter (GitHub when a token is given, else none).
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_JUNIT_LIMITS } from '../core/junit/parse.ts';
import type { ImageRegistry, ProgressLog, TestCommands } from '../core/ports.ts';
import { disabledTeamReporter, type TeamReporter } from '../core/report/ports.ts';
import { colorServiceName } from '../core/workload.ts';
import type { EngineDeps } from '../engine/deps.ts';
import type { TestDeps } from '../engine/test-run.ts';
import { createCommandRunner } from '../exec/command-runner.ts';
import { createGitHubReporter } from '../github/reporter.ts';
import type { KubeClient } from '../kube/client.ts';
import { kubeTestJobs } from '../kube/jobs.ts';
import { forwardService } from '../kube/port-forward.ts';
import type { Env } from './connect.ts';

export function testDepsFor(
  engine: EngineDeps,
  client: KubeClient,
  options: { images: ImageRegistry; env: Env; reporter: TeamReporter; tempRoot?: string | undefined },
): TestDeps {
  return {
    ...engine,
    images: options.images,
    jobs: kubeTestJobs(client, engine.cluster.namespace),
    commands: runnerTestCommands(client, engine.cluster.namespace, engine.log, options.env, options.tempRoot),
    reporter: options.reporter,
  };
}

/** The command runs with the runner's environment plus the test's, in a process group of its own. */
function runnerTestCommands(
  client: KubeClient,
  namespace: string,
  log: ProgressLog,
  env: Env,
  tempRoot: string | undefined,
): TestCommands {
  const runner = createCommandRunner({ info: (line) => log.info(line), warning: (line) => log.warn(line) });
  const base = Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  return {
    async run(command) {
      const [program = '', ...args] = command.argv;
      const result = await runner.run(program, args, {
        env: { ...base, ...command.env },
        cwd: command.cwd,
        timeoutMs: command.timeoutMs,
        processGroup: true,
        ...(command.signal ? { signal: command.signal } : {}),
      });
      return {
        exitCode: result.exitCode,
        stdout: result.stdout,
        stderr: result.stderr,
        timedOut: result.timedOut === true,
      };
    },
    forward: ({ service, color, port }) =>
      forwardService(client, namespace, colorServiceName(service, color), port, (message) =>
        log.warn(message),
      ),
    async readReport(path) {
      try {
        return readAtMost(path, DEFAULT_JUNIT_LIMITS.maxBytes + 1);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async tempDir() {
      const path = await mkdtemp(join(tempRoot ?? tmpdir(), 'greenlight-test-'));
      return { path, remove: () => rm(path, { recursive: true, force: true }) };
    },
  };
}

/** At most `limit` bytes: a report too large is then refused by size by the parser, without reading it all. */
function readAtMost(path: string, limit: number): string {
  const size = statSync(path).size;
  const buffer = Buffer.alloc(Math.min(size, limit));
  const fd = openSync(path, 'r');
  try {
    return buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, 0)).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** GitHub when a token is given (GITHUB_TOKEN, or the action's github-token input); no reporting otherwise. */
export function teamReporterFor(token: string | undefined, env: Env, log: ProgressLog): TeamReporter {
  if (!token)
    return disabledTeamReporter(
      'no GitHub token (set GITHUB_TOKEN to comment on pull requests and set commit statuses)',
    );
  return createGitHubReporter({
    token,
    baseUrl: env.GITHUB_API_URL ?? 'https://api.github.com',
    // The comment author is found through GET /user (or, for an installation token, the
    // oldest marker comment by a bot), so any token finds its own comment again.
    log: { info: (line) => log.info(line), warning: (line) => log.warn(line) },
  });
}
