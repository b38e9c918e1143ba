/**
 * The schedule computation (src/core/schedule.ts) against a table of cron expressions,
 * time zones and windows. Every expected instant was worked out by hand from the zone's
 * UTC offset on that day (Europe/Berlin: CET +1, CEST +2 from the last Sunday of March
 * 01:00 UTC to the last Sunday of October 01:00 UTC; America/New_York: EST -5, EDT -4 from
 * the second Sunday of March to the first Sunday of November), not read from croner.
 * 2026-01-05 and 2026-07-06 are Mondays, 2026-01-10 a Saturday.
 */
import { describe, expect, it } from 'vitest';
import { cronProblem } from '../../src/core/config/rules.ts';
import type { ScheduleSpec } from '../../src/core/config/types.ts';
import { InputError } from '../../src/core/errors.ts';
import { type DueGroup, dueGroups, lookbackWindow } from '../../src/core/schedule.ts';

const at = (iso: string) => new Date(iso);
const window = (since: string, now: string) => ({ since: at(since), now: at(now) });

const BERLIN_WORKDAYS: ScheduleSpec = { up: '0 7 * * 1-5', down: '0 20 * * 1-5', timezone: 'Europe/Berlin' };
const NEW_YORK_WORKDAYS: ScheduleSpec = {
  up: '0 7 * * 1-5',
  down: '0 19 * * 1-5',
  timezone: 'America/New_York',
};

/** One group's decision: the action and its instant, the overridden one, or nothing. */
function decide(schedule: ScheduleSpec, since: string, now: string) {
  const [due, ...more] = dueGroups([{ name: 'g', schedule }], window(since, now));
  expect(more).toEqual([]);
  if (!due) return undefined;
  return {
    action: due.action,
    at: due.at.toISOString(),
    ...(due.overridden ? { overridden: `${due.overridden.action} ${due.overridden.at.toISOString()}` } : {}),
  };
}

type Row = [string, ScheduleSpec, string, string, ReturnType<typeof decide>];

