import type { ProgressLog } from '../../src/core/ports.ts';
import type { Logger } from '../../src/exec/command-runner.ts';

/** A Logger that keeps every line (warnings prefixed `warning: `), for assertions and leak scans. */
export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (line) => lines.push(line), warning: (line) => lines.push(`warning: ${line}`) };
}

/** The engine's ProgressLog, keeping every line the same way. */
export function recordingProgressLog(): ProgressLog & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (line) => lines.push(line), warn: (line) => lines.push(`warning: ${line}`) };
}
