/**
 * `greenlight due` as a person (or schedule.yml) runs it: group files in a directory, a
 * window from the options, the exact output. Nothing but the files is read.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/action-runner.ts';
import { runCli } from '../support/cli.ts';

const work = mkdtempSync(join(tmpdir(), 'greenlight-due-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A groups directory with the shipped catalog and the given group files. */
function groupsDir(name: string, files: Record<string, string>): string {
  const dir = join(work, name, 'groups');
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(REPO_ROOT, 'groups/services.yaml'), join(dir, 'services.yaml'));
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return join(work, name);
}

const scheduled = (namespace: string, up: string, down: string, timezone: string) =>
  [
    `namespace: ${namespace}`,
    'services:',
    '  hello-a:',
    'schedule:',
    `  up: ${up}`,
    `  down: ${down}`,
    `  timezone: ${timezone}`,
    '',
  ].join('\n');

const cwd = groupsDir('three', {
  'berlin.yaml': scheduled('team-berlin', '0 7 * * 1-5', '0 20 * * 1-5', 'Europe/Berlin'),
  'new-york.yaml': scheduled('team-ny', '0 7 * * 1-5', '0 19 * * 1-5', 'America/New_York'),
  'always.yaml': 'namespace: team-always\nservices:\n  hello-a:\n',
});
const due = (args: string[]) => runCli(['due', ...args], { cwd });

describe('greenlight due', () => {
  it('is listed by --help and prints its usage', async () => {
    expect((await runCli(['--help'])).stdout).toMatch(/\n {2}due {7}list the groups whose schedule/);
    expect((await runCli(['due', '--help'])).stdout).toContain(
      'Usage: greenlight due [--groups-dir DIR] [--since ISO | --lookback DURATION] [--now ISO] [--json]',
    );
  });

  it('lists the due groups with the instant in their own zone; the later action wins', async () => {
    // Monday 05:00 UTC to 19:30 UTC: Berlin went up (06:00 UTC) and down (19:00 UTC);
    // New York went up at 12:00 UTC and goes down only at 00:00 UTC.
    const run = await due(['--since', '2026-01-05T05:00:00Z', '--now', '2026-01-05T19:30:00Z']);
    expect(run).toEqual({
      code: 0,
      stderr: '',
      stdout: [
        'due in 2026-01-05T05:00:00.000Z .. 2026-01-05T19:30:00.000Z:',
        'down  berlin    scheduled 2026-01-05T19:00:00.000Z (2026-01-05 20:00 Europe/Berlin); the earlier up at 2026-01-05T06:00:00.000Z is overridden',
        'up    new-york  scheduled 2026-01-05T12:00:00.000Z (2026-01-05 07:00 America/New_York)',
        '',
      ].join('\n'),
    });
  });

  it('--json gives the window, each due group, and the names per action for a workflow matrix', async () => {
    const run = await due(['--since', '2026-01-05T05:00:00Z', '--now', '2026-01-05T19:30:00Z', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      since: '2026-01-05T05:00:00.000Z',
      now: '2026-01-05T19:30:00.000Z',
      due: [
        {
          group: 'berlin',
          action: 'down',
          at: '2026-01-05T19:00:00.000Z',
          timezone: 'Europe/Berlin',
          overridden: { action: 'up', at: '2026-01-05T06:00:00.000Z' },
        },
        { group: 'new-york', action: 'up', at: '2026-01-05T12:00:00.000Z', timezone: 'America/New_York' },
      ],
      up: ['new-york'],
      down: ['berlin'],
    });
  });

  it('without --since looks back 2h from now, or --lookback', async () => {
    const late = await due(['--now', '2026-01-05T07:50:00Z', '--json']);
    expect(JSON.parse(late.stdout)).toMatchObject({ since: '2026-01-05T05:50:00.000Z', up: ['berlin'] });
    const short = await due(['--now', '2026-01-05T07:50:00Z', '--lookback', '30m']);
    expect(short.stdout).toBe('nothing due in 2026-01-05T07:20:00.000Z .. 2026-01-05T07:50:00.000Z\n');
  });

  it('reads times with an offset, and refuses times without a zone (exit 2)', async () => {
    const offset = await due(['--since', '2026-01-05T06:55:00+01:00', '--now', '2026-01-05T07:05:00+01:00']);
    expect(offset.stdout).toContain('up    berlin  scheduled 2026-01-05T06:00:00.000Z');
    for (const [option, value] of [
      ['--since', '2026-01-05T07:00:00'],
      ['--now', 'tomorrow'],
    ] as const) {
      const run = await due([option, value]);
      expect(run.code).toBe(2);
      expect(run.stderr).toBe(
        `${option}: expected an ISO 8601 time with a zone, like 2026-01-05T07:00:00Z, got "${value}"\nUsage: greenlight due [--groups-dir DIR] [--since ISO | --lookback DURATION] [--now ISO] [--json]\n`,
      );
    }
  });

  it('refuses --since with --lookback, a bad lookback, and positionals (exit 2)', async () => {
    const both = await due(['--since', '2026-01-05T05:00:00Z', '--lookback', '1h']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/^--since and --lookback exclude each other\n/);
    const bad = await due(['--lookback', 'soon']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^--lookback: expected a duration like 30s, 10m or 1h, got "soon"\n/);
    expect((await due(['master'])).code).toBe(2);
  });

  it('refuses a window that ends before it starts (exit 1)', async () => {
    const run = await due(['--since', '2026-01-05T08:00:00Z', '--now', '2026-01-05T07:00:00Z']);
    expect(run).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'greenlight due: since (2026-01-05T08:00:00.000Z) is after now (2026-01-05T07:00:00.000Z): the window would be empty\n',
    });
  });

  it('a broken group file stops it with every error and position (exit 1), listing nothing', async () => {
    const broken = groupsDir('broken', {
      'berlin.yaml': scheduled('team-berlin', '0 7 * * 1-5', '0 20 * * 1-5', 'Europe/Berlin'),
      'typo.yaml': scheduled('team-typo', '0 7 * * 1-5', '0 25 * * 1-5', 'Europe/Berln'),
    });
    const run = await runCli(['due', '--now', '2026-01-05T07:00:00Z'], { cwd: broken });
    expect(run).toEqual({
      code: 1,
      stdout: '',
      stderr: [
        'greenlight due: groups/typo.yaml:6:9: schedule.down: expected a cron expression, got "0 25 * * 1-5" (hour "25": 25 is out of range 0-23)',
        'groups/typo.yaml:7:13: schedule.timezone: expected an IANA time zone, got "Europe/Berln" (unknown time zone); did you mean "Europe/Berlin"?',
        '',
      ].join('\n'),
    });
  });

  it('the shipped groups: login-feature is up on Berlin workdays, master has no schedule', async () => {
    const run = await runCli([
      'due',
      '--since',
      '2026-01-05T00:00:00Z',
      '--now',
      '2026-01-05T12:00:00Z',
      '--json',
    ]);
    expect(JSON.parse(run.stdout)).toMatchObject({ up: ['login-feature'], down: [] });
  });
});
