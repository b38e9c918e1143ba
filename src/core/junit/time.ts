/**
 * The `time` attribute as tools really write it: `0.012`, `2,503.1` (thousands comma),
 * `0,012` (decimal comma, older locale-dependent writers), `1.5E-4`, a trailing `s`,
 * negative, empty, or nanoseconds.
 */

export type TimeReading = { seconds: number } | { problem: string } | undefined;

/** No test runs for a week: a larger number of "seconds" is nanoseconds. */
const MAX_PLAUSIBLE_SECONDS = 7 * 24 * 3600;

const THOUSANDS = /^\d{1,3}(,\d{3})+(\.\d+)?$/;
const DECIMAL_COMMA = /^\d+,\d+$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** Seconds, or a problem to warn about, or undefined when there is no attribute at all. */
export function parseJUnitTime(raw: string | undefined): TimeReading {
  if (raw === undefined) return undefined;
  const text = raw.trim().replace(/s$/i, '');
  if (text === '') return { problem: 'is empty' };
  const normalized = normalizeCommas(text);
  if (!NUMBER.test(normalized)) return { problem: 'is not a number' };
  const value = Number(normalized);
  if (!Number.isFinite(value)) return { problem: 'is not a finite number' };
  if (value < 0) return { problem: 'is negative' };
  if (value > MAX_PLAUSIBLE_SECONDS) return { seconds: value / 1e9 };
  return { seconds: value };
}

function normalizeCommas(text: string): string {
  // "0,012" cannot be thousands (they would be written "12"): a leading 0 group means a decimal comma.
  if (THOUSANDS.test(text) && !text.startsWith('0,')) return text.replaceAll(',', '');
  if (DECIMAL_COMMA.test(text)) return text.replace(',', '.');
  return text;
}
