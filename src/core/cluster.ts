/**
 * What Greenlight reads from a group's namespace, as plain values: the cluster wrapper
 * (`src/kube/`) turns API objects into these, and every decision (plan, rollout verdicts,
 * status, recovery) is made on them. Nothing here talks to a cluster.
 */
import { COLORS, type Color } from './naming.ts';

/** What a Deployment records about the image it runs (annotations). */
export interface ImageProvenance {
  digest: string;
  branch?: string;
  commit?: string;
  runUrl?: string;
}

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface DeploymentObservation {
  name: string;
  service?: string;
  color?: Color;
  releaseId?: string;
  provenance?: ImageProvenance;
  /** Replicas the release runs with when up (an annotation: `down` scales to 0, `up` back to this). */
  desiredReplicas?: number;
  /** spec.replicas */
  replicas: number;
  generation: number;
  observedGeneration: number;
  /** status.replicas: pods of every ReplicaSet, old ones too. */
  statusReplicas: number;
  updatedReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
  conditions: Condition[];
  resourceVersion: string;
}

export type ServiceRole = 'live' | 'color' | 'preview';

export interface ServiceObservation {
  name: string;
  service?: string;
  role?: ServiceRole;
  /** The color its selector picks, if it selects one. */
  selectorColor?: Color;
  /** The hash of the spec Greenlight last applied (an annotation). */
  specHash?: string;
  resourceVersion: string;
}

export interface ContainerObservation {
  name: string;
  ready: boolean;
  restartCount: number;
  waiting?: { reason?: string; message?: string };
  terminated?: { reason?: string; exitCode?: number; message?: string };
  lastTerminated?: { reason?: string; exitCode?: number };
}

export interface PodObservation {
  name: string;
  service?: string;
  color?: Color;
  releaseId?: string;
  phase: string;
  ready: boolean;
  deleting: boolean;
  conditions: Condition[];
  containers: ContainerObservation[];
}

export interface EndpointObservation {
  pod?: string;
  ready: boolean;
  terminating: boolean;
}

export interface EndpointSliceObservation {
  name: string;
  /** The Service it belongs to (label kubernetes.io/service-name). */
  serviceName: string;
  endpoints: EndpointObservation[];
}

export interface EventObservation {
  object: string;
  type: string;
  reason: string;
  message: string;
  count: number;
  lastSeen?: string;
}

/** The objects a group is made of, as one consistent picture. */
export interface GroupObjects {
  /** undefined: the identity may not read Namespace objects. */
  namespaceExists: boolean | undefined;
  deployments: DeploymentObservation[];
  services: ServiceObservation[];
}

/** Pods and EndpointSlices beside the Deployments: what a rollout or a switch waits on. */
export interface RolloutSnapshot {
  deployments: DeploymentObservation[];
  pods: PodObservation[];
  endpointSlices: EndpointSliceObservation[];
}

export interface ColorState {
  color: Color;
  deployment: string;
  digest?: string;
  branch?: string;
  commit?: string;
  release?: string;
  replicas: number;
  readyReplicas: number;
  desiredReplicas?: number;
}

export interface ServiceState {
  service: string;
  /** The color the live Service selects; undefined before the first promotion. */
  liveColor?: Color;
  colors: Partial<Record<Color, ColorState>>;
}

export interface GroupState {
  namespace: string;
  namespaceExists: boolean | undefined;
  services: Record<string, ServiceState>;
}

/** Per service of the group, its live color and what each color's Deployment runs. */
export function groupStateOf(
  namespace: string,
  services: readonly string[],
  objects: GroupObjects,
): GroupState {
  const deployments = new Map(objects.deployments.map((deployment) => [deployment.name, deployment]));
  const liveServices = new Map(
    objects.services
      .filter((service) => service.role !== 'color' && service.role !== 'preview')
      .map((s) => [s.name, s]),
  );
  return {
    namespace,
    namespaceExists: objects.namespaceExists,
    services: Object.fromEntries(
      services.map((service) => [service, serviceStateOf(service, deployments, liveServices)]),
    ),
  };
}

function serviceStateOf(
  service: string,
  deployments: ReadonlyMap<string, DeploymentObservation>,
  liveServices: ReadonlyMap<string, ServiceObservation>,
): ServiceState {
  const colors: Partial<Record<Color, ColorState>> = {};
  for (const color of COLORS) {
    const deployment = deployments.get(`${service}-${color}`);
    if (deployment) colors[color] = colorStateOf(color, deployment);
  }
  const liveColor = liveServices.get(service)?.selectorColor;
  return { service, ...(liveColor ? { liveColor } : {}), colors };
}

function colorStateOf(color: Color, deployment: DeploymentObservation): ColorState {
  const provenance = deployment.provenance;
  return {
    color,
    deployment: deployment.name,
    ...(provenance?.digest ? { digest: provenance.digest } : {}),
    ...(provenance?.branch === undefined ? {} : { branch: provenance.branch }),
    ...(provenance?.commit === undefined ? {} : { commit: provenance.commit }),
    ...(deployment.releaseId === undefined ? {} : { release: deployment.releaseId }),
    replicas: deployment.replicas,
    readyReplicas: deployment.readyReplicas,
    ...(deployment.desiredReplicas === undefined ? {} : { desiredReplicas: deployment.desiredReplicas }),
  };
}

/** The live color of each service that has one. */
export function liveColors(state: GroupState): Record<string, Color> {
  return Object.fromEntries(
    Object.values(state.services).flatMap((service) =>
      service.liveColor ? [[service.service, service.liveColor] as const] : [],
    ),
  );
}
