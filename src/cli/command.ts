/** What a CLI command gets: its arguments and where to write. No process globals inside commands. */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Aborts on SIGINT/SIGTERM: operations stop waiting, release the lock and exit. */
  signal?: AbortSignal;
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** Returns the exit code: 0 success, 1 failure the user can fix, 2 usage error. */
  run(args: string[], io: CliIO): Promise<number>;
}
