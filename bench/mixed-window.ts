/**
 * The mixed window of a promotion, from the observer's record (observer.ts): between the
 * first and the last live Service that switched, part of the group's traffic went to the
 * new release and part to the old. Pure.
 */
import type { ObservedServiceEvent } from './observer.ts';

export interface SwitchWindow {
  /** live Services whose selector changed after `since` */
  switched: number;
  /** ms since the epoch of the first and the last switch seen (undefined when none) */
  first?: number;
  last?: number;
  /** last - first, 0 for a single Service */
  windowMs?: number;
  /** live Services that did not switch */
  notSwitched: string[];
}

const key = (selector: Record<string, string>) =>
  JSON.stringify(Object.entries(selector).sort(([a], [b]) => a.localeCompare(b)));

/**
 * For each live Service: its selector as last seen before `since`, and the first event at
 * or after `since` with another selector. Events are taken in the order given (the
 * observer's order).
 */
export function liveSwitchWindow(
  events: readonly ObservedServiceEvent[],
  liveServices: readonly string[],
  since: number,
): SwitchWindow {
  const live = new Set(liveServices);
  const before = new Map<string, string>();
  const switchedAt = new Map<string, number>();
  for (const event of events) {
    if (!live.has(event.name) || event.type === 'DELETED') continue;
    if (event.t < since) {
      before.set(event.name, key(event.selector));
      continue;
    }
    if (switchedAt.has(event.name)) continue;
    const previous = before.get(event.name);
    if (previous !== undefined && previous !== key(event.selector)) switchedAt.set(event.name, event.t);
  }
  const times = [...switchedAt.values()];
  const notSwitched = liveServices.filter((name) => !switchedAt.has(name));
  if (times.length === 0) return { switched: 0, notSwitched };
  const first = Math.min(...times);
  const last = Math.max(...times);
  return { switched: times.length, first, last, windowMs: last - first, notSwitched };
}
