import { InputError } from './errors.ts';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
const DURATION = /^(\d+)(ms|s|m|h)$/;

/**
 * Parses `90s`, `10m`, `1h`, `250ms` or a bare number of seconds into milliseconds.
 * `what` names the input in the error, e.g. `input "timeout"` or `groups/x.yaml:4:12 integration.timeout`.
 */
export function parseDuration(text: string, what: string): number {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const match = DURATION.exec(trimmed);
  if (!match?.[1] || !match[2]) {
    throw new InputError(`${what}: expected a duration like 30s, 10m or 1h, got "${text}"`);
  }
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/** Formats milliseconds the way parseDuration reads them, choosing the largest exact unit. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ['h', UNIT_MS.h],
    ['m', UNIT_MS.m],
    ['s', UNIT_MS.s],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** `30s`, `2m` or `keep`: how long the old color keeps serving after a switch (keep: until the next deploy). */
export function parseScaleDownDelay(text: string, what: string): number | 'keep' {
  if (text.trim() === 'keep') return 'keep';
  try {
    return parseDuration(text, what);
  } catch {
    throw new InputError(`${what}: expected a duration like 30s or 2m, or keep, got "${text}"`);
  }
}
