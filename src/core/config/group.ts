/** `groups/<group>.yaml`: structure from the spec, then references to the catalog and other groups. */
import type { Node } from 'yaml';
import type { Diagnostic } from './diagnostics.ts';
import type { ParsedFile } from './parse.ts';
import { GROUP_SPEC } from './schemas.ts';
import { type Spec, withKnownNames } from './spec.ts';
import {
  type Catalog,
  DEFAULT_BRANCH,
  DEFAULT_PROBE_RATE,
  DEFAULT_TEST_TIMEOUT,
  type Group,
  type GroupService,
  type ImageSelector,
} from './types.ts';
import { createWalkContext, INVALID, reportAt, type WalkContext, walk } from './validate.ts';

interface RawGroupService {
  branch?: string;
  tag?: string;
  digest?: string;
  replicas?: number;
}

interface RawGroup {
  namespace: string;
  defaultBranch?: string;
  services: Record<string, RawGroupService>;
  integration?: {
    image?: string;
    command?: string;
    shell?: 'sh' | 'bash';
    urls?: 'port-forward' | 'in-cluster';
    timeout?: string;
    env?: Record<string, string>;
  };
  promotion?: { approval?: string; requireVerifiedIn?: string[]; probe?: { image: string; rate?: number } };
  schedule?: { up?: string; down?: string; timezone: string };
}

export interface GroupContext {
  /** The group's name: its file name without `.yaml`. */
  name: string;
  catalog: Catalog;
  /** Names of the groups that exist (for `promotion.requireVerifiedIn`). */
  knownGroups: readonly string[];
}

export type GroupResult = (
  | { group: Group; diagnostics: [] }
  | { group: undefined; diagnostics: Diagnostic[] }
) & {
  /** Line and column of a field path, for checks across files (two groups, one namespace). */
  locate: (path: string) => { line: number; col: number };
};

export function validateGroup(parsed: ParsedFile, groupContext: GroupContext): GroupResult {
  const context = createWalkContext(parsed.file, parsed.document, parsed.lineCounter);
  const raw = walk(parsed.document.contents as Node | null, groupSpecFor(groupContext), [], context, 0);
  if (raw !== INVALID) checkReferences(raw as RawGroup, groupContext, context);
  const locate = (path: string) => parsed.lineCounter.linePos(context.positions.get(path) ?? 0);
  if (raw === INVALID || context.diagnostics.length > 0) {
    return { group: undefined, diagnostics: context.diagnostics, locate };
  }
  return { group: toGroup(raw as RawGroup, groupContext.name, parsed.file), diagnostics: [], locate };
}

/** The group spec with the names only known now: the catalog's services and the other groups. */
function groupSpecFor(groupContext: GroupContext): Spec {
  const withServices = withKnownNames(GROUP_SPEC, ['services', '*key'], {
    noun: 'service',
    names: [...groupContext.catalog.services.keys()],
    where: groupContext.catalog.file,
  });
  return withKnownNames(withServices, ['promotion', 'requireVerifiedIn', '*item'], {
    noun: 'group',
    names: groupContext.knownGroups,
    where: 'the groups directory',
  });
}

function checkReferences(raw: RawGroup, groupContext: GroupContext, context: WalkContext): void {
  for (const [index, other] of (raw.promotion?.requireVerifiedIn ?? []).entries()) {
    if (other === groupContext.name) {
      reportAt(
        context,
        ['promotion', 'requireVerifiedIn', index],
        'a group cannot require its own verification',
      );
    }
  }
}

function toGroup(raw: RawGroup, name: string, file: string): Group {
  const defaultBranch = raw.defaultBranch ?? DEFAULT_BRANCH;
  const services = Object.entries(raw.services)
    .map(([service, spec]) => toGroupService(service, spec, defaultBranch))
    .sort((a, b) => a.name.localeCompare(b.name));
  return {
    name,
    file,
    namespace: raw.namespace,
    defaultBranch,
    services,
    promotion: {
      requireVerifiedIn: raw.promotion?.requireVerifiedIn ?? [],
      ...(raw.promotion?.approval === undefined ? {} : { approval: raw.promotion.approval }),
      ...(raw.promotion?.probe === undefined
        ? {}
        : {
            probe: { image: raw.promotion.probe.image, rate: raw.promotion.probe.rate ?? DEFAULT_PROBE_RATE },
          }),
    },
    ...(raw.integration === undefined
      ? {}
      : {
          integration: {
            mode: raw.integration.image === undefined ? 'command' : 'job',
            run: raw.integration.image ?? raw.integration.command ?? '',
            timeout: raw.integration.timeout ?? DEFAULT_TEST_TIMEOUT,
            env: raw.integration.env ?? {},
            urls: raw.integration.urls ?? 'port-forward',
            ...(raw.integration.shell === undefined ? {} : { shell: raw.integration.shell }),
          },
        }),
    ...(raw.schedule === undefined ? {} : { schedule: raw.schedule }),
  };
}

function toGroupService(name: string, spec: RawGroupService, defaultBranch: string): GroupService {
  const image: ImageSelector =
    spec.digest !== undefined
      ? { kind: 'digest', digest: spec.digest }
      : spec.tag !== undefined
        ? { kind: 'tag', tag: spec.tag }
        : { kind: 'branch', branch: spec.branch ?? defaultBranch };
  const fromFile = spec.digest !== undefined || spec.tag !== undefined || spec.branch !== undefined;
  return {
    name,
    image,
    source: fromFile ? 'group' : 'default-branch',
    ...(spec.replicas === undefined ? {} : { replicas: spec.replicas }),
  };
}
