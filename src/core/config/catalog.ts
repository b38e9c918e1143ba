/** `groups/services.yaml`: structure from the spec, then the cross-references (`calls`). */
import type { Node } from 'yaml';
import type { Diagnostic } from './diagnostics.ts';
import type { ParsedFile } from './parse.ts';
import { CATALOG_SPEC } from './schemas.ts';
import { suggestion } from './suggest.ts';
import type { Catalog, CatalogService, Quantities, ServiceType } from './types.ts';
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
}

export type CatalogResult =
  | { catalog: Catalog; diagnostics: [] }
  | { catalog: undefined; diagnostics: Diagnostic[] };

export function validateCatalog(parsed: ParsedFile): CatalogResult {
  const context = createWalkContext(parsed.file, parsed.document, parsed.lineCounter);
  const raw = walk(parsed.document.contents as Node | null, CATALOG_SPEC, [], context, 0);
  if (raw !== INVALID) checkCalls(raw as { services: Record<string, RawService> }, context);
  if (raw === INVALID || context.diagnostics.length > 0)
    return { catalog: undefined, diagnostics: context.diagnostics };
  const services = new Map<string, CatalogService>();
  for (const [name, service] of Object.entries((raw as { services: Record<string, RawService> }).services)) {
    services.set(name, withDefaults(name, service));
  }
  return { catalog: { file: parsed.file, services }, diagnostics: [] };
}

function checkCalls(raw: { services: Record<string, RawService> }, context: WalkContext): void {
  const names = Object.keys(raw.services);
  for (const [name, service] of Object.entries(raw.services)) {
    for (const [index, callee] of (service.calls ?? []).entries()) {
      const path = ['services', name, 'calls', index];
      if (callee === name) reportAt(context, path, 'a service cannot call itself');
      else if (!names.includes(callee)) {
        reportAt(
          context,
          path,
          `unknown service "${callee}"${suggestion(callee, names, 'a service of this catalog:')}`,
        );
      }
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
    ...(raw.githubRepository === undefined ? {} : { githubRepository: raw.githubRepository }),
  };
}
