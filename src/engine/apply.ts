/**
 * Putting a release on one color: its Services first (so endpoints fill as pods come up),
 * then one Deployment per service. Deploy does it for a planned release, rollback for an
 * earlier one whose pods were gone.
 */
import type { Catalog, Group } from '../core/config/types.ts';
import type { Color } from '../core/naming.ts';
import type { ServicePlan } from '../core/plan.ts';
import type { ReleaseRecord } from '../core/release.ts';
import { deploymentSpecOf, supportServiceSpecs } from '../core/workload.ts';
import type { EngineDeps } from './deps.ts';
import { forEachLimited } from './switch.ts';

export interface ReleaseOnColor {
  group: Group;
  catalog: Catalog;
  releaseId: string;
  color: Color;
  services: readonly ServicePlan[];
  /** The deploy's wait; the Deployments' progress deadline follows it. */
  timeoutMs: number;
}

export async function applyReleaseToColor(input: ReleaseOnColor, deps: EngineDeps): Promise<void> {
  const { group, catalog, color } = input;
  const ports = new Map([...catalog.services.values()].map((service) => [service.name, service.port]));
  const catalogServices = input.services.map((planned) => {
    const found = catalog.services.get(planned.service);
    if (!found) throw new Error(`${planned.service} is not in the catalog ${catalog.file}`);
    return { planned, catalogService: found };
  });
  await forEachLimited(
    catalogServices.flatMap(({ catalogService }) => supportServiceSpecs(catalogService, group.name, color)),
    (spec) => deps.cluster.applyService(spec),
  );
  const context = {
    group: group.name,
    namespace: group.namespace,
    releaseId: input.releaseId,
    color,
    runUrl: deps.run.runUrl,
    progressDeadlineSeconds: Math.max(60, Math.ceil(input.timeoutMs / 1000)),
  };
  await forEachLimited(catalogServices, ({ planned, catalogService }) =>
    deps.cluster.applyDeployment(deploymentSpecOf(planned, catalogService, ports, context)),
  );
  deps.log.info(
    `applied ${input.services.length} Deployments to ${color} (release ${input.releaseId}); waiting for them`,
  );
}

/** The images of a recorded release, as a plan would give them, with the group's replicas. */
export function recordedServicePlans(record: ReleaseRecord, group: Group, catalog: Catalog): ServicePlan[] {
  const replicas = new Map(group.services.map((service) => [service.name, service.replicas]));
  return record.services.map((service) => ({
    service: service.service,
    action: 'deploy',
    selector: service.branch
      ? { kind: 'branch', branch: service.branch }
      : { kind: 'digest', digest: service.digest },
    source: 'group',
    repository: service.repository,
    digest: service.digest,
    image: service.image,
    ...(service.tag ? { tag: service.tag } : {}),
    ...(service.commit ? { commit: service.commit } : {}),
    replicas: replicas.get(service.service) ?? catalog.services.get(service.service)?.replicas ?? 1,
  }));
}
