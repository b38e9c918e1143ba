/**
 * `greenlight junit FILE...`: a report's totals and failed cases, read with the parser and
 * rendered with the summary parts run-integration uses. A saved log holding the report
 * markers is read between them. Exit 1 when a file cannot be read as JUnit or a test failed.
 */
import { describeError } from '../../core/errors.ts';
import { mergeJUnitReports } from '../../core/junit/merge.ts';
import { JUnitError } from '../../core/junit/parse.ts';
import { type JUnitReport, junitPassed } from '../../core/junit/types.ts';
import { describeTotals, failureEntries } from '../../core/report/junit-summary.ts';
import { renderJUnitText } from '../../core/report/render.ts';
import { readJUnitFile } from '../../disk/junit-file.ts';
import type { CliIO, Command } from '../command.ts';
import { parseCommandArgs, usageError } from './args.ts';

const USAGE = 'greenlight junit FILE... [--json]';

type FileResult = { file: string; report: JUnitReport } | { file: string; error: JUnitError };

export const junitCommand: Command = {
  name: 'junit',
  summary:
    'print the totals and failed cases of JUnit XML reports; exit 1 when one is unreadable or a test failed',
  usage: USAGE,
  async run(args: string[], io: CliIO): Promise<number> {
    const parsed = parseCommandArgs(args, { json: { type: 'boolean', default: false } }, USAGE, io);
    if (!parsed) return 2;
    if (parsed.positionals.length === 0) return usageError(io, 'expected at least one FILE', USAGE);
    const results = parsed.positionals.map((file) => readOne(io.cwd, file));
    const reports = results.flatMap((result) => ('report' in result ? [result.report] : []));
    const failed = results.length > reports.length || reports.some((report) => !junitPassed(report));
    if (parsed.values.json) io.stdout(`${JSON.stringify(toJson(results, reports), null, 2)}\n`);
    else printText(io, results, reports);
    return failed ? 1 : 0;
  },
};

function readOne(cwd: string, file: string): FileResult {
  try {
    return { file, report: readJUnitFile(cwd, file) };
  } catch (error) {
    if (error instanceof JUnitError) return { file, error };
    throw error;
  }
}

function printText(io: CliIO, results: FileResult[], reports: JUnitReport[]): void {
  for (const result of results) {
    if ('report' in result) io.stdout(renderJUnitText(result.report));
    else io.stderr(`greenlight junit: ${describeError(result.error)}\n`);
  }
  if (results.length > 1) {
    const total = mergeJUnitReports(reports, 'all').totals;
    const unread = results.length - reports.length;
    const note = unread > 0 ? ` (${unread} of ${results.length} files could not be read)` : '';
    io.stdout(`total: ${describeTotals(total)}${note}\n`);
  }
}

function counts(report: JUnitReport) {
  const { tests, passed, failures, errors, skipped, flaky, timeSeconds } = report.totals;
  return {
    tests,
    passed,
    failures,
    errors,
    skipped,
    flaky,
    ...(timeSeconds === undefined ? {} : { timeSeconds }),
    suiteErrors: report.suiteErrors.length,
  };
}

function toJson(results: FileResult[], reports: JUnitReport[]) {
  const errors = results.flatMap((result) => ('error' in result ? [result.error.message] : []));
  const merged = mergeJUnitReports(reports, 'all');
  return {
    ...counts(merged),
    ok: errors.length === 0 && junitPassed(merged),
    ...(errors.length > 0 ? { error: errors.join('; ') } : {}),
    failed: reports.flatMap((report) =>
      failureEntries(report).map((entry) => ({ file: report.source, ...entry })),
    ),
    warnings: merged.warnings,
    files: results.map((result) =>
      'report' in result
        ? { file: result.file, ...counts(result.report) }
        : { file: result.file, error: result.error.message },
    ),
  };
}
