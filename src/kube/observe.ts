/**
 * API objects -> core's plain observations. The objects come from typed list calls and
 * from raw watch events alike, so only plain fields are read (timestamps only for presence).
 */
import type {
  CoreV1Event,
  V1ContainerStatus,
  V1Deployment,
  V1EndpointSlice,
  V1Pod,
  V1Service,
} from '@kubernetes/client-node';
import type {
  Condition,
  ContainerObservation,
  DeploymentObservation,
  EndpointSliceObservation,
  EventObservation,
  PodObservation,
  ServiceObservation,
  ServiceRole,
} from '../core/cluster.ts';
import { COLORS, type Color } from '../core/naming.ts';
import {
  ANNOTATION_REPLICAS,
  ANNOTATION_SPEC_HASH,
  LABEL_COLOR,
  LABEL_NAME,
  LABEL_RELEASE,
  LABEL_ROLE,
  LABEL_SERVICE_NAME,
  readProvenance,
} from './model.ts';

function colorOf(value: string | undefined): Color | undefined {
  return COLORS.find((color) => color === value);
}

function conditionsOf(
  conditions: readonly { type: string; status: string; reason?: string; message?: string }[] | undefined,
): Condition[] {
  return (conditions ?? []).map((condition) => ({
    type: condition.type,
    status: condition.status,
    ...(condition.reason ? { reason: condition.reason } : {}),
    ...(condition.message ? { message: condition.message } : {}),
  }));
}

export function observeDeployment(deployment: V1Deployment): DeploymentObservation {
  const metadata = deployment.metadata ?? {};
  const labels = metadata.labels ?? {};
  const provenance = readProvenance(metadata.annotations);
  const desired = Number(metadata.annotations?.[ANNOTATION_REPLICAS]);
  const service = labels[LABEL_NAME];
  const color = colorOf(labels[LABEL_COLOR]);
  const releaseId = labels[LABEL_RELEASE];
  const status = deployment.status ?? {};
  return {
    name: metadata.name ?? '',
    ...(service ? { service } : {}),
    ...(color ? { color } : {}),
    ...(releaseId ? { releaseId } : {}),
    ...(provenance ? { provenance } : {}),
    ...(Number.isInteger(desired) && desired >= 0 ? { desiredReplicas: desired } : {}),
    replicas: deployment.spec?.replicas ?? 1,
    generation: metadata.generation ?? 0,
    observedGeneration: status.observedGeneration ?? 0,
    statusReplicas: status.replicas ?? 0,
    updatedReplicas: status.updatedReplicas ?? 0,
    readyReplicas: status.readyReplicas ?? 0,
    availableReplicas: status.availableReplicas ?? 0,
    conditions: conditionsOf(status.conditions),
    resourceVersion: metadata.resourceVersion ?? '',
  };
}

const ROLES: readonly ServiceRole[] = ['live', 'color', 'preview'];

export function observeService(service: V1Service): ServiceObservation {
  const metadata = service.metadata ?? {};
  const role = ROLES.find((candidate) => candidate === metadata.labels?.[LABEL_ROLE]);
  const name = metadata.labels?.[LABEL_NAME];
  const selectorColor = colorOf(service.spec?.selector?.[LABEL_COLOR]);
  const specHash = metadata.annotations?.[ANNOTATION_SPEC_HASH];
  return {
    name: metadata.name ?? '',
    ...(name ? { service: name } : {}),
    ...(role ? { role } : {}),
    ...(selectorColor ? { selectorColor } : {}),
    ...(specHash ? { specHash } : {}),
    resourceVersion: metadata.resourceVersion ?? '',
  };
}

function observeContainer(status: V1ContainerStatus): ContainerObservation {
  const waiting = status.state?.waiting;
  const terminated = status.state?.terminated;
  const last = status.lastState?.terminated;
  return {
    name: status.name,
    ready: status.ready,
    restartCount: status.restartCount ?? 0,
    ...(waiting
      ? {
          waiting: {
            ...(waiting.reason ? { reason: waiting.reason } : {}),
            ...(waiting.message ? { message: waiting.message } : {}),
          },
        }
      : {}),
    ...(terminated
      ? {
          terminated: {
            ...(terminated.reason ? { reason: terminated.reason } : {}),
            exitCode: terminated.exitCode,
            ...(terminated.message ? { message: terminated.message } : {}),
          },
        }
      : {}),
    ...(last
      ? { lastTerminated: { ...(last.reason ? { reason: last.reason } : {}), exitCode: last.exitCode } }
      : {}),
  };
}

export function observePod(pod: V1Pod): PodObservation {
  const metadata = pod.metadata ?? {};
  const labels = metadata.labels ?? {};
  const conditions = conditionsOf(pod.status?.conditions);
  const service = labels[LABEL_NAME];
  const color = colorOf(labels[LABEL_COLOR]);
  const releaseId = labels[LABEL_RELEASE];
  return {
    name: metadata.name ?? '',
    ...(service ? { service } : {}),
    ...(color ? { color } : {}),
    ...(releaseId ? { releaseId } : {}),
    phase: pod.status?.phase ?? 'Pending',
    ready: conditions.some((condition) => condition.type === 'Ready' && condition.status === 'True'),
    deleting: metadata.deletionTimestamp !== undefined && metadata.deletionTimestamp !== null,
    conditions,
    containers: (pod.status?.containerStatuses ?? []).map(observeContainer),
  };
}

export function observeEndpointSlice(slice: V1EndpointSlice): EndpointSliceObservation {
  return {
    name: slice.metadata?.name ?? '',
    serviceName: slice.metadata?.labels?.[LABEL_SERVICE_NAME] ?? '',
    endpoints: (slice.endpoints ?? []).map((endpoint) => ({
      ...(endpoint.targetRef?.kind === 'Pod' && endpoint.targetRef.name
        ? { pod: endpoint.targetRef.name }
        : {}),
      // `ready` unset means ready (the API's own rule); terminating endpoints are never ready.
      ready: endpoint.conditions?.ready !== false,
      terminating: endpoint.conditions?.terminating === true,
    })),
  };
}

export function observeEvent(event: CoreV1Event): EventObservation {
  const last = event.lastTimestamp ?? event.eventTime ?? event.metadata?.creationTimestamp;
  return {
    object: event.involvedObject?.name ?? '',
    type: event.type ?? 'Normal',
    reason: event.reason ?? '',
    message: event.message ?? '',
    count: event.count ?? 1,
    ...(last ? { lastSeen: String(last instanceof Date ? last.toISOString() : last) } : {}),
  };
}
