/**
 * Starting, watching and stopping the stack's server processes. Each one runs
 * in its own process group (so stopping it also stops anything it forked),
 * writes stdout and stderr to its own log file, and is recorded by pid so that
 * another process (`stack:down`, the reaper) can stop it too.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

export interface RunningProcess {
  name: string;
  pid: number;
  log: string;
  /** exit code or signal once it has exited, else undefined (only known to the process that started it) */
  exit(): string | undefined;
}

export interface StartProcessOptions {
  name: string;
  command: string;
  args: string[];
  log: string;
  cwd: string;
  env?: NodeJS.ProcessEnv;
}

export function startProcess(options: StartProcessOptions): RunningProcess {
  const fd = openSync(options.log, 'a');
  let exited: string | undefined;
  try {
    const child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true, // own process group; survives the starter when it is `stack:up`
      stdio: ['ignore', fd, fd],
    });
    child.on('error', (error) => {
      exited = `failed to start: ${error.message}`;
    });
    child.on('exit', (code, signal) => {
      exited = signal ? `killed by ${signal}` : `exited with code ${code}`;
    });
    child.unref();
    if (child.pid === undefined) {
      throw new Error(`could not start ${options.name} (${options.command})`);
    }
    return { name: options.name, pid: child.pid, log: options.log, exit: () => exited };
  } finally {
    closeSync(fd);
  }
}

/** True while the process group led by `pid` has a member. */
export function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** SIGTERM every group, wait up to `graceMs` for them to go, then SIGKILL what is left. */
export async function stopGroups(pids: readonly number[], graceMs = 5000): Promise<void> {
  for (const pid of pids) signalGroup(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && pids.some(groupAlive)) await sleep(50);
  for (const pid of pids) if (groupAlive(pid)) signalGroup(pid, 'SIGKILL');
  const killDeadline = Date.now() + 2000;
  while (Date.now() < killDeadline && pids.some(groupAlive)) await sleep(20);
}

/** For signal handlers and `exit` hooks, which cannot wait: SIGKILL at once. */
export function killGroupsNow(pids: readonly number[]): void {
  for (const pid of pids) signalGroup(pid, 'SIGKILL');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function tail(path: string, lines = 25): string {
  if (!existsSync(path)) return '(no log written)';
  const text = readFileSync(path, 'utf8').trimEnd();
  // some components log very long lines: keep each readable
  return text
    .split('\n')
    .slice(-lines)
    .map((line) => (line.length > 600 ? `${line.slice(0, 600)} [...]` : line))
    .join('\n');
}

/**
 * `count` distinct free TCP ports on 127.0.0.1. All listeners are held open
 * until every port is chosen, so one call never returns a port twice; another
 * process could still take one before the server binds it, which the start-up
 * reports as that component failing (with "address already in use" in its log).
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<import('node:net').Server>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => {
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port assigned');
    return address.port;
  });
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  return ports;
}

export class ComponentFailedError extends Error {
  override name = 'ComponentFailedError';
  readonly component: string;
  readonly log: string;
  constructor(component: string, reason: string, log: string) {
    super(`local stack: ${component} ${reason}\n  log: ${log}\n  last lines:\n${indent(tail(log), '    ')}`);
    this.component = component;
    this.log = log;
  }
}

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((line) => prefix + line)
    .join('\n');
}

/**
 * Polls `check` (every `intervalMs`, each call bounded by the check itself)
 * until it returns true, the process exits, or `timeoutMs` passes.
 */
export async function waitUntilReady(
  proc: RunningProcess,
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  for (;;) {
    const exit = proc.exit();
    if (exit !== undefined) throw new ComponentFailedError(proc.name, `${exit} before ${what}`, proc.log);
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() >= deadline) {
      const detail = lastError ? ` (last error: ${lastError})` : '';
      throw new ComponentFailedError(
        proc.name,
        `did not reach "${what}" within ${timeoutMs / 1000}s${detail}`,
        proc.log,
      );
    }
    await sleep(intervalMs);
  }
}
