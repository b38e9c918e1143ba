/**
 * Per-run branch overrides: CLI `--set hello-b=feature/login` (repeatable) and the action
 * input `overrides` (one `service=branch` per line). Validated with the same rules as the
 * group file; every bad entry is reported at once, each naming where it came from.
 */
import { InputError } from '../errors.ts';
import { branchProblem } from './rules.ts';
import { suggestion } from './suggest.ts';
import type { Catalog, Group } from './types.ts';

export interface OverrideEntry {
  text: string;
  /** How to name this entry in an error: `--set "x=y"`, `Input "overrides" line 2 ("x=y")`. */
  origin: string;
}

export function cliOverrideEntries(values: readonly string[]): OverrideEntry[] {
  return values.map((text) => ({ text, origin: `--set "${text}"` }));
}

export function inputOverrideEntries(input: string, lines: readonly string[]): OverrideEntry[] {
  return lines.map((text, index) => ({ text, origin: `Input "${input}" line ${index + 1} ("${text}")` }));
}

/** service -> branch, or an InputError listing every bad entry. */
export function parseOverrides(
  entries: readonly OverrideEntry[],
  group: Group,
  catalog: Catalog,
): Map<string, string> {
  const overrides = new Map<string, string>();
  const problems: string[] = [];
  const members = group.services.map((service) => service.name);
  for (const entry of entries) {
    const problem = overrideProblem(entry.text, members, overrides, group, catalog);
    if (typeof problem === 'string') problems.push(`${entry.origin}: ${problem}`);
    else overrides.set(problem.service, problem.branch);
  }
  if (problems.length > 0) {
    throw new InputError(problems.join('\n'), {
      hint: 'write each override as service=branch, e.g. hello-b=feature/login',
    });
  }
  return overrides;
}

function overrideProblem(
  text: string,
  members: readonly string[],
  seen: ReadonlyMap<string, string>,
  group: Group,
  catalog: Catalog,
): string | { service: string; branch: string } {
  const equals = text.indexOf('=');
  if (equals < 0) return 'expected service=branch, got no "="';
  const service = text.slice(0, equals).trim();
  const branch = text.slice(equals + 1).trim();
  if (!service) return 'expected service=branch, got no service before "="';
  if (!members.includes(service)) {
    if (catalog.services.has(service)) {
      return `service "${service}" is not in group ${group.name} (its services: ${members.join(', ')})`;
    }
    return `unknown service "${service}"${suggestion(service, members, `a service of group ${group.name}:`)}`;
  }
  if (seen.has(service)) return `service "${service}" is overridden twice`;
  const problem = branchProblem(branch);
  if (problem) return `expected a git branch name, got "${branch}" (${problem})`;
  return { service, branch };
}

/** The group with overridden services set to their branches. */
export function applyOverrides(group: Group, overrides: ReadonlyMap<string, string>): Group {
  return {
    ...group,
    services: group.services.map((service) => {
      const branch = overrides.get(service.name);
      return branch === undefined
        ? service
        : { ...service, image: { kind: 'branch', branch }, source: 'override' };
    }),
  };
}
