/**
 * The one place Greenlight runs external commands: builders (docker, buildah), git, and
 * the group's test command.
 * Secrets go to a command on stdin only; whatever is logged or kept in the history is
 * redacted first, so a password can reach neither the job log nor an error message.
 */
import { spawn } from 'node:child_process';
import { GreenlightError } from '../core/errors.ts';

export interface Logger {
  info(message: string): void;
  warning(message: string): void;
}

export interface CommandOptions {
  cwd?: string;
  /** Written to the command's stdin, then closed: the only way a secret reaches a command. */
  stdin?: string;
  /** Killed after this long (default 30 min, a build's upper bound). */
  timeoutMs?: number;
  /** Default true: stream output lines to the log. Quiet commands only keep them. */
  echo?: boolean;
  /** The command's environment, instead of the runner's. */
  env?: NodeJS.ProcessEnv;
  /**
   * Run it in a process group of its own and, at the timeout, kill the whole group: a test
   * command (`npm start`) leaves no grandchildren behind.
   */
  processGroup?: boolean;
  /** Stops the command (its whole group with processGroup) when aborted. */
  signal?: AbortSignal;
}

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** Set when the command was killed at its timeout. */
  timedOut?: boolean;
}

/** One command as run, redacted: what the leak test scans and what a failure message shows. */
export interface CommandRecord extends CommandResult {
  argv: string[];
}

export interface CommandRunner {
  /** Runs a command; a non-zero exit is returned, not thrown. */
  run(command: string, args: readonly string[], options?: CommandOptions): Promise<CommandResult>;
  /** Runs a command and throws a GreenlightError naming it when it fails. */
  check(command: string, args: readonly string[], options?: CommandOptions): Promise<CommandResult>;
  /** Every value registered here is replaced by `***` in logs, history and errors from now on. */
  addSecret(secret: string): void;
  readonly history: readonly CommandRecord[];
}

const DEFAULT_TIMEOUT_MS = 30 * 60_000;

/**
 * `env` is the environment of every command; without it they inherit this process's, as
 * `spawn` does (the entry point decides, this module never reads process.env).
 */
export function createCommandRunner(log: Logger, env?: NodeJS.ProcessEnv): CommandRunner {
  const secrets: string[] = [];
  const history: CommandRecord[] = [];
  const redact = (text: string): string =>
    secrets.reduce((result, secret) => result.split(secret).join('***'), text);

  async function run(command: string, args: readonly string[], options: CommandOptions = {}) {
    const argv = [command, ...args].map(redact);
    log.info(`[command] ${argv.join(' ')}`);
    const echo = options.echo ?? true;
    const result = await spawnCaptured(command, args, options, env, (line) => {
      if (echo) log.info(redact(line));
    });
    const redacted = {
      exitCode: result.exitCode,
      stdout: redact(result.stdout),
      stderr: redact(result.stderr),
      ...(result.timedOut ? { timedOut: true } : {}),
    };
    history.push({ argv, ...redacted });
    return redacted;
  }

  return {
    run,
    async check(command, args, options) {
      const result = await run(command, args, options);
      if (result.exitCode !== 0) {
        const tail = lastLines(result.stderr || result.stdout, 5);
        throw new GreenlightError(
          `${describeCommand(command, args.map(redact))} failed with exit code ${result.exitCode}${tail ? `:\n${tail}` : ''}`,
        );
      }
      return result;
    },
    addSecret(secret) {
      if (secret && !secrets.includes(secret)) secrets.push(secret);
    },
    history,
  };
}

/**
 * The command and its leading subcommand words, e.g. `buildah push` or `docker buildx build`:
 * global flags (and their values) before them are skipped, everything after the first
 * later flag is left out.
 */
function describeCommand(command: string, args: readonly string[]): string {
  const words: string[] = [];
  let skipValue = false;
  for (const arg of args) {
    if (arg.startsWith('-')) {
      if (words.length > 0) break;
      skipValue = !arg.includes('=');
    } else if (skipValue) {
      skipValue = false;
    } else if (words.push(arg) === 2) {
      break;
    }
  }
  return [command, ...words].join(' ');
}

function lastLines(text: string, count: number): string {
  return text.trimEnd().split('\n').slice(-count).join('\n');
}

function spawnCaptured(
  command: string,
  args: readonly string[],
  options: CommandOptions,
  env: NodeJS.ProcessEnv | undefined,
  onLine: (line: string) => void,
): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: options.processGroup === true,
    });
    let stoppedBy: string | undefined;
    const stop = (why: string) => {
      stoppedBy ??= why;
      if (child.pid === undefined || child.exitCode !== null) return;
      try {
        if (options.processGroup) process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGTERM');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => stop('timeout'), options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const onAbort = () => stop('cancelled');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const cleanUp = () => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    };
    const stdout = collectLines(child.stdout, onLine);
    const stderr = collectLines(child.stderr, onLine);
    child.stdin.on('error', () => {}); // a command that exits without reading stdin is not our failure
    child.stdin.end(options.stdin ?? '');
    child.on('error', (error) => {
      cleanUp();
      resolve({ exitCode: 127, stdout: stdout(), stderr: `${stderr()}${error.message}\n` });
    });
    child.on('close', (code, signal) => {
      cleanUp();
      const why = stoppedBy ? ` (${stoppedBy})` : '';
      resolve({
        exitCode: code ?? 128,
        stdout: stdout(),
        stderr: signal ? `${stderr()}killed by ${signal}${why}\n` : stderr(),
        ...(stoppedBy === 'timeout' ? { timedOut: true } : {}),
      });
    });
  });
}

/** Buffers a stream whole and hands complete lines to `onLine` as they arrive. */
function collectLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): () => string {
  let all = '';
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    all += chunk;
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  });
  stream.on('end', () => {
    if (pending) onLine(pending);
    pending = '';
  });
  return () => all;
}