const TABLE: Row[] = [
  [
    'UTC: the up instant inside the window',
    { up: '0 7 * * 1-5', down: '0 20 * * 1-5', timezone: 'UTC' },
    '2026-01-05T06:50:00Z',
    '2026-01-05T07:10:00Z',
    { action: 'up', at: '2026-01-05T07:00:00.000Z' },
  ],
  [
    'Berlin in winter (CET, UTC+1): 07:00 there is 06:00 UTC',
    BERLIN_WORKDAYS,
    '2026-01-05T05:55:00Z',
    '2026-01-05T06:05:00Z',
    { action: 'up', at: '2026-01-05T06:00:00.000Z' },
  ],
  [
    'Berlin in winter: 07:00 UTC is 08:00 there, the 07:00 instant is an hour past',
    BERLIN_WORKDAYS,
    '2026-01-05T06:30:00Z',
    '2026-01-05T07:30:00Z',
    undefined,
  ],
  [
    'Berlin in summer (CEST, UTC+2): 07:00 there is 05:00 UTC',
    BERLIN_WORKDAYS,
    '2026-07-06T04:55:00Z',
    '2026-07-06T05:05:00Z',
    { action: 'up', at: '2026-07-06T05:00:00.000Z' },
  ],
  [
    'New York in winter (EST, UTC-5)',
    NEW_YORK_WORKDAYS,
    '2026-01-05T11:55:00Z',
    '2026-01-05T12:05:00Z',
    { action: 'up', at: '2026-01-05T12:00:00.000Z' },
  ],
  [
    'New York in summer (EDT, UTC-4)',
    NEW_YORK_WORKDAYS,
    '2026-07-06T10:55:00Z',
    '2026-07-06T11:05:00Z',
    { action: 'up', at: '2026-07-06T11:00:00.000Z' },
  ],
  [
    'Berlin spring-forward (2026-03-29, 02:00 -> 03:00): 02:30 does not exist, it fires at 03:00 CEST',
    { up: '30 2 * * *', timezone: 'Europe/Berlin' },
    '2026-03-29T00:00:00Z',
    '2026-03-29T01:30:00Z',
    { action: 'up', at: '2026-03-29T01:00:00.000Z' },
  ],
  [
    'Berlin spring-forward: before 03:00 CEST nothing has fired yet',
    { up: '30 2 * * *', timezone: 'Europe/Berlin' },
    '2026-03-28T23:00:00Z',
    '2026-03-29T01:00:00Z',
    undefined,
  ],
  [
    'Berlin fall-back (2026-10-25, 03:00 -> 02:00): 02:30 CEST (00:30 UTC) fires',
    { up: '30 2 * * *', timezone: 'Europe/Berlin' },
    '2026-10-25T00:15:00Z',
    '2026-10-25T00:45:00Z',
    { action: 'up', at: '2026-10-25T00:30:00.000Z' },
  ],
  [
    'Berlin fall-back: the second 02:30 (CET, 01:30 UTC) does not fire again',
    { up: '30 2 * * *', timezone: 'Europe/Berlin' },
    '2026-10-25T00:45:00Z',
    '2026-10-25T03:00:00Z',
    undefined,
  ],
  [
    'Berlin: the down instant moves from 19:00 to 18:00 UTC across the spring change; the latest counts',
    { down: '0 20 * * *', timezone: 'Europe/Berlin' },
    '2026-03-28T18:30:00Z',
    '2026-03-29T18:30:00Z',
    { action: 'down', at: '2026-03-29T18:00:00.000Z' },
  ],
  [
    'New York spring-forward (2026-03-08, 02:00 -> 03:00): 02:30 fires at 03:00 EDT (07:00 UTC)',
    { up: '30 2 * * *', timezone: 'America/New_York' },
    '2026-03-08T06:00:00Z',
    '2026-03-08T08:00:00Z',
    { action: 'up', at: '2026-03-08T07:00:00.000Z' },
  ],
  [
    'New York fall-back (2026-11-01, 02:00 -> 01:00): 01:30 fires once, at 01:30 EDT (05:30 UTC)',
    { down: '30 1 * * *', timezone: 'America/New_York' },
    '2026-11-01T05:00:00Z',
    '2026-11-01T07:00:00Z',
    { action: 'down', at: '2026-11-01T05:30:00.000Z' },
  ],
  [
    'New York fall-back: not again at 01:30 EST (06:30 UTC)',
    { down: '30 1 * * *', timezone: 'America/New_York' },
    '2026-11-01T06:00:00Z',
    '2026-11-01T07:00:00Z',
    undefined,
  ],
  [
    'missed runs over a weekend collapse to Friday evening down',
    BERLIN_WORKDAYS,
    '2026-01-09T12:00:00Z',
    '2026-01-12T05:00:00Z',
    { action: 'down', at: '2026-01-09T19:00:00.000Z' },
  ],
  [
    'up and down both in the window: the later (down) wins',
    BERLIN_WORKDAYS,
    '2026-01-05T05:00:00Z',
    '2026-01-05T20:00:00Z',
    { action: 'down', at: '2026-01-05T19:00:00.000Z', overridden: 'up 2026-01-05T06:00:00.000Z' },
  ],
  [
    'down and up both in the window: the later (next morning up) wins',
    BERLIN_WORKDAYS,
    '2026-01-05T18:00:00Z',
    '2026-01-06T07:00:00Z',
    { action: 'up', at: '2026-01-06T06:00:00.000Z', overridden: 'down 2026-01-05T19:00:00.000Z' },
  ],
  [
    'three days of missed runs: only the latest of each action is weighed',
    BERLIN_WORKDAYS,
    '2026-01-05T00:00:00Z',
    '2026-01-08T12:00:00Z',
    { action: 'up', at: '2026-01-08T06:00:00.000Z', overridden: 'down 2026-01-07T19:00:00.000Z' },
  ],
  [
    'a window with nothing due (Saturday, workdays only)',
    BERLIN_WORKDAYS,
    '2026-01-10T00:00:00Z',
    '2026-01-10T23:59:00Z',
    undefined,
  ],
  [
    'an instant exactly at since counts',
    BERLIN_WORKDAYS,
    '2026-01-05T06:00:00Z',
    '2026-01-05T06:01:00Z',
    { action: 'up', at: '2026-01-05T06:00:00.000Z' },
  ],
  [
    'an instant exactly at now belongs to the next run',
    BERLIN_WORKDAYS,
    '2026-01-05T05:00:00Z',
    '2026-01-05T06:00:00Z',
    undefined,
  ],
  [
    'an instant a few hundred milliseconds before now counts',
    BERLIN_WORKDAYS,
    '2026-01-05T05:00:00Z',
    '2026-01-05T06:00:00.250Z',
    { action: 'up', at: '2026-01-05T06:00:00.000Z' },
  ],
  [
    'an empty window (since = now)',
    BERLIN_WORKDAYS,
    '2026-01-05T06:00:00Z',
    '2026-01-05T06:00:00Z',
    undefined,
  ],
  [
    'only a down schedule',
    { down: '0 22 * * *', timezone: 'UTC' },
    '2026-01-05T21:00:00Z',
    '2026-01-05T23:00:00Z',
    { action: 'down', at: '2026-01-05T22:00:00.000Z' },
  ],
  [
    'up and down at the same instant: down wins',
    { up: '0 8 * * *', down: '0 8 * * *', timezone: 'UTC' },
    '2026-01-05T07:00:00Z',
    '2026-01-05T09:00:00Z',
    { action: 'down', at: '2026-01-05T08:00:00.000Z', overridden: 'up 2026-01-05T08:00:00.000Z' },
  ],
  [
    'day of month and day of week combine with OR (Vixie cron, GitHub): the 1st, a Thursday',
    { up: '0 9 1 * 1', timezone: 'UTC' },
    '2026-01-01T08:00:00Z',
    '2026-01-01T10:00:00Z',
    { action: 'up', at: '2026-01-01T09:00:00.000Z' },
  ],
  [
    'month and day names, 7 for Sunday',
    { up: '0 9 * JAN SUN', down: '0 18 * jan 7', timezone: 'UTC' },
    '2026-01-11T08:00:00Z',
    '2026-01-11T10:00:00Z',
    { action: 'up', at: '2026-01-11T09:00:00.000Z' },
  ],
];

