/**
 * Which groups a scheduled run must spin up or down: the `schedule` of each group file
 * (`up`/`down` cron expressions in the group's time zone) evaluated over a time window.
 *
 * The window is [since, now): a scheduled instant exactly at `since` counts, one exactly at
 * `now` belongs to the next run, so back-to-back windows neither miss nor repeat an instant.
 * GitHub starts scheduled workflows minutes to an hour late and sometimes drops runs, so a
 * run never asks "is it 07:00 now?" but "which instants passed since the last run?". When
 * several fell in the window (missed runs, a long delay), only the latest action per group
 * counts: if both an `up` and a `down` passed, the later one wins, because that is the
 * state the schedule wants the group in now. Up and down are idempotent, so a window that
 * overlaps the previous run's (see `lookbackWindow`) repeats an action instead of losing it.
 *
 * Cron evaluation is croner's (time zones, DST): a fixed time that does not exist on a
 * spring-forward day (02:30 in Europe/Berlin) fires at the first minute after the gap, and
 * one that occurs twice on a fall-back day fires once, at its first occurrence. Day of month
 * and day of week combine with OR when both are set, as in Vixie cron and GitHub Actions.
 */
import { Cron } from 'croner';
import type { ScheduleSpec } from './config/types.ts';
import { InputError } from './errors.ts';

export type ScheduleAction = 'up' | 'down';
export const SCHEDULE_ACTIONS: readonly ScheduleAction[] = ['up', 'down'];

/** What the computation needs of a group: its name and its schedule, if any. */
export interface ScheduledGroup {
  name: string;
  schedule?: ScheduleSpec | undefined;
}

export interface ScheduleWindow {
  /** Start of the window, inclusive. */
  since: Date;
  /** End of the window (the time of this run), exclusive. */
  now: Date;
}

export interface ScheduledInstant {
  action: ScheduleAction;
  at: Date;
}

export interface DueGroup {
  group: string;
  action: ScheduleAction;
  /** The group's schedule time zone, for showing `at` as the group file reads. */
  timezone: string;
  /** The latest scheduled instant of `action` in the window. */
  at: Date;
  /** The other action, when it also fell in the window but earlier: it lost to `action`. */
  overridden?: ScheduledInstant;
}

/** The cron options every evaluation uses, so the validator and the schedule agree. */
export function cronOptions(timezone: string) {
  return { timezone, mode: '5-part', domAndDow: false } as const;
}

/**
 * The groups due for `up` or `down` in the window, one entry per group, in the order given.
 * Groups without a schedule, or with nothing in the window, are not listed.
 */
export function dueGroups(groups: readonly ScheduledGroup[], window: ScheduleWindow): DueGroup[] {
  checkWindow(window);
  const due: DueGroup[] = [];
  for (const group of groups) {
    if (!group.schedule) continue;
    const decided = decideGroup(group.name, group.schedule, window);
    if (decided) due.push(decided);
  }
  return due;
}

function decideGroup(name: string, schedule: ScheduleSpec, window: ScheduleWindow): DueGroup | undefined {
  const passed = SCHEDULE_ACTIONS.flatMap((action) => {
    const expression = schedule[action];
    const at = expression === undefined ? undefined : latestInstant(expression, schedule.timezone, window);
    return at ? [{ action, at }] : [];
  });
  // Latest first; on the same instant (identical up and down) down wins: it is the cheaper state.
  passed.sort((a, b) => b.at.getTime() - a.at.getTime() || (a.action === 'down' ? -1 : 1));
  const [winner, loser] = passed;
  if (!winner) return undefined;
  return {
    group: name,
    action: winner.action,
    timezone: schedule.timezone,
    at: winner.at,
    ...(loser ? { overridden: loser } : {}),
  };
}

/** The latest instant of the expression in [since, now), or undefined. */
export function latestInstant(
  expression: string,
  timezone: string,
  window: ScheduleWindow,
): Date | undefined {
  // previousRuns gives the runs strictly before the reference, most recent first.
  const [latest] = new Cron(expression, cronOptions(timezone)).previousRuns(1, window.now);
  return latest && latest.getTime() >= window.since.getTime() ? latest : undefined;
}

/**
 * The window of a run that knows no previous run: the `lookbackMs` before now. Choose a
 * lookback longer than the schedule workflow's interval plus GitHub's delay, so a late or
 * dropped run is covered by the next one; actions then repeat in the overlap, harmlessly.
 */
export function lookbackWindow(now: Date, lookbackMs: number): ScheduleWindow {
  return { since: new Date(now.getTime() - lookbackMs), now };
}

function checkWindow(window: ScheduleWindow): void {
  for (const [name, date] of Object.entries(window)) {
    if (Number.isNaN(date.getTime())) throw new InputError(`${name}: not a valid time`);
  }
  if (window.since.getTime() > window.now.getTime()) {
    throw new InputError(
      `since (${window.since.toISOString()}) is after now (${window.now.toISOString()}): the window would be empty`,
    );
  }
}

/** `greenlight due --json`: the window, every due group, and the names per action for a workflow matrix. */
export function renderDueJson(due: readonly DueGroup[], window: ScheduleWindow): string {
  const document = {
    since: window.since.toISOString(),
    now: window.now.toISOString(),
    due: due.map((entry) => ({
      group: entry.group,
      action: entry.action,
      at: entry.at.toISOString(),
      timezone: entry.timezone,
      ...(entry.overridden
        ? { overridden: { action: entry.overridden.action, at: entry.overridden.at.toISOString() } }
        : {}),
    })),
    up: due.filter((entry) => entry.action === 'up').map((entry) => entry.group),
    down: due.filter((entry) => entry.action === 'down').map((entry) => entry.group),
  };
  return `${JSON.stringify(document)}\n`;
}

/** `greenlight due`: one line per due group, with the instant in the group's own zone. */
export function renderDueText(due: readonly DueGroup[], window: ScheduleWindow): string {
  const span = `${window.since.toISOString()} .. ${window.now.toISOString()}`;
  if (due.length === 0) return `nothing due in ${span}\n`;
  const width = Math.max(...due.map((entry) => entry.group.length));
  const lines = due.map((entry) => {
    const when = `${entry.at.toISOString()} (${localTime(entry.at, entry.timezone)} ${entry.timezone})`;
    const lost = entry.overridden
      ? `; the earlier ${entry.overridden.action} at ${entry.overridden.at.toISOString()} is overridden`
      : '';
    return `${entry.action.padEnd(4)}  ${entry.group.padEnd(width)}  scheduled ${when}${lost}`;
  });
  return `due in ${span}:\n${lines.join('\n')}\n`;
}

/** `2026-01-05 07:00` as a wall clock in the zone shows it. */
function localTime(instant: Date, timezone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes) =>
    parts.find((entry) => entry.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}`;
}
