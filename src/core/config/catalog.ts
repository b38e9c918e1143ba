/** `groups/services.yaml`: structure from the spec, then the cross-references (`calls`). */
import { isMap, isScalar, type Node } from 'yaml';
import type { Diagnostic } from './diagnostics.ts';
import type { ParsedFile } from './parse.ts';
import { CATALOG_SPEC } from './schemas.ts';
import { withKnownNames } from './spec.ts';
import {
  type Catalog,
  type CatalogService,
  DEFAULT_PRESTOP_SLEEP_SECONDS,
  type Quantities,
  type ServiceType,
} from './types.ts';
import { createWalkContext, INVALID, reportAt, type WalkContext, walk } from './validate.ts';

interface RawService {
  repository: string;
  port: number;
  readinessPath?: string;
  livenessPath?: string;
  replicas?: number;
  resources?: { requests?: Quantities; limits?: Quantities };
  env?: Record<string, string>;
  calls?: string[];
  githubRepository?: string;
  serviceType?: ServiceType;
  preStopSleepSeconds?: number;
}

export type CatalogResult =
  | { catalog: Catalog; diagnostics: [] }
  | { catalog: undefined; diagnostics: Diagnostic[] };

export function validateCatalog(parsed: ParsedFile): CatalogResult {
  const context = createWalkContext(parsed.file, parsed.document, parsed.lineCounter);
  const names = serviceNamesIn(parsed.document.get('services', true));
  const spec = withKnownNames(CATALOG_SPEC, ['services', '*value', 'calls', '*item'], {
    noun: 'service',
    names,
    where: 'this catalog',
  });
  const raw = walk(parsed.document.contents as Node | null, spec, [], context, 0);
  if (raw !== INVALID) checkCalls(raw as { services: Record<string, RawService> }, context);
  if (raw === INVALID || context.diagnostics.length > 0)
    return { catalog: undefined, diagnostics: context.diagnostics };
  const services = new Map<string, CatalogService>();
  for (const [name, service] of Object.entries((raw as { services: Record<string, RawService> }).services)) {
    services.set(name, withDefaults(name, service));
  }
  return { catalog: { file: parsed.file, services }, diagnostics: [] };
}

/** The service names as written, read before the walk so `calls` can be checked against them. */
function serviceNamesIn(node: unknown): string[] {
  if (!isMap(node)) return [];
  return node.items.flatMap((pair) => (isScalar(pair.key) ? [String(pair.key.value)] : []));
}

function checkCalls(raw: { services: Record<string, RawService> }, context: WalkContext): void {
  for (const [name, service] of Object.entries(raw.services)) {
    for (const [index, callee] of (service.calls ?? []).entries()) {
      if (callee === name)
        reportAt(context, ['services', name, 'calls', index], 'a service cannot call itself');
    }
  }
}

function withDefaults(name: string, raw: RawService): CatalogService {
  const readinessPath = raw.readinessPath ?? '/';
  return {
    name,
    repository: raw.repository,
    port: raw.port,
    readinessPath,
    livenessPath: raw.livenessPath ?? readinessPath,
    replicas: raw.replicas ?? 1,
    resources: raw.resources ?? {},
    env: raw.env ?? {},
    calls: raw.calls ?? [],
    serviceType: raw.serviceType ?? 'ClusterIP',
    preStopSleepSeconds: raw.preStopSleepSeconds ?? DEFAULT_PRESTOP_SLEEP_SECONDS,
    ...(raw.githubRepository === undefined ? {} : { githubRepository: raw.githubRepository }),
  };
}
