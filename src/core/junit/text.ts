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

  /** The text without surrounding blank space; undefined when there was none; marked when it was cut. */
  value(): string | undefined {
    const text = this.#parts.join('').trim();
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
