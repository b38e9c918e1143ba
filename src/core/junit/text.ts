/** Text gathered from a report (failure bodies, system-out), bounded so a huge body costs little memory. */

export class BoundedText {
  readonly #limit: number;
  readonly #parts: string[] = [];
  #length = 0;
  #dropped = 0;

  constructor(limit: number) {
    this.#limit = limit;
  }

  append(text: string): void {
    const room = this.#limit - this.#length;
    if (room <= 0) {
      this.#dropped += text.length;
      return;
    }
    const kept = text.length > room ? text.slice(0, room) : text;
    this.#parts.push(kept);
    this.#length += kept.length;
    this.#dropped += text.length - kept.length;
  }

  /** The text without blank lines around it and its common indentation; undefined when empty; marked when cut. */
  value(): string | undefined {
    const text = dedent(this.#parts.join(''));
    if (this.#dropped > 0) return `${text}\n... (${this.#dropped} more characters not kept)`;
    return text === '' ? undefined : text;
  }
}

/** An attribute value cut to `limit` characters, for messages that are meant to be one line. */
export function boundedAttribute(value: string | undefined, limit: number): string | undefined {
  if (value === undefined) return undefined;
  return value.length > limit
    ? `${value.slice(0, limit)}... (${value.length - limit} more characters)`
    : value;
}

/** Pretty-printed XML indents element text; the indentation all lines share is no part of it. */
function dedent(text: string): string {
  const lines = text
    .replace(/^\s*\n/, '')
    .trimEnd()
    .split('\n');
  const indents = lines
    .filter((line) => line.trim() !== '')
    .map((line) => /^[ \t]*/.exec(line)?.[0].length ?? 0);
  const common = indents.length > 0 ? Math.min(...indents) : 0;
  return lines.map((line) => line.slice(Math.min(common, /^[ \t]*/.exec(line)?.[0].length ?? 0))).join('\n');
}
