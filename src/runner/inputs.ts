/**
 * Typed reading of action inputs. Entry points read every input here, up front, so a bad
 * input fails before anything is written, with one message naming the input.
 */
import { parseDuration } from '../core/duration.ts';
import { InputError } from '../core/errors.ts';

/** Where raw input strings come from: `@actions/core` on a runner, a plain map in tests. */
export interface InputSource {
  /** The trimmed value, or '' when the input was not given. */
  get(name: string): string;
}

export function mapInputSource(values: Record<string, string>): InputSource {
  return { get: (name) => (values[name] ?? '').trim() };
}

export function requiredInput(source: InputSource, name: string): string {
  const value = source.get(name);
  if (!value) throw new InputError(`Input required and not supplied: ${name}`);
  return value;
}

export function optionalInput(source: InputSource, name: string): string | undefined {
  return source.get(name) || undefined;
}

/** YAML 1.2 core schema booleans, the same set @actions/core's getBooleanInput accepts. */
export function booleanInput(source: InputSource, name: string, fallback: boolean): boolean {
  const value = source.get(name);
  if (!value) return fallback;
  if (['true', 'True', 'TRUE'].includes(value)) return true;
  if (['false', 'False', 'FALSE'].includes(value)) return false;
  throw new InputError(`Input "${name}": expected true or false, got "${value}"`);
}

export function choiceInput<const T extends string>(
  source: InputSource,
  name: string,
  choices: readonly T[],
  fallback?: T,
): T {
  const value = source.get(name);
  if (!value && fallback !== undefined) return fallback;
  if (!value) throw new InputError(`Input required and not supplied: ${name} (one of ${choices.join(', ')})`);
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new InputError(`Input "${name}": expected one of ${choices.join(', ')}, got "${value}"`);
}

export function durationInput(source: InputSource, name: string, fallback: string): number {
  return parseDuration(source.get(name) || fallback, `Input "${name}"`);
}

/** One item per line (and, for single-line values, per comma); blank lines and `#` comments dropped. */
export function listInput(source: InputSource, name: string): string[] {
  const value = source.get(name);
  if (!value) return [];
  const lines = value.split(/\r?\n/);
  const items = lines.length === 1 ? value.split(',') : lines;
  return items.map((item) => item.trim()).filter((item) => item && !item.startsWith('#'));
}

/**
 * The job's environment less the action's own inputs (`INPUT_*`, as the runner hands them
 * to the action): a command the action runs for the group (its test command) must not
 * inherit them, the github-token input among them, which it could print or send anywhere.
 * What such a command needs reaches it through the step's `env:` or the group's
 * integration.env, as it would for a `run:` step.
 */
export function withoutActionInputs(
  env: Readonly<Record<string, string | undefined>>,
): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !/^INPUT_/i.test(name)));
}
