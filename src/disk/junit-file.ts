/**
 * Reading a report file: the size is checked before reading, so a huge file costs nothing.
 * A file that is not XML but holds the report markers (a saved log) is read between them.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { extractJUnitFromLog, JUNIT_LOG_BEGIN } from '../core/junit/log.ts';
import {
  DEFAULT_JUNIT_LIMITS,
  decodeReport,
  JUnitError,
  type JUnitLimits,
  parseJUnit,
} from '../core/junit/parse.ts';
import type { JUnitReport } from '../core/junit/types.ts';

/** Reads and parses one report (or log); `file` is shown in errors as given. Throws JUnitError. */
export function readJUnitFile(cwd: string, file: string, limits: Partial<JUnitLimits> = {}): JUnitReport {
  const bytes = readReportBytes(cwd, file, limits);
  if (!looksLikeLog(bytes)) return parseJUnit(bytes, { source: file, limits });
  const extracted = extractJUnitFromLog(decodeReport(bytes, file), file);
  if (!extracted.found) return parseJUnit(bytes, { source: file, limits });
  return parseJUnit(extracted.xml, { source: `${file} (report from line ${extracted.line})`, limits });
}

/** Not XML (its first character is no `<`) but it holds the begin marker: a log. */
function looksLikeLog(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.subarray(0, 1024))
    .toString('latin1')
    .replace(/^\xEF\xBB\xBF/, '')
    .trimStart();
  return !head.startsWith('<') && Buffer.from(bytes).includes(JUNIT_LOG_BEGIN);
}

function readReportBytes(cwd: string, file: string, limits: Partial<JUnitLimits>): Uint8Array {
  const maxBytes = limits.maxBytes ?? DEFAULT_JUNIT_LIMITS.maxBytes;
  const absolute = resolve(cwd, file);
  let bytes: Uint8Array;
  try {
    const stats = statSync(absolute);
    if (!stats.isFile()) throw new JUnitError(`${file}: not a file`);
    if (stats.size > maxBytes) {
      throw new JUnitError(
        `${file}: the report is ${stats.size} bytes, more than the ${maxBytes} bytes Greenlight reads`,
        {
          hint: 'a report this large is usually captured output; keep system-out small or split the report',
        },
      );
    }
    bytes = readAtMost(absolute, Math.min(stats.size, maxBytes) + 1);
  } catch (error) {
    if (error instanceof JUnitError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new JUnitError(
      code === 'ENOENT'
        ? `${file}: file not found`
        : `${file}: cannot read the file (${code ?? String(error)})`,
      {
        hint: 'the test run did not write its JUnit report there',
      },
    );
  }
  // A file that grew after the size check is still caught by the parser's own size check.
  return bytes;
}

function readAtMost(absolute: string, limit: number): Uint8Array {
  const buffer = Buffer.alloc(limit);
  const fd = openSync(absolute, 'r');
  try {
    let length = 0;
    while (length < limit) {
      const read = readSync(fd, buffer, length, limit - length, length);
      if (read === 0) break;
      length += read;
    }
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}
