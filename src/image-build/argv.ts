/** Small helpers shared by the argv builders. */

/** `[name, value]`, or nothing when the value is not set. */
export function flag(name: string, value: string | undefined): string[] {
  return value === undefined || value === '' ? [] : [name, value];
}

/** `[name, v1, name, v2, ...]`. */
export function repeated(name: string, values: readonly string[]): string[] {
  return values.flatMap((value) => [name, value]);
}
