/**
 * The JUnit report inside a log: the sample suite (sample-apps/integration-tests) prints it on
 * stdout between two marker lines, so run-integration can read it from a Job's pod log or a
 * command's output when no file is shared.
 */
import { JUnitError } from './parse.ts';

export const JUNIT_LOG_BEGIN = '<!-- greenlight:junit:begin -->';
export const JUNIT_LOG_END = '<!-- greenlight:junit:end -->';

export type LogExtraction =
  | { found: true; xml: string; line: number }
  | { found: false; reason: 'no-markers' };

/**
 * The XML between the last complete pair of marker lines (a test that ran twice printed
 * two reports: the last one counts). A begin marker without an end marker is an error: the
 * log was cut, and what is there cannot be trusted as the whole report.
 */
export function extractJUnitFromLog(log: string, source: string): LogExtraction {
  const lines = log.split(/\r?\n/);
  let begin = -1;
  let found: { start: number; end: number } | undefined;
  for (const [index, line] of lines.entries()) {
    const marker = line.trim();
    if (marker === JUNIT_LOG_BEGIN) begin = index;
    else if (marker === JUNIT_LOG_END && begin >= 0) {
      found = { start: begin, end: index };
      begin = -1;
    }
  }
  if (begin >= 0) {
    throw new JUnitError(
      `${source}: line ${begin + 1} begins a JUnit report (${JUNIT_LOG_BEGIN}) that never ends (${JUNIT_LOG_END}); the log was cut`,
      {
        hint: 'the tests were killed while printing the report, or the log is longer than the cluster keeps',
      },
    );
  }
  if (!found) return { found: false, reason: 'no-markers' };
  return { found: true, xml: lines.slice(found.start + 1, found.end).join('\n'), line: found.start + 2 };
}
