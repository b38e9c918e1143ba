/**
 * Reading the groups directory: `services.yaml` plus one file per group. Every error of
 * a file is collected; a file that cannot be read, or is too large, is one error.
 */
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { type CatalogResult, validateCatalog } from '../core/config/catalog.ts';
import { ConfigError, type Diagnostic, sortDiagnostics } from '../core/config/diagnostics.ts';
import { validateGroup } from '../core/config/group.ts';
import { applyOverrides, type OverrideEntry, parseOverrides } from '../core/config/overrides.ts';
import { MAX_CONFIG_BYTES, type ParsedFile, parseConfigText } from '../core/config/parse.ts';
import type { Catalog, Group } from '../core/config/types.ts';
import { InputError } from '../core/errors.ts';

type Locate = (path: string) => { line: number; col: number };

export const CATALOG_FILE = 'services.yaml';

export interface GroupsLocation {
  /** Directory the relative paths are taken from (the CLI's cwd; the action's workspace). */
  cwd: string;
  /** `groups` by default; shown in messages as given. */
  groupsDir: string;
}

type FileRead = { ok: true; parsed: ParsedFile } | { ok: false; diagnostics: Diagnostic[] };

/** Reads and parses one file; the size is checked before reading, so a huge file costs nothing. */
export function readConfigFile(cwd: string, file: string): FileRead {
  const absolute = resolve(cwd, file);
  try {
    const size = statSync(absolute).size;
    if (size > MAX_CONFIG_BYTES) {
      const message = `file is ${size} bytes, larger than the ${MAX_CONFIG_BYTES} bytes a config may have`;
      return { ok: false, diagnostics: [{ file, line: 1, col: 1, path: '', message }] };
    }
    return parseConfigText(file, readBounded(absolute, size));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message = code === 'ENOENT' ? 'file not found' : `cannot read the file (${code ?? String(error)})`;
    return { ok: false, diagnostics: [{ file, line: 1, col: 1, path: '', message }] };
  }
}

