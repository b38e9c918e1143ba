/**
 * Value rules shared by the config files, the overrides and the CLI. Each returns
 * undefined when the value is fine, or the reason it is not, worded for a person.
 */

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

/** The POSIX/GitHub Actions cron grammar: 5 fields, `*`, values, ranges, steps, lists, month and day names. */
export function cronProblem(expression: string): string | undefined {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) {
    return `${fields.length} field${fields.length === 1 ? '' : 's'}, expected 5: minute hour day-of-month month day-of-week`;
  }
  for (const [index, text] of fields.entries()) {
    const field = CRON_FIELDS[index];
    if (!field) continue;
    const problem = cronFieldProblem(text, field);
    if (problem) return `${field.name} "${text}": ${problem}`;
  }
  return undefined;
}

function cronFieldProblem(text: string, field: CronField): string | undefined {
  for (const item of text.split(',')) {
    const match = /^(\*|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:\/([0-9]+))?$/.exec(item);
    if (!match?.[1]) return `"${item}" is not a value, range or step`;
    if (match[2] !== undefined && Number(match[2]) === 0) return 'a step must be at least 1';
    if (match[1] === '*') continue;
    const bounds = match[1].split('-').map((part) => cronValue(part, field));
    for (const [position, bound] of bounds.entries()) {
      if (bound === undefined) return `"${match[1].split('-')[position]}" is not a ${field.name} value`;
      if (bound < field.min || bound > field.max) return `${bound} is out of range ${field.min}-${field.max}`;
    }
    if (bounds.length === 2 && (bounds[0] ?? 0) > (bounds[1] ?? 0))
      return `the range ${match[1]} is reversed`;
  }
  return undefined;
}

function cronValue(text: string, field: CronField): number | undefined {
  if (/^[0-9]+$/.test(text)) return Number(text);
  const index = field.names?.indexOf(text.toLowerCase()) ?? -1;
  if (index < 0) return undefined;
  return field.name === 'month' ? index + 1 : index;
}
