/**
 * `plan` end to end, shared by the CLI and the deploy-group action: validate the config and
 * the overrides (no network yet, so bad input fails before anything is contacted or
 * written), then resolve every image, read the cluster, and plan. Read-only throughout.
 */
import type { KubeClient } from '../kube/client.ts';
import { readGroupState } from '../kube/state.ts';
import { type GroupsLocation, loadGroup } from './config/load.ts';
import { applyOverrides, type OverrideEntry, parseOverrides } from './config/overrides.ts';
import type { Catalog, Group } from './config/types.ts';
import { type Plan, planRelease } from './plan.ts';
import { type ImageSource, resolveReleaseDigests } from './resolve.ts';

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

export interface PlanConnections {
  images: ImageSource;
  kube: KubeClient;
}

export async function planValidatedGroup(
  validated: ValidatedGroup,
  connections: PlanConnections,
): Promise<Plan> {
  const { catalog, group } = validated;
  const [resolved, state] = await Promise.all([
    resolveReleaseDigests(group, catalog, connections.images),
    readGroupState(
      connections.kube,
      group.namespace,
      group.services.map((service) => service.name),
    ),
  ]);
  return planRelease({ catalog, group, resolved, state });
}
