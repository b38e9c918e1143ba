/** Config errors carry positions: `file:line:col: field.path: message`, every error of a file at once. */
import { InputError } from '../errors.ts';

export interface Diagnostic {
  file: string;
  /** 1-based */
  line: number;
  /** 1-based */
  col: number;
  /** `services.hello-b.branch`, or '' for the whole file */
  path: string;
  message: string;
}

export function formatDiagnostic(diagnostic: Diagnostic): string {
  const where = `${diagnostic.file}:${diagnostic.line}:${diagnostic.col}`;
  return `${where}: ${diagnostic.path ? `${diagnostic.path}: ` : ''}${diagnostic.message}`;
}

export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col);
}

/** One or more config errors; the message lists them all, one per line, in file order. */
export class ConfigError extends InputError {
  override name = 'ConfigError';
  readonly diagnostics: readonly Diagnostic[];

  constructor(diagnostics: readonly Diagnostic[]) {
    const sorted = sortDiagnostics(diagnostics);
    super(sorted.map(formatDiagnostic).join('\n'), { kind: 'config-invalid' });
    this.diagnostics = sorted;
  }
}

/** `services.hello-b.calls[0]` from `['services', 'hello-b', 'calls', 0]`. */
export function formatPath(path: readonly (string | number)[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (/^[A-Za-z0-9_-]+$/.test(segment)) text += text ? `.${segment}` : segment;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}
