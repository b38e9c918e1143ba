/**
 * Value rules shared by the config files, the overrides and the CLI. Each returns
 * undefined when the value is fine, or the reason it is not, worded for a person.
 */
import { Cron } from 'croner';
import { cronOptions } from '../schedule.ts';

/** DNS-1123 label: namespaces (and the group's objects) must be one. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const MAX_DNS_LABEL = 63;
/** `<svc>-preview` must still be a Service name (DNS-1035 label, 63 chars). */
export const MAX_SERVICE_NAME = MAX_DNS_LABEL - '-preview'.length;

export function namespaceProblem(name: string): string | undefined {
  if (name.length > MAX_DNS_LABEL) return `${name.length} characters, at most ${MAX_DNS_LABEL} allowed`;
  if (!DNS_LABEL.test(name)) {
    return 'lowercase letters, digits and "-" only, starting and ending with a letter or digit';
  }
  return undefined;
}

export function serviceNameProblem(name: string): string | undefined {
  if (name.length > MAX_SERVICE_NAME) {
    return `${name.length} characters, at most ${MAX_SERVICE_NAME} allowed (Greenlight appends "-preview")`;
  }
  if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(name)) {
    return 'lowercase letters, digits and "-" only, starting with a letter and ending with a letter or digit';
  }
  return undefined;
}

/**
 * git check-ref-format, applied to `refs/heads/<name>` as `git branch` does, plus git's
 * refusal of names starting with "-" and of "HEAD".
 */
