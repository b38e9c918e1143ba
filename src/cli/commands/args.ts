/** Argument parsing shared by the commands: node's parseArgs, with usage errors as values. */
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import type { CliIO } from '../command.ts';

export type ParsedArgs<Options extends ParseArgsOptionsConfig> = ReturnType<
  typeof parseArgs<{ args: string[]; options: Options; allowPositionals: true; strict: true }>
>;

/** Parsed arguments, or undefined after printing the usage error (exit code 2). */
export function parseCommandArgs<Options extends ParseArgsOptionsConfig>(
  args: string[],
  options: Options,
  usage: string,
  io: CliIO,
): ParsedArgs<Options> | undefined {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`${message.split('\n')[0]}\nUsage: ${usage}\n`);
    return undefined;
  }
}

export function usageError(io: CliIO, message: string, usage: string): number {
  io.stderr(`${message}\nUsage: ${usage}\n`);
  return 2;
}
