/**
 * Errors a user can act on. Every entry point (action or CLI) has one boundary that
 * prints `message` (and `hint` when there is one) and exits 1; anything that is not a
 * GreenlightError is a bug and is printed with its stack. Every GreenlightError has a
 * failure kind from `failures.ts`, so scripts and summaries can name it.
 */
import type { FailureKind } from './failures.ts';

export interface GreenlightErrorOptions {
  hint?: string | undefined;
  cause?: unknown;
  kind?: FailureKind;
}

export class GreenlightError extends Error {
  override name = 'GreenlightError';
  readonly hint: string | undefined;
  readonly kind: FailureKind;

  constructor(message: string, options: GreenlightErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.hint = options.hint;
    this.kind = options.kind ?? 'cluster-error';
  }
}

/** A malformed or missing input (action input, CLI argument, override). Nothing was written. */
export class InputError extends GreenlightError {
  override name = 'InputError';

  constructor(message: string, options: GreenlightErrorOptions = {}) {
    super(message, { kind: 'input-invalid', ...options });
  }
}

/** Renders an error for a person: the message, then the hint on its own line. */
export function describeError(error: unknown): string {
  if (error instanceof GreenlightError) {
    return error.hint ? `${error.message}\n  hint: ${error.hint}` : error.message;
  }
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}