describe('dueGroups: which action a group is due for in [since, now)', () => {
  it.each(TABLE)('%s', (_name, schedule, since, now, expected) => {
    expect(decide(schedule, since, now)).toEqual(expected);
  });

  it('GitHub started the 07:00 run 50 minutes late: a lookback window still finds it', () => {
    const due = dueGroups(
      [{ name: 'g', schedule: BERLIN_WORKDAYS }],
      lookbackWindow(at('2026-01-05T06:50:00Z'), 2 * 3_600_000),
    );
    expect(due).toEqual([
      { group: 'g', action: 'up', timezone: 'Europe/Berlin', at: at('2026-01-05T06:00:00Z') },
    ]);
  });

  it('GitHub dropped two 15-minute runs: the next run still finds the instant', () => {
    // runs at 05:45 (window 03:45-05:45) and 06:30 (04:30-06:30): the second finds 06:00 UTC.
    const before = dueGroups(
      [{ name: 'g', schedule: BERLIN_WORKDAYS }],
      lookbackWindow(at('2026-01-05T05:45:00Z'), 7_200_000),
    );
    const after = dueGroups(
      [{ name: 'g', schedule: BERLIN_WORKDAYS }],
      lookbackWindow(at('2026-01-05T06:30:00Z'), 7_200_000),
    );
    expect(before).toEqual([]);
    expect(after.map((due) => due.action)).toEqual(['up']);
  });

  it('several groups in different zones: each decided alone, in the order given; unscheduled ones left out', () => {
    const groups = [
      { name: 'berlin', schedule: BERLIN_WORKDAYS },
      { name: 'master' },
      { name: 'new-york', schedule: NEW_YORK_WORKDAYS },
      { name: 'utc-night', schedule: { down: '0 23 * * *', timezone: 'UTC' } },
    ];
    // Monday 05:30 to 12:30 UTC: Berlin's 07:00 (06:00 UTC) and New York's 07:00 (12:00 UTC) passed.
    const due: DueGroup[] = dueGroups(groups, window('2026-01-05T05:30:00Z', '2026-01-05T12:30:00Z'));
    expect(due).toEqual([
      { group: 'berlin', action: 'up', timezone: 'Europe/Berlin', at: at('2026-01-05T06:00:00Z') },
      { group: 'new-york', action: 'up', timezone: 'America/New_York', at: at('2026-01-05T12:00:00Z') },
    ]);
  });

  it('refuses a window that ends before it starts, naming both times', () => {
    const call = () => dueGroups([], window('2026-01-05T07:00:00Z', '2026-01-05T06:00:00Z'));
    expect(call).toThrow(InputError);
    expect(call).toThrow(
      'since (2026-01-05T07:00:00.000Z) is after now (2026-01-05T06:00:00.000Z): the window would be empty',
    );
  });

  it('refuses an invalid time', () => {
    expect(() => dueGroups([], { since: new Date('yesterday'), now: new Date() })).toThrow(
      'since: not a valid time',
    );
  });
});

