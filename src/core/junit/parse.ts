/**
 * Reads a JUnit XML report into a JUnitReport, refusing hostile input before it costs much:
 * the size is checked before parsing, and the reader (reader.ts) refuses a DOCTYPE, bounds
 * nesting depth and the number of cases, and caps kept text per element.
 */
import { decodeReport } from './decode.ts';
import { JUnitError, NOT_JUNIT_HINT } from './error.ts';
import { ReportReader } from './reader.ts';
import { boundedAttribute } from './text.ts';
import type { JUnitLimits, JUnitReport } from './types.ts';

export { decodeReport } from './decode.ts';
export { JUnitError } from './error.ts';
export type { JUnitLimits } from './types.ts';

export const DEFAULT_JUNIT_LIMITS: JUnitLimits = {
  maxBytes: 32 * 1024 * 1024,
  maxDepth: 64,
  maxCases: 100_000,
};

export interface ParseJUnitOptions {
  /** Names the input in errors and in the report: a file name, `the log of pod x`, ... */
  source: string;
  limits?: Partial<JUnitLimits>;
}

/** Parses a report given as bytes (the encoding is sniffed) or as text. Throws JUnitError. */
export function parseJUnit(input: string | Uint8Array, options: ParseJUnitOptions): JUnitReport {
  const limits = { ...DEFAULT_JUNIT_LIMITS, ...options.limits };
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
  if (size > limits.maxBytes) {
    throw new JUnitError(
      `${options.source}: the report is ${size} bytes, more than the ${limits.maxBytes} bytes Greenlight reads`,
      { hint: 'a report this large is usually captured output; keep system-out small or split the report' },
    );
  }
  const text = typeof input === 'string' ? input : decodeReport(input, options.source);
  if (text.trim() === '' || text.trim() === '\uFEFF') {
    throw new JUnitError(`${options.source}: the report is empty`, { hint: NOT_JUNIT_HINT });
  }
  const start = text.replace(/^\uFEFF/, '').trimStart();
  if (!start.startsWith('<')) {
    const firstLine = boundedAttribute(start.split('\n', 1)[0]?.trim(), 80);
    throw new JUnitError(`${options.source}: the report is not XML; it begins with "${firstLine}"`, {
      hint: NOT_JUNIT_HINT,
    });
  }
  return new ReportReader(options.source, limits).read(text);
}

/** The same, as a value: the report, or the error that says why it could not be read. */
export function tryParseJUnit(
  input: string | Uint8Array,
  options: ParseJUnitOptions,
): { ok: true; report: JUnitReport } | { ok: false; error: JUnitError } {
  try {
    return { ok: true, report: parseJUnit(input, options) };
  } catch (error) {
    if (error instanceof JUnitError) return { ok: false, error };
    throw error;
  }
}