/** Reads at most the checked size plus one byte (a file growing meanwhile is still caught by the parser's cap). */
function readBounded(absolute: string, size: number): string {
  const buffer = Buffer.alloc(Math.min(size + 1, MAX_CONFIG_BYTES + 1));
  const fd = openSync(absolute, 'r');
  try {
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, length).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

export function catalogPath(location: GroupsLocation): string {
  return join(location.groupsDir, CATALOG_FILE);
}

function isYaml(file: string): boolean {
  return ['.yaml', '.yml'].includes(extname(file));
}

/** The group files of the directory (every YAML file but the catalog), sorted. */
export function listGroupFiles(location: GroupsLocation): string[] {
  let entries: string[];
  try {
    entries = readdirSync(resolve(location.cwd, location.groupsDir));
  } catch {
    return [];
  }
  return entries
    .filter((entry) => isYaml(entry) && entry !== CATALOG_FILE)
    .sort()
    .map((entry) => join(location.groupsDir, entry));
}

export function groupNameOf(file: string): string {
  return basename(file, extname(file));
}

/**
 * A group is named (`master`: groups-dir/master.yaml) or given as the path of its YAML
 * file. Anything else with a slash is not a group: refused before it is read, a group file
 * is never some other file (whose first line would be echoed in the error).
 */
export function isGroupReference(groupRef: string): boolean {
  return isYaml(groupRef) || !groupRef.includes('/');
}

/** `master` -> `groups/master.yaml`; a path (`x/y.yaml`) stays as it is. */
export function groupFilePath(location: GroupsLocation, groupRef: string): string {
  if (isYaml(groupRef)) return groupRef;
  if (isGroupReference(groupRef)) return join(location.groupsDir, `${groupRef}.yaml`);
  throw new InputError(
    `group "${groupRef}": expected a group name such as "master" or the path of a group file ending in .yaml`,
  );
}

export function loadCatalogResult(location: GroupsLocation): CatalogResult {
  const read = readConfigFile(location.cwd, catalogPath(location));
  if (!read.ok) return { catalog: undefined, diagnostics: read.diagnostics };
  return validateCatalog(read.parsed);
}

/** The valid catalog, or a ConfigError with every error of services.yaml. */
export function loadCatalog(location: GroupsLocation): Catalog {
  const result = loadCatalogResult(location);
  if (!result.catalog) throw new ConfigError(result.diagnostics);
  return result.catalog;
}

/** Validates one group file against a valid catalog; diagnostics are empty when it is valid. */
export function checkGroupFile(
  location: GroupsLocation,
  file: string,
  catalog: Catalog,
): { group: Group | undefined; diagnostics: Diagnostic[]; locate: Locate } {
  const read = readConfigFile(location.cwd, file);
  if (!read.ok)
    return { group: undefined, diagnostics: read.diagnostics, locate: () => ({ line: 1, col: 1 }) };
  const knownGroups = listGroupFiles(location).map(groupNameOf);
  return validateGroup(read.parsed, { name: groupNameOf(file), catalog, knownGroups });
}

/** The catalog and one group, or a ConfigError with every error of both files. */
export function loadGroup(location: GroupsLocation, groupRef: string): { catalog: Catalog; group: Group } {
  const catalog = loadCatalog(location);
  const checked = checkGroupFile(location, groupFilePath(location, groupRef), catalog);
  if (!checked.group) throw new ConfigError(checked.diagnostics);
  return { catalog, group: checked.group };
}

export interface ValidationReport {
  files: string[];
  diagnostics: Diagnostic[];
}

/**
 * `greenlight validate`: the catalog and the given group files (all of the directory when
 * none are given). Groups sharing a namespace are an error: one group owns one color per namespace.
 */
export function validateGroupsDir(location: GroupsLocation, files: readonly string[] = []): ValidationReport {
  const catalog = loadCatalogResult(location);
  const groupFiles =
    files.length > 0 ? files.filter((file) => basename(file) !== CATALOG_FILE) : listGroupFiles(location);
  const checkedFiles = [catalogPath(location), ...groupFiles];
  // Group files are checked against the catalog; with a broken catalog its errors come first, alone.
  if (!catalog.catalog) return { files: checkedFiles, diagnostics: catalog.diagnostics };
  const diagnostics: Diagnostic[] = [];
  const namespaces = new Map<string, Group>();
  for (const file of groupFiles) {
    const checked = checkGroupFile(location, file, catalog.catalog);
    diagnostics.push(...checked.diagnostics);
    if (checked.group) diagnostics.push(...namespaceClash(checked.group, checked.locate, namespaces));
  }
  return { files: checkedFiles, diagnostics: sortDiagnostics(diagnostics) };
}

function namespaceClash(group: Group, locate: Locate, namespaces: Map<string, Group>): Diagnostic[] {
  const owner = namespaces.get(group.namespace);
  if (!owner) {
    namespaces.set(group.namespace, group);
    return [];
  }
  return [
    {
      file: group.file,
      ...locate('namespace'),
      path: 'namespace',
      message: `"${group.namespace}" is also the namespace of group ${owner.name} (${owner.file}); each group needs a namespace of its own`,
    },
  ];
}

export interface ValidatedGroup {
  catalog: Catalog;
  /** With the overrides applied. */
  group: Group;
}

/** The catalog, the group and the overrides, all validated; throws ConfigError/InputError. */
export function loadGroupWithOverrides(
  location: GroupsLocation,
  groupRef: string,
  overrides: readonly OverrideEntry[],
): ValidatedGroup {
  const { catalog, group } = loadGroup(location, groupRef);
  return { catalog, group: applyOverrides(group, parseOverrides(overrides, group, catalog)) };
}

/** The groups named in promotion.requireVerifiedIn, each with its namespace and services. */
export function requiredGroups(
  location: GroupsLocation,
  group: Group,
): { group: string; namespace: string; services: string[] }[] {
  return group.promotion.requireVerifiedIn.map((name) => {
    const other = loadGroup(location, name).group;
    return {
      group: other.name,
      namespace: other.namespace,
      services: other.services.map((service) => service.name),
    };
  });
}
