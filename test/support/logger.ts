import type { Logger } from '../../src/image-build/exec.ts';

/** A Logger that keeps every line (warnings prefixed `warning: `), for assertions and leak scans. */
export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (line) => lines.push(line), warning: (line) => lines.push(`warning: ${line}`) };
}