describe("the validator's cron rule is croner's, with the schedule's options", () => {
  const YEARS = window('2024-01-01T00:00:00Z', '2029-01-01T00:00:00Z');

  it.each([
    '0 7 * * 1-5',
    '*/15 6-18 * * MON-FRI',
    '0 0 L * *',
    '0 0 * * FRI#2',
    '0 0 1W * *',
    '0 9 * JAN-MAR 0,7',
    '0 0 29 2 *',
    '0 0 ? * *',
  ])('accepts %s, and the schedule evaluates it', (expression) => {
    expect(cronProblem(expression)).toBeUndefined();
    const due = dueGroups([{ name: 'g', schedule: { up: expression, timezone: 'Europe/Berlin' } }], YEARS);
    expect(due.map((entry) => entry.action)).toEqual(['up']);
  });

  it.each([
    ['0 7 * *', '4 fields, expected 5: minute hour day-of-month month day-of-week'],
    ['0 7 * * 1-5 2026', '6 fields, expected 5: minute hour day-of-month month day-of-week'],
    ['@daily', '1 field, expected 5: minute hour day-of-month month day-of-week'],
    ['61 7 * * *', 'minute "61": 61 is out of range 0-59'],
    ['0 24 * * *', 'hour "24": 24 is out of range 0-23'],
    ['0 7 32 * *', 'day-of-month "32": 32 is out of range 1-31'],
    ['0 7 * 0-13 *', 'month "0-13": 0 is out of range 1-12'],
    ['0 7 * * 8', 'day-of-week "8": 8 is out of range 0-7'],
    ['0 20 * * MON-FRX', 'day-of-week "MON-FRX": "FRX" is not a day-of-week value'],
    ['0 7 * JANX *', 'month "JANX": "JANX" is not a month value'],
    ['5-1 * * * *', 'minute "5-1": the range 5-1 is reversed'],
    ['*/0 * * * *', 'minute "*/0": a step must be at least 1'],
    ['0 0 30 2 *', 'it matches no date: that day of the month never occurs in those months'],
  ])('refuses %s: %s', (expression, message) => {
    expect(cronProblem(expression)).toBe(message);
  });
});
