/** Values the entry points publish (action outputs, --json), computed the same way for both. */
import type { Catalog, Group } from '../core/config/types.ts';
import { type Color, previewServiceName } from '../core/naming.ts';
import type { Plan } from '../core/plan.ts';
import { inClusterUrl } from '../core/workload.ts';

/** service -> in-cluster URL of its preview Service (the standby color). */
export function previewUrls(
  validated: { catalog: Catalog; group: Group },
  namespace: string,
): Record<string, string> {
  return Object.fromEntries(
    validated.group.services.map((service) => {
      const port = validated.catalog.services.get(service.name)?.port ?? 80;
      return [service.name, inClusterUrl(previewServiceName(service.name), namespace, port)];
    }),
  );
}

/**
 * service -> the color its live Service selects, for the services that are live (a deploy
 * leaves live as it found it). Empty before the group's first promotion.
 */
export function liveColorsOfPlan(plan: Pick<Plan, 'services'>): Record<string, Color> {
  return Object.fromEntries(
    plan.services.flatMap((service) => (service.live ? [[service.service, service.live.color]] : [])),
  );
}
