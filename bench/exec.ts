/**
 * Running the commands a benchmark measures or prepares with: bounded in time, output
 * captured, and (for measured ones) under GNU time, which reports the peak RSS of the
 * command and of every process it waited for (`%M`: the largest of them).
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubectlPath } from '../test/stack/tools.ts';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string;
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  allowFailure?: boolean;
}

export class CommandError extends Error {
  override name = 'CommandError';
}

export function run(command: string, args: readonly string[], options: RunOptions): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args,
      {
        timeout: options.timeoutMs,
        killSignal: 'SIGKILL',
        maxBuffer: 256 * 1024 * 1024,
        ...(options.env ? { env: options.env } : {}),
        ...(options.cwd ? { cwd: options.cwd } : {}),
      },
      (error, stdout, stderr) => {
        const timedOut = error !== null && (error as { killed?: boolean }).killed === true;
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        if (error && (timedOut || !options.allowFailure)) {
          const why = timedOut ? `did not finish within ${options.timeoutMs / 1000}s` : `exited with ${code}`;
          const tail = `${stdout.trim().split('\n').slice(-5).join('\n')}\n${stderr.trim().split('\n').slice(-15).join('\n')}`;
          reject(new CommandError(`${command} ${args.join(' ')} ${why}:\n${tail}`));
          return;
        }
        resolve({ code, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

export interface MeasuredResult extends CommandResult {
  wallMs: number;
  /** peak resident set size of the command (or the largest process it waited for), in bytes */
  peakRssBytes: number;
}

const GNU_TIME = '/usr/bin/time';

/** Runs a command under GNU time: wall time from spawn to exit, and peak RSS. Fails on a non-zero exit. */
export async function runMeasured(
  command: string,
  args: readonly string[],
  options: RunOptions,
): Promise<MeasuredResult> {
  if (!existsSync(GNU_TIME)) {
    throw new Error(`${GNU_TIME} (GNU time) is missing: run \`bash bench/install.sh\``);
  }
  const dir = mkdtempSync(join(tmpdir(), 'greenlight-bench-time-'));
  const rssFile = join(dir, 'rss');
  try {
    const started = performance.now();
    const result = await run(GNU_TIME, ['-f', '%M', '-o', rssFile, command, ...args], options);
    const wallMs = performance.now() - started;
    const kib = Number.parseInt(readFileSync(rssFile, 'utf8').trim().split('\n').pop() ?? '', 10);
    return { ...result, wallMs, peakRssBytes: Number.isFinite(kib) ? kib * 1024 : 0 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** kubectl against a kubeconfig, with its discovery cache in `cacheDir` (not the person's ~/.kube). */
export function kubectl(
  kubeconfig: string,
  cacheDir: string,
  args: readonly string[],
  options: Partial<RunOptions> = {},
): Promise<CommandResult> {
  return run(kubectlPath(), [`--kubeconfig=${kubeconfig}`, `--cache-dir=${cacheDir}`, ...args], {
    timeoutMs: 120_000,
    ...options,
  });
}

export interface LongRunning {
  pid: number;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
  exited(): boolean;
}

/** Starts a process that runs until stopped (its own process group, output to a log file). */
export function startLongRunning(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; logFd: number },
): LongRunning {
  const child = spawn(command, args, {
    env: options.env ?? process.env,
    stdio: ['ignore', options.logFd, options.logFd],
    detached: true,
  });
  let done = false;
  const exit = new Promise<void>((resolve) =>
    child.on('exit', () => {
      done = true;
      resolve();
    }),
  );
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  const pid = child.pid;
  stopOnInterrupt(pid);
  return {
    pid,
    exited: () => done,
    stop: async (graceMs = 5000) => {
      running.delete(pid);
      if (done) return;
      signalGroup(pid, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs);
      await exit;
      clearTimeout(timer);
    },
  };
}

const running = new Set<number>();
let interruptHandled = false;

/**
 * A long-running process is its own process group, so it would outlive a Ctrl-C of the
 * benchmark: kill it then. The exit waits a turn, so the stack's own handler runs too.
 */
function stopOnInterrupt(pid: number): void {
  if (!interruptHandled) {
    interruptHandled = true;
    const onSignal = () => {
      for (const p of running) signalGroup(p, 'SIGKILL');
      running.clear();
      setImmediate(() => process.exit(130));
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  running.add(pid);
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** Peak RSS so far (VmHWM) of a running process, in bytes; 0 when it cannot be read. */
export function peakRssOf(pid: number): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
