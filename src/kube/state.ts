/**
 * Reads what a group runs, without writing anything: per service the live color (from the
 * live Service's selector) and, per color, the digest, branch and commit its Deployment
 * records in annotations, and how many replicas are ready.
 */
import type { V1Deployment, V1Service } from '@kubernetes/client-node';
import { COLORS, type Color } from '../core/naming.ts';
import { type KubeClient, KubeError, kubeCall, kubeRead } from './client.ts';
import {
  colorDeploymentName,
  LABEL_COLOR,
  LABEL_RELEASE,
  liveServiceName,
  MANAGED_SELECTOR,
  readProvenance,
} from './model.ts';

export interface ColorState {
  color: Color;
  deployment: string;
  digest?: string;
  branch?: string;
  commit?: string;
  release?: string;
  replicas: number;
  readyReplicas: number;
}

export interface ServiceState {
  service: string;
  /** The color the live Service selects; undefined before the first promotion. */
  liveColor?: Color;
  colors: Partial<Record<Color, ColorState>>;
}

export interface GroupState {
  namespace: string;
  /**
   * undefined when the identity may not read Namespace objects (cluster-scoped): a deploy
   * role with edit rights in its namespace only, as on EKS with a namespace-scoped access policy.
   */
  namespaceExists: boolean | undefined;
  services: Record<string, ServiceState>;
}

export async function readGroupState(
  client: KubeClient,
  namespace: string,
  services: readonly string[],
): Promise<GroupState> {
  const namespaceExists = await readNamespaceExists(client, namespace);
  if (namespaceExists === false) {
    return {
      namespace,
      namespaceExists: false,
      services: Object.fromEntries(services.map((service) => [service, { service, colors: {} }])),
    };
  }
  const [deployments, liveServices] = await Promise.all([
    kubeCall(client, `list the Deployments in ${namespace}`, () =>
      client.apps.listNamespacedDeployment({ namespace, labelSelector: MANAGED_SELECTOR }),
    ),
    kubeCall(client, `list the Services in ${namespace}`, () =>
      client.core.listNamespacedService({ namespace, labelSelector: MANAGED_SELECTOR }),
    ),
  ]);
  const deploymentsByName = new Map(deployments.items.map((item) => [item.metadata?.name ?? '', item]));
  const servicesByName = new Map(liveServices.items.map((item) => [item.metadata?.name ?? '', item]));
  return {
    namespace,
    namespaceExists,
    services: Object.fromEntries(
      services.map((service) => [service, serviceState(service, deploymentsByName, servicesByName)]),
    ),
  };
}

async function readNamespaceExists(client: KubeClient, namespace: string): Promise<boolean | undefined> {
  try {
    const found = await kubeRead(client, `read namespace ${namespace}`, () =>
      client.core.readNamespace({ name: namespace }),
    );
    return found !== undefined;
  } catch (error) {
    // Forbidden to read the Namespace itself; the namespaced lists below still answer.
    if (error instanceof KubeError && error.code === 403) return undefined;
    throw error;
  }
}

function serviceState(
  service: string,
  deployments: ReadonlyMap<string, V1Deployment>,
  services: ReadonlyMap<string, V1Service>,
): ServiceState {
  const colors: Partial<Record<Color, ColorState>> = {};
  for (const color of COLORS) {
    const deployment = deployments.get(colorDeploymentName(service, color));
    if (deployment) colors[color] = colorState(color, deployment);
  }
  const liveColor = liveColorOf(services.get(liveServiceName(service)));
  return { service, ...(liveColor ? { liveColor } : {}), colors };
}

function liveColorOf(service: V1Service | undefined): Color | undefined {
  const selected = service?.spec?.selector?.[LABEL_COLOR];
  return COLORS.find((color) => color === selected);
}

function colorState(color: Color, deployment: V1Deployment): ColorState {
  const provenance = readProvenance(deployment.metadata?.annotations);
  const release = deployment.metadata?.labels?.[LABEL_RELEASE];
  return {
    color,
    deployment: deployment.metadata?.name ?? '',
    ...(provenance?.digest ? { digest: provenance.digest } : {}),
    ...(provenance?.branch === undefined ? {} : { branch: provenance.branch }),
    ...(provenance?.commit === undefined ? {} : { commit: provenance.commit }),
    ...(release === undefined ? {} : { release }),
    replicas: deployment.spec?.replicas ?? 0,
    readyReplicas: deployment.status?.readyReplicas ?? 0,
  };
}
