/** `greenlight validate`: every error of the catalog and the group files, `path:line:col: message`. */
import { formatDiagnostic } from '../../core/config/diagnostics.ts';
import { validateGroupsDir } from '../../disk/groups.ts';
import type { CliIO, Command } from '../command.ts';
import { parseCommandArgs } from './args.ts';

const USAGE = 'greenlight validate [--groups-dir DIR] [FILE...]';

export const validateCommand: Command = {
  name: 'validate',
  summary: 'check groups/services.yaml and the group files; print every error with its position',
  usage: USAGE,
  async run(args: string[], io: CliIO): Promise<number> {
    const parsed = parseCommandArgs(args, { 'groups-dir': { type: 'string', default: 'groups' } }, USAGE, io);
    if (!parsed) return 2;
    const report = validateGroupsDir(
      { cwd: io.cwd, groupsDir: parsed.values['groups-dir'] },
      parsed.positionals,
    );
    if (report.diagnostics.length > 0) {
      io.stderr(`${report.diagnostics.map(formatDiagnostic).join('\n')}\n`);
      const count = report.diagnostics.length;
      io.stderr(
        `${count} error${count === 1 ? '' : 's'} in ${filesWithErrors(report.diagnostics)} of ${report.files.length} files\n`,
      );
      return 1;
    }
    io.stdout(`ok: ${report.files.length} files valid (${report.files.join(', ')})\n`);
    return 0;
  },
};

function filesWithErrors(diagnostics: readonly { file: string }[]): number {
  return new Set(diagnostics.map((diagnostic) => diagnostic.file)).size;
}
