/**
 * Every name Greenlight derives from user strings (branches, services, colors) comes from
 * here, so the build action, the deploy engine and the CLI always agree.
 */
import { createHash } from 'node:crypto';

export type Color = 'blue' | 'green';
export const COLORS: readonly Color[] = ['blue', 'green'];

export function otherColor(color: Color): Color {
  return color === 'blue' ? 'green' : 'blue';
}

/** Docker clients refuse tags longer than this, although ECR itself accepts 300. */
export const MAX_TAG_LENGTH = 128;
export const MAX_LABEL_LENGTH = 63;
export const LAST_GOOD_TAG_PREFIX = 'branch-';
export const SHA_TAG_PREFIX = 'sha-';
const HASH_LENGTH = 10;
const HASH_SUFFIX = new RegExp(`-[0-9a-f]{${HASH_LENGTH}}$`);

function shortHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, HASH_LENGTH);
}

/** The immutable tag of the image built from one commit: `sha-<full sha>`. */
export function commitTag(sha: string): string {
  return `${SHA_TAG_PREFIX}${sha.toLowerCase()}`;
}

export function isCommitSha(text: string): boolean {
  return /^[0-9a-f]{40}$/i.test(text) || /^[0-9a-f]{64}$/i.test(text);
}

/**
 * The moving last-good tag of a branch, valid under Docker's tag rule
 * `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`. A name that is used as it is stays readable
 * (`feature-x` -> `branch-feature-x`). A name that had to be changed (lowercased,
 * characters replaced) or cut gets a hash of the original branch appended, so two
 * different branches never share a tag: `Feature/X` and `feature-x` differ.
 */
export function lastGoodTag(branch: string): string {
  return sanitizeWithHash(branch, {
    prefix: LAST_GOOD_TAG_PREFIX,
    maxLength: MAX_TAG_LENGTH,
    lowercase: true,
    invalidRun: /[^a-z0-9_.-]+/g,
  });
}

/**
 * A Kubernetes label value for a user string (branch, commit, group): at most 63
 * characters, `[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?`. The exact string belongs in an
 * annotation; the label is for selecting and must only be unique, not reversible.
 */
export function labelValue(text: string): string {
  return sanitizeWithHash(text, {
    prefix: '',
    maxLength: MAX_LABEL_LENGTH,
    lowercase: false,
    invalidRun: /[^A-Za-z0-9_.-]+/g,
  });
}

interface SanitizeRules {
  prefix: string;
  maxLength: number;
  lowercase: boolean;
  invalidRun: RegExp;
}

function sanitizeWithHash(text: string, rules: SanitizeRules): string {
  const cased = rules.lowercase ? text.toLowerCase() : text;
  // Both tags and label values must start and end alphanumerically once the prefix is added.
  const cleaned = cased.replace(rules.invalidRun, '-').replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  const fits = rules.prefix.length + cleaned.length <= rules.maxLength;
  // A name that already ends like a hash suffix gets one too, so an unchanged name can
  // never equal the hashed form of another one.
  const looksHashed = HASH_SUFFIX.test(cleaned);
  if (cleaned === text && fits && cleaned.length > 0 && !looksHashed) return rules.prefix + cleaned;
  const room = rules.maxLength - rules.prefix.length - HASH_LENGTH - 1;
  const stem = cleaned.slice(0, room).replace(/[^A-Za-z0-9]+$/, '');
  return `${rules.prefix}${stem ? `${stem}-` : ''}${shortHash(text)}`;
}

export function deploymentName(service: string, color: Color): string {
  return `${service}-${color}`;
}

/** The Service that selects the standby color, so tests reach the candidate. */
export function previewServiceName(service: string): string {
  return `${service}-preview`;
}

/** `GREENLIGHT_URL_HELLO_A` for `hello-a`: how tests and callers find a service. */
export function serviceUrlEnvName(service: string): string {
  return `GREENLIGHT_URL_${service.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`;
}
