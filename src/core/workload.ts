/**
 * What Greenlight runs for a group, as plain specs: one Deployment per service and color,
 * the Services around it, the test Job. The engine decides which specs to apply; the
 * cluster wrapper turns each into its Kubernetes object (`src/kube/manifests.ts`).
 */
import { createHash } from 'node:crypto';
import type { ImageProvenance, ServiceObservation } from './cluster.ts';
import type { CatalogService, Quantities, ServiceType } from './config/types.ts';
import { type Color, deploymentName, previewServiceName, serviceUrlEnvName } from './naming.ts';
import type { ServicePlan } from './plan.ts';

/**
 * How long a pod has from SIGTERM to exit: the sample apps drain for up to 25 s. The preStop
 * sleep comes before SIGTERM and counts against the grace period, so it is added on top.
 */
export const MIN_TERMINATION_GRACE_SECONDS = 30;

export interface DeploymentSpec {
  name: string;
  service: string;
  group: string;
  color: Color;
  releaseId: string;
  image: string;
  provenance: ImageProvenance;
  replicas: number;
  /** Replicas when the release is up; `replicas` is 0 while the group is down. */
  desiredReplicas: number;
  port: number;
  env: [string, string][];
  readinessPath: string;
  livenessPath: string;
  resources: { requests?: Quantities; limits?: Quantities };
  terminationGracePeriodSeconds: number;
  /**
   * A preStop sleep of this many seconds (0: none): the pod keeps serving while its endpoint
   * leaves every kube-proxy and load balancer, and only then gets SIGTERM. Apps that drain
   * on SIGTERM themselves need none; those that exit at once drop requests without it.
   */
  preStopSleepSeconds: number;
  progressDeadlineSeconds: number;
}

export interface ServiceSpec {
  name: string;
  service: string;
  group: string;
  role: 'live' | 'color' | 'preview';
  /** The color it selects. */
  color: Color;
  port: number;
  type: ServiceType;
}

export interface DeploymentContext {
  group: string;
  namespace: string;
  releaseId: string;
  color: Color;
  runUrl?: string | undefined;
  progressDeadlineSeconds: number;
}

/** `http://<name>.<namespace>.svc.cluster.local:<port>` */
export function inClusterUrl(serviceName: string, namespace: string, port: number): string {
  return `http://${serviceName}.${namespace}.svc.cluster.local:${port}`;
}

/** The Service fixed on one color: what services of the same color call. */
export function colorServiceName(service: string, color: Color): string {
  return `${service}-${color}`;
}

/** The live Service: callers outside the group use it; its selector picks the live color. */
export function liveServiceName(service: string): string {
  return service;
}

/**
 * The standby Deployment of one service: its image by digest, who it is (the four
 * GREENLIGHT_* identity variables) and where its callees are: the callee's Service on
 * the same color, so a standby caller is tested against standby callees and nothing in a
 * pod changes at the switch.
 */
export function deploymentSpecOf(
  planned: ServicePlan,
  catalogService: CatalogService,
  ports: ReadonlyMap<string, number>,
  context: DeploymentContext,
): DeploymentSpec {
  const provenance: ImageProvenance = {
    digest: planned.digest,
    ...(planned.selector.kind === 'branch' ? { branch: planned.selector.branch } : {}),
    ...(planned.commit === undefined ? {} : { commit: planned.commit }),
    ...(context.runUrl === undefined ? {} : { runUrl: context.runUrl }),
  };
  return {
    name: deploymentName(planned.service, context.color),
    service: planned.service,
    group: context.group,
    color: context.color,
    releaseId: context.releaseId,
    image: planned.image,
    provenance,
    replicas: planned.replicas,
    desiredReplicas: planned.replicas,
    port: catalogService.port,
    env: serviceEnv(catalogService, provenance, ports, context),
    readinessPath: catalogService.readinessPath,
    livenessPath: catalogService.livenessPath,
    resources: catalogService.resources,
    terminationGracePeriodSeconds: MIN_TERMINATION_GRACE_SECONDS + catalogService.preStopSleepSeconds,
    preStopSleepSeconds: catalogService.preStopSleepSeconds,
    progressDeadlineSeconds: context.progressDeadlineSeconds,
  };
}

function serviceEnv(
  service: CatalogService,
  provenance: ImageProvenance,
  ports: ReadonlyMap<string, number>,
  context: DeploymentContext,
): [string, string][] {
  const identity: [string, string][] = [
    ['GREENLIGHT_COLOR', context.color],
    ['GREENLIGHT_DIGEST', provenance.digest],
    ['GREENLIGHT_BRANCH', provenance.branch ?? ''],
    ['GREENLIGHT_COMMIT', provenance.commit ?? ''],
  ];
  const callees = service.calls.map((callee): [string, string] => [
    serviceUrlEnvName(callee),
    inClusterUrl(colorServiceName(callee, context.color), context.namespace, ports.get(callee) ?? 80),
  ]);
  // The catalog's own env first: Greenlight's variables win (the validator refuses GREENLIGHT_* there).
  return [...Object.entries(service.env), ...identity, ...callees];
}

/** The two color Services and the preview Service of a service; the live one comes at promotion. */
export function supportServiceSpecs(service: CatalogService, group: string, standby: Color): ServiceSpec[] {
  const base = { service: service.name, group, port: service.port, type: 'ClusterIP' as const };
  return [
    { ...base, name: colorServiceName(service.name, 'blue'), role: 'color', color: 'blue' },
    { ...base, name: colorServiceName(service.name, 'green'), role: 'color', color: 'green' },
    previewServiceSpec(service, group, standby),
  ];
}

export function liveServiceSpec(service: CatalogService, group: string, color: Color): ServiceSpec {
  return {
    name: liveServiceName(service.name),
    service: service.name,
    group,
    role: 'live',
    color,
    port: service.port,
    type: service.serviceType,
  };
}

export function previewServiceSpec(service: CatalogService, group: string, standby: Color): ServiceSpec {
  return {
    name: previewServiceName(service.name),
    service: service.name,
    group,
    role: 'preview',
    color: standby,
    port: service.port,
    type: 'ClusterIP',
  };
}

/** A short hash of everything a Service spec says: a Service whose hash matches needs no write. */
export function serviceSpecHash(spec: ServiceSpec): string {
  const canonical = [spec.name, spec.service, spec.group, spec.role, spec.color, spec.port, spec.type].join(
    '\n',
  );
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

/** The specs whose Service is missing or differs from what the cluster holds. */
export function servicesToApply(
  specs: readonly ServiceSpec[],
  existing: readonly ServiceObservation[],
): ServiceSpec[] {
  const held = new Map(existing.map((service) => [service.name, service.specHash]));
  return specs.filter((spec) => held.get(spec.name) !== serviceSpecHash(spec));
}
