/**
 * `plan`: what a deploy of the group would do, read-only. Resolution and the cluster read
 * run at once; a resolution failure is reported first, so the message does not depend on
 * timing.
 */
import type { GroupObjects } from '../core/cluster.ts';
import { groupStateOf } from '../core/cluster.ts';
import type { Catalog, Group } from '../core/config/types.ts';
import { type Plan, planRelease } from '../core/plan.ts';
import type { ClusterReader, ImageRegistry } from '../core/ports.ts';
import { type ResolvedImage, resolveReleaseDigests } from '../core/resolve.ts';

export interface PlanInput {
  catalog: Catalog;
  group: Group;
}

export interface PlannedGroup {
  plan: Plan;
  resolved: ResolvedImage[];
  objects: GroupObjects;
}

export async function planGroup(
  input: PlanInput,
  deps: { images: ImageRegistry; cluster: ClusterReader },
): Promise<PlannedGroup> {
  const { catalog, group } = input;
  const [resolved, objects] = await Promise.allSettled([
    resolveReleaseDigests(group, catalog, deps.images),
    deps.cluster.readGroupObjects(),
  ]);
  if (resolved.status === 'rejected') throw resolved.reason;
  if (objects.status === 'rejected') throw objects.reason;
  return {
    plan: replan(input, resolved.value, objects.value),
    resolved: resolved.value,
    objects: objects.value,
  };
}

/** The plan again, for the same images and a fresh read of the cluster. */
export function replan(input: PlanInput, resolved: readonly ResolvedImage[], objects: GroupObjects): Plan {
  const names = input.group.services.map((service) => service.name);
  return planRelease({
    catalog: input.catalog,
    group: input.group,
    resolved,
    state: groupStateOf(input.group.namespace, names, objects),
  });
}