export function branchProblem(name: string): string | undefined {
  if (name === '') return 'it is empty';
  if (name === '@') return '"@" alone is not allowed';
  if (name === 'HEAD') return '"HEAD" is not a branch name';
  if (name.startsWith('-')) return 'it starts with "-"';
  if (name.startsWith('/') || name.endsWith('/')) return 'it starts or ends with "/"';
  if (name.includes('//')) return 'it contains "//"';
  if (name.includes('..')) return 'it contains ".."';
  if (name.includes('@{')) return 'it contains "@{"';
  if (name.endsWith('.')) return 'it ends with "."';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: git refuses exactly these
  const forbidden = /[\x00-\x20\x7f~^:?*[\\]/.exec(name);
  if (forbidden) return `it contains ${describeCharacter(forbidden[0])}`;
  for (const component of name.split('/')) {
    if (component.startsWith('.')) return `the part "${component}" starts with "."`;
    if (component.endsWith('.lock')) return `the part "${component}" ends with ".lock"`;
  }
  return undefined;
}

function describeCharacter(character: string): string {
  if (character === ' ') return 'a space';
  const code = character.codePointAt(0) ?? 0;
  if (code < 0x20 || code === 0x7f) return `the control character U+${code.toString(16).padStart(4, '0')}`;
  return `"${character}"`;
}

/** Docker's tag rule. */
export const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
export function tagProblem(tag: string): string | undefined {
  if (tag.length > 128) return `${tag.length} characters, at most 128 allowed`;
  return TAG.test(tag) ? undefined : 'letters, digits, "_", "." and "-" only, not starting with "." or "-"';
}

export const DIGEST = /^sha256:[a-f0-9]{64}$/;
export function digestProblem(digest: string): string | undefined {
  return DIGEST.test(digest) ? undefined : 'it must be "sha256:" and 64 lowercase hex digits';
}

/** Repository path in a registry (ECR repository names follow the same grammar). */
export const REPOSITORY =
  /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
export function repositoryProblem(name: string): string | undefined {
  if (name.length > 256) return `${name.length} characters, at most 256 allowed`;
  return REPOSITORY.test(name)
    ? undefined
    : 'lowercase path segments of letters and digits separated by ".", "_", "__" or "-", joined by "/"';
}

/** An image reference for a test image: `[host[:port]/]path[:tag][@digest]`. */
export const IMAGE_REF =
  /^(?:[A-Za-z0-9.-]+(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
export function imageRefProblem(ref: string): string | undefined {
  return IMAGE_REF.test(ref) ? undefined : 'write it like registry.example/tests:tag';
}

export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
export function envNameProblem(name: string): string | undefined {
  if (!ENV_NAME.test(name)) return 'letters, digits and "_" only, not starting with a digit';
  if (name.startsWith('GREENLIGHT_'))
    return 'the GREENLIGHT_ prefix is reserved for the variables Greenlight sets';
  return undefined;
}

export const HTTP_PATH = /^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/;
export function httpPathProblem(path: string): string | undefined {
  return HTTP_PATH.test(path) ? undefined : 'it must start with "/"';
}

export const CPU_QUANTITY = /^(?:[0-9]+m|[0-9]+(?:\.[0-9]{1,3})?)$/;
export function cpuProblem(value: string): string | undefined {
  return CPU_QUANTITY.test(value) ? undefined : 'use millicores like 250m or cores like 1 or 0.5';
}

export const MEMORY_QUANTITY = /^[0-9]+(?:\.[0-9]+)?(?:Ki|Mi|Gi|Ti|k|M|G|T)?$/;
export function memoryProblem(value: string): string | undefined {
  return MEMORY_QUANTITY.test(value) ? undefined : 'use a size like 64Mi, 1Gi or 500M';
}

export const GITHUB_REPOSITORY = /^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/;
export function githubRepositoryProblem(value: string): string | undefined {
  return GITHUB_REPOSITORY.test(value) ? undefined : 'write it as owner/name';
}

export const DURATION_PATTERN = /^[0-9]+(?:ms|s|m|h)?$/;
export function durationProblem(value: string): string | undefined {
  if (!DURATION_PATTERN.test(value)) return 'write a number and a unit: 250ms, 30s, 10m, 1h';
  return /^0+(?:ms|s|m|h)?$/.test(value) ? 'it must be longer than 0' : undefined;
}

export function timezoneProblem(zone: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return undefined;
  } catch {
    return 'unknown time zone';
  }
}

export function knownTimezones(): string[] {
  return [...Intl.supportedValuesOf('timeZone'), 'UTC'];
}

interface CronField {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const CRON_FIELDS: readonly CronField[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  // 7 is Sunday too, as in GitHub Actions and Vixie cron.
  { name: 'day-of-week', min: 0, max: 7, names: DAYS },
];

/**
 * A 5-field cron expression as the schedule evaluates it (src/core/schedule.ts): croner
 * decides what is valid, with the options the schedule uses, so the two always agree.
 * Croner also takes its extensions (`L`, `W`, `#`, `?`). Croner's own messages name its
 * internal fields, so the field is found here and the common mistakes are worded for a person.
 */
export function cronProblem(expression: string): string | undefined {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) {
    return `${fields.length} field${fields.length === 1 ? '' : 's'}, expected 5: minute hour day-of-month month day-of-week`;
  }
  const refused = cronRefusal(fields.join(' '));
  if (refused !== undefined) return explainCronRefusal(fields, refused);
  // A valid expression that names no real date (30 February) would never fire.
  if (new Cron(fields.join(' '), cronOptions('UTC')).nextRun(new Date(0)) === null) {
    return 'it matches no date: that day of the month never occurs in those months';
  }
  return undefined;
}

/** Croner's error message for the expression, or undefined when it parses. */
function cronRefusal(expression: string): string | undefined {
  try {
    new Cron(expression, cronOptions('UTC'));
    return undefined;
  } catch (error) {
    return (error instanceof Error ? error.message : String(error)).replace(/^CronPattern:\s*/, '');
  }
}

/** Names the first field croner refuses on its own (the others as `*`), and why. */
function explainCronRefusal(fields: readonly string[], refused: string): string {
  for (const [index, field] of CRON_FIELDS.entries()) {
    const text = fields[index] ?? '';
    const alone = fields.map((other, position) => (position === index ? other : '*')).join(' ');
    const reason = cronRefusal(alone);
    if (reason !== undefined) return `${field.name} "${text}": ${cronFieldReason(text, field, reason)}`;
  }
  return lowerFirst(refused);
}

function cronFieldReason(text: string, field: CronField, refused: string): string {
  const outOfRange = text
    .split(/[^0-9]+/)
    .filter((part) => part !== '')
    .map(Number)
    .find((value) => value < field.min || value > field.max);
  if (/^Invalid value/.test(refused) && outOfRange !== undefined) {
    return `${outOfRange} is out of range ${field.min}-${field.max}`;
  }
  const unknownName = text
    .split(/[,/#-]/)
    .find(
      (part) => /[A-Za-z]/.test(part) && !field.names?.includes(part.toLowerCase()) && !/^[LW?]$/i.test(part),
    );
  if (/illegal characters|has to stand alone/.test(refused) && unknownName !== undefined) {
    return `"${unknownName}" is not a ${field.name} value`;
  }
  const reversed = /^From value is larger than to value: '([^']*)'/.exec(refused);
  if (reversed) return `the range ${reversed[1]} is reversed`;
  if (/illegal stepping: 0$/.test(refused)) return 'a step must be at least 1';
  return lowerFirst(refused.replace(/\.$/, ''));
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
