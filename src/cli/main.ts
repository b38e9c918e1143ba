import { describeError, EngineError, GreenlightError } from '../core/errors.ts';
import { VERSION } from '../version.ts';
import type { CliIO, Command } from './command.ts';
import { COMMANDS } from './commands/index.ts';

export function renderHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  const lines = commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`);
  return [
    'greenlight: deploy groups of services blue/green, test the standby, switch live when the tests pass.',
    '',
    'Usage: greenlight <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Options:',
    '  -h, --help     show help (also: greenlight <command> --help)',
    '  -v, --version  print the version',
    '',
  ].join('\n');
}

/**
 * Runs the CLI and returns its exit code: 0 success, 1 an error the user can act on,
 * 2 a usage error, 70 a bug (printed with its stack). One error boundary for every command.
 */
export async function main(
  argv: string[],
  io: CliIO,
  commands: readonly Command[] = COMMANDS,
): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    io.stdout(renderHelp(commands));
    return name === undefined ? 2 : 0;
  }
  if (name === '-v' || name === '--version') {
    io.stdout(`${VERSION}\n`);
    return 0;
  }
  const command = commands.find((candidate) => candidate.name === name);
  if (!command) {
    io.stderr(`greenlight: unknown command "${name}"\n\n${renderHelp(commands)}`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(`${command.summary}\n\nUsage: ${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    io.stderr(`greenlight ${name}: ${describeError(error)}\n`);
    // Scripts asked for JSON: they get the failure as JSON too, with its kind to branch on.
    if (args.includes('--json')) io.stdout(`${JSON.stringify({ error: errorToJson(error) }, null, 2)}\n`);
    return error instanceof GreenlightError ? 1 : 70;
  }
}

function errorToJson(error: unknown): object {
  if (error instanceof GreenlightError) {
    return {
      kind: error.kind,
      message: error.message,
      hint: error.hint ?? null,
      ...(error instanceof EngineError ? { detail: error.detail } : {}),
    };
  }
  return { kind: 'bug', message: error instanceof Error ? error.message : String(error), hint: null };
}
