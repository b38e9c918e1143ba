/**
 * Runs a command as the leader of its own process group, so a test can SIGKILL it with
 * everything it started (kill-points.ts) and find all its descendants (secret-scan.ts).
 * Output is captured; the run is bounded by a timeout, after which the group is killed.
 */
import { spawn } from 'node:child_process';

export interface CommandSpec {
  command: string;
  args: readonly string[];
  /** the child's whole environment (default: this process's) */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** default 120 s; then the group is killed with SIGKILL and `timedOut` is set */
  timeoutMs?: number;
  input?: string;
}

export interface CommandRun {
  /** the process group's leader (the command itself) */
  pid: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface RunningGroup {
  pid: number;
  /** SIGKILL to the whole group; resolves once the leader has exited */
  kill(): Promise<void>;
  done: Promise<CommandRun>;
}

/** SIGKILL to every process of the group; a group that is already gone is fine. */
export function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

export function startGroup(spec: CommandSpec): RunningGroup {
  const child = spawn(spec.command, [...spec.args], {
    env: spec.env ?? process.env,
    ...(spec.cwd ? { cwd: spec.cwd } : {}),
    detached: true, // its own process group
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not start ${spec.command}`);
  const pid = child.pid;
  let stdout = '';
  let stderr = '';
  let timedOut = false;
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  child.stdin.on('error', () => {}); // a child that exits without reading its input
  child.stdin.end(spec.input ?? '');
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(pid);
  }, spec.timeoutMs ?? 120_000);
  const done = new Promise<CommandRun>((resolve, reject) => {
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`could not run ${spec.command}: ${error.message}`));
    });
    // 'close': the exit and the end of its output (the pipes may outlive the leader)
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ pid, code, signal, stdout, stderr, timedOut });
    });
  });
  const exited = new Promise<void>((resolve) => {
    child.on('exit', () => resolve());
    child.on('error', () => resolve());
  });
  return {
    pid,
    kill: async () => {
      killGroup(pid);
      await exited;
    },
    done,
  };
}
