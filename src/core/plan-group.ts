/**
 * `plan` end to end, shared by the CLI and the deploy-group action: validate the config and
 * the overrides (no network yet, so bad input fails before anything is contacted or
 * written), then resolve every image, read the cluster, and plan. Read-only throughout.
 */
import { createKubeClient, type KubeClient } from '../kube/client.ts';
import { readGroupState } from '../kube/state.ts';
import { type GroupsLocation, loadGroup } from './config/load.ts';
import { applyOverrides, type OverrideEntry, parseOverrides } from './config/overrides.ts';
import type { Catalog, Group } from './config/types.ts';
import { type Plan, planRelease } from './plan.ts';
import {
  createImageSource,
  type ImageSource,
  imageSourceOptionsFromEnv,
  resolveReleaseDigests,
} from './resolve.ts';

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

export interface PlanConnectionOptions {
  /** `ecr` or an OCI registry host. */
  registry: string;
  /** The caller's environment (the CLI's io.env, the action's process.env): AWS and registry settings. */
  env: Readonly<Record<string, string | undefined>>;
  /** Overrides the region from the environment. */
  region?: string | undefined;
  /** A kubeconfig path or list; defaults to KUBECONFIG from `env`, then the library's lookup. */
  kubeconfigPath?: string | undefined;
}

/** The registry and cluster clients a plan reads from, set up the same way for the CLI and the action. */
export function connectForPlan(options: PlanConnectionOptions): PlanConnections {
  const kubeconfigPath = options.kubeconfigPath ?? options.env.KUBECONFIG;
  return {
    images: createImageSource(
      imageSourceOptionsFromEnv(options.registry, options.env, options.region ?? options.env.AWS_REGION),
    ),
    kube: createKubeClient(kubeconfigPath ? { kubeconfigPath } : {}),
  };
}

export async function planValidatedGroup(
  validated: ValidatedGroup,
  connections: PlanConnections,
): Promise<Plan> {
  const { catalog, group } = validated;
  // Both reads run at once; a resolution failure is reported first, so the message does not depend on timing.
  const [resolved, state] = await Promise.allSettled([
    resolveReleaseDigests(group, catalog, connections.images),
    readGroupState(
      connections.kube,
      group.namespace,
      group.services.map((service) => service.name),
    ),
  ]);
  if (resolved.status === 'rejected') throw resolved.reason;
  if (state.status === 'rejected') throw state.reason;
  return planRelease({ catalog, group, resolved: resolved.value, state: state.value });
}
