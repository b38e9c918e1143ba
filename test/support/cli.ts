/**
 * Runs the CLI in-process as a person would run it: `main()` with its output captured.
 * Used by the unit and integration tests of the commands.
 */
import type { Command } from '../../src/cli/command.ts';
import { main } from '../../src/cli/main.ts';
import { REPO_ROOT } from './action-runner.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  /** The environment the commands see; empty by default, so no AWS or kube settings leak in. */
  env?: Record<string, string>;
  /** The working directory relative paths are taken from; the repository root by default. */
  cwd?: string;
  /** Commands other than the shipped ones. */
  commands?: readonly Command[];
  /** Sees the output as it is written (the demo shows it live); it is captured all the same. */
  echo?: (stream: 'stdout' | 'stderr', text: string) => void;
}

export async function runCli(args: string[], options: CliRunOptions = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(
    args,
    {
      stdout: (text) => {
        stdout += text;
        options.echo?.('stdout', text);
      },
      stderr: (text) => {
        stderr += text;
        options.echo?.('stderr', text);
      },
      env: options.env ?? {},
      cwd: options.cwd ?? REPO_ROOT,
    },
    ...(options.commands ? [options.commands] : []),
  );
  return { code, stdout, stderr };
}
