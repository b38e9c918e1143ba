/**
 * `greenlight due`: which groups their `schedule` wants spun up or down since the last run.
 * Reads the group files only; talks to nothing.
 *
 * How the last run is known: it is not stored anywhere. A caller with a record of it
 * passes `--since`; a scheduled workflow passes nothing and gets the `--lookback` window
 * before now (default 2h), longer than its own interval plus GitHub's schedule delay, so a
 * late or dropped run is covered by the next one. Up and down are idempotent, so an
 * instant seen by two overlapping runs is applied twice, never lost (src/core/schedule.ts).
 */
import type { ParseArgsOptionsConfig } from 'node:util';
import { ConfigError, type Diagnostic } from '../../core/config/diagnostics.ts';
import { parseDuration } from '../../core/duration.ts';
import { InputError } from '../../core/errors.ts';
import {
  dueGroups,
  lookbackWindow,
  renderDueJson,
  renderDueText,
  type ScheduledGroup,
  type ScheduleWindow,
} from '../../core/schedule.ts';
import { checkGroupFile, type GroupsLocation, listGroupFiles, loadCatalog } from '../../disk/groups.ts';
import type { CliIO, Command } from '../command.ts';
import { parseCommandArgs, usageError } from './args.ts';

const USAGE = 'greenlight due [--groups-dir DIR] [--since ISO | --lookback DURATION] [--now ISO] [--json]';

export const DEFAULT_LOOKBACK = '2h';

const OPTIONS = {
  'groups-dir': { type: 'string', default: 'groups' },
  since: { type: 'string' },
  lookback: { type: 'string' },
  now: { type: 'string' },
  json: { type: 'boolean', default: false },
} satisfies ParseArgsOptionsConfig;

/** A time with its zone, so no machine's local zone decides what it means. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/i;

export const dueCommand: Command = {
  name: 'due',
  summary: 'list the groups whose schedule wants them up or down since the last run; talks to nothing',
  usage: USAGE,
  async run(args: string[], io: CliIO): Promise<number> {
    const parsed = parseCommandArgs(args, OPTIONS, USAGE, io);
    if (!parsed) return 2;
    const { since, lookback, now, json } = parsed.values;
    if (parsed.positionals.length > 0) return usageError(io, 'due takes no positional arguments', USAGE);
    if (since !== undefined && lookback !== undefined) {
      return usageError(io, '--since and --lookback exclude each other', USAGE);
    }
    const window = readWindow({ since, lookback, now });
    if (typeof window === 'string') return usageError(io, window, USAGE);
    const groups = loadScheduledGroups({ cwd: io.cwd, groupsDir: parsed.values['groups-dir'] });
    const due = dueGroups(groups, window);
    io.stdout(json ? renderDueJson(due, window) : renderDueText(due, window));
    return 0;
  },
};

/** The window from the options, or the usage error. */
function readWindow(options: {
  since: string | undefined;
  lookback: string | undefined;
  now: string | undefined;
}): ScheduleWindow | string {
  const now = options.now === undefined ? new Date() : readInstant('--now', options.now);
  if (typeof now === 'string') return now;
  if (options.since !== undefined) {
    const since = readInstant('--since', options.since);
    return typeof since === 'string' ? since : { since, now };
  }
  try {
    return lookbackWindow(now, parseDuration(options.lookback ?? DEFAULT_LOOKBACK, '--lookback'));
  } catch (error) {
    if (error instanceof InputError) return error.message;
    throw error;
  }
}

function readInstant(option: string, text: string): Date | string {
  const instant = new Date(text);
  if (!ISO_INSTANT.test(text) || Number.isNaN(instant.getTime())) {
    return `${option}: expected an ISO 8601 time with a zone, like 2026-01-05T07:00:00Z, got "${text}"`;
  }
  return instant;
}

/**
 * Every group of the directory. An invalid file stops the command with every error of
 * every file: a schedule that skipped a broken group would leave it running unnoticed.
 */
function loadScheduledGroups(location: GroupsLocation): ScheduledGroup[] {
  const catalog = loadCatalog(location);
  const groups: ScheduledGroup[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const file of listGroupFiles(location)) {
    const checked = checkGroupFile(location, file, catalog);
    diagnostics.push(...checked.diagnostics);
    if (checked.group) groups.push({ name: checked.group.name, schedule: checked.group.schedule });
  }
  if (diagnostics.length > 0) throw new ConfigError(diagnostics);
  return groups;
}
