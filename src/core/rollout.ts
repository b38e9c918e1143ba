/**
 * Verdicts on a rollout snapshot: is each standby Deployment up, with exactly its ready
 * pods behind its Services, or failing, and why. A Deployment that reports Available is
 * not enough: EndpointSlices lag the selector, and tests that start early reach the old
 * pods (argo-rollouts #2488, #4131), so the endpoints are checked too. Pure.
 */
import type {
  ContainerObservation,
  DeploymentObservation,
  EndpointSliceObservation,
  PodObservation,
  RolloutSnapshot,
} from './cluster.ts';
import type { Color } from './naming.ts';

export interface RolloutTarget {
  service: string;
  deployment: string;
  color: Color;
  releaseId: string;
  replicas: number;
  /** Services whose EndpointSlices must hold exactly the target's ready pods. */
  endpointServices: readonly string[];
}

export type ServiceVerdict =
  | { service: string; state: 'ready' }
  | { service: string; state: 'waiting'; reason: string }
  | { service: string; state: 'failed'; reason: string; pods: string[] };

export interface RolloutVerdict {
  done: boolean;
  failed: Extract<ServiceVerdict, { state: 'failed' }>[];
  waiting: Extract<ServiceVerdict, { state: 'waiting' }>[];
  verdicts: ServiceVerdict[];
}

/** Container states that do not get better by waiting: fail the rollout at once. */
const HARD_WAITING_REASONS = new Set([
  'ImagePullBackOff',
  'InvalidImageName',
  'ErrImageNeverPull',
  'CreateContainerConfigError',
  'CreateContainerError',
  'CrashLoopBackOff',
  'RunContainerError',
]);

export function judgeRollout(targets: readonly RolloutTarget[], snapshot: RolloutSnapshot): RolloutVerdict {
  const deployments = new Map(snapshot.deployments.map((deployment) => [deployment.name, deployment]));
  const verdicts = targets.map((target) =>
    judgeService(target, deployments.get(target.deployment), snapshot),
  );
  const failed = verdicts.filter((verdict) => verdict.state === 'failed');
  const waiting = verdicts.filter((verdict) => verdict.state === 'waiting');
  return { done: failed.length === 0 && waiting.length === 0, failed, waiting, verdicts };
}

function judgeService(
  target: RolloutTarget,
  deployment: DeploymentObservation | undefined,
  snapshot: RolloutSnapshot,
): ServiceVerdict {
  const service = target.service;
  if (!deployment)
    return { service, state: 'waiting', reason: `Deployment ${target.deployment} not seen yet` };
  const pods = snapshot.pods.filter(
    (pod) => pod.color === target.color && pod.service === target.service && !pod.deleting,
  );
  const stuck = deploymentFailure(deployment);
  const hard = pods.flatMap((pod) => podProblem(pod).filter((problem) => problem.hard));
  if (stuck || hard.length > 0) {
    const reasons = [...(stuck ? [stuck] : []), ...hard.map((problem) => problem.text)];
    return {
      service,
      state: 'failed',
      reason: unique(reasons).join('; '),
      pods: unique(hard.map((p) => p.pod)),
    };
  }
  const progress = deploymentProgress(deployment, target);
  if (progress) return { service, state: 'waiting', reason: withPodReasons(progress, pods) };
  const endpoints = endpointMismatch(target, pods, snapshot.endpointSlices);
  if (endpoints) return { service, state: 'waiting', reason: endpoints };
  return { service, state: 'ready' };
}

function deploymentFailure(deployment: DeploymentObservation): string | undefined {
  for (const condition of deployment.conditions) {
    if (condition.type === 'Progressing' && condition.status === 'False') {
      return `Deployment ${deployment.name}: ${condition.reason ?? 'not progressing'}${condition.message ? ` (${condition.message})` : ''}`;
    }
    if (condition.type === 'ReplicaFailure' && condition.status === 'True') {
      return `Deployment ${deployment.name}: ${condition.reason ?? 'ReplicaFailure'}${condition.message ? ` (${condition.message})` : ''}`;
    }
  }
  return undefined;
}

function deploymentProgress(deployment: DeploymentObservation, target: RolloutTarget): string | undefined {
  if (deployment.releaseId !== target.releaseId)
    return `Deployment ${deployment.name} still runs another release`;
  if (deployment.observedGeneration < deployment.generation)
    return 'the Deployment controller has not seen the change yet';
  if (deployment.replicas !== target.replicas)
    return `Deployment has ${deployment.replicas} replicas, not ${target.replicas}`;
  const { updatedReplicas, readyReplicas, availableReplicas, statusReplicas } = deployment;
  const want = target.replicas;
  if (updatedReplicas < want || readyReplicas < want || availableReplicas < want) {
    return `${Math.min(readyReplicas, updatedReplicas)}/${want} ready`;
  }
  if (statusReplicas > want) return `${statusReplicas - want} old pod(s) still terminating`;
  return undefined;
}

function withPodReasons(progress: string, pods: readonly PodObservation[]): string {
  const soft = unique(pods.flatMap((pod) => podProblem(pod).map((problem) => problem.text)));
  return soft.length > 0 ? `${progress}: ${soft.slice(0, 3).join('; ')}` : progress;
}

/** Each endpoint Service must hold exactly the target's ready pods, no others. */
function endpointMismatch(
  target: RolloutTarget,
  pods: readonly PodObservation[],
  slices: readonly EndpointSliceObservation[],
): string | undefined {
  const ready = new Set(
    pods.filter((pod) => pod.ready && pod.releaseId === target.releaseId).map((pod) => pod.name),
  );
  for (const serviceName of target.endpointServices) {
    const problem = endpointsProblem(serviceName, ready, slices);
    if (problem) return problem;
  }
  return undefined;
}

/** Why the ready endpoints of `serviceName` are not exactly `expected`, or undefined when they are. */
export function endpointsProblem(
  serviceName: string,
  expected: ReadonlySet<string>,
  slices: readonly EndpointSliceObservation[],
): string | undefined {
  const serving = new Set(
    slices
      .filter((slice) => slice.serviceName === serviceName)
      .flatMap((slice) => slice.endpoints)
      .filter((endpoint) => endpoint.ready && !endpoint.terminating && endpoint.pod !== undefined)
      .map((endpoint) => endpoint.pod ?? ''),
  );
  const missing = [...expected].filter((pod) => !serving.has(pod));
  const extra = [...serving].filter((pod) => !expected.has(pod));
  if (missing.length === 0 && extra.length === 0) return undefined;
  const parts = [
    ...(missing.length ? [`${missing.length} ready pod(s) not yet behind Service ${serviceName}`] : []),
    ...(extra.length ? [`Service ${serviceName} still routes to ${extra.length} other pod(s)`] : []),
  ];
  return parts.join(', ');
}

/** The ready, not terminating pods of one service and color. */
export function readyPodsOf(
  snapshot: RolloutSnapshot,
  service: string,
  color: Color,
  releaseId?: string,
): Set<string> {
  return new Set(
    snapshot.pods
      .filter(
        (pod) =>
          pod.service === service &&
          pod.color === color &&
          pod.ready &&
          !pod.deleting &&
          (releaseId === undefined || pod.releaseId === releaseId),
      )
      .map((pod) => pod.name),
  );
}

export interface PodProblem {
  pod: string;
  hard: boolean;
  text: string;
}

/** What is wrong with a pod, in the words `kubectl describe` would use. */
export function podProblem(pod: PodObservation): PodProblem[] {
  if (pod.ready) return [];
  const problems: PodProblem[] = [];
  const unschedulable = pod.conditions.find(
    (condition) => condition.type === 'PodScheduled' && condition.status === 'False',
  );
  if (unschedulable) {
    problems.push({
      pod: pod.name,
      hard: false,
      text: `${pod.name}: ${unschedulable.reason ?? 'Unschedulable'}${unschedulable.message ? ` (${unschedulable.message})` : ''}`,
    });
  }
  if (pod.phase === 'Failed') problems.push({ pod: pod.name, hard: true, text: `${pod.name}: pod failed` });
  for (const container of pod.containers) problems.push(...containerProblem(pod.name, container));
  if (problems.length === 0 && pod.phase === 'Running') {
    const ready = pod.conditions.find((condition) => condition.type === 'Ready');
    problems.push({
      pod: pod.name,
      hard: false,
      text: `${pod.name}: running but not ready (readiness probe failing${ready?.message ? `: ${ready.message}` : ''})`,
    });
  }
  return problems;
}

function containerProblem(pod: string, container: ContainerObservation): PodProblem[] {
  const lastExit = container.lastTerminated?.exitCode;
  const exit =
    lastExit === undefined
      ? ''
      : `, last exit code ${lastExit}${container.lastTerminated?.reason ? ` (${container.lastTerminated.reason})` : ''}`;
  const waiting = container.waiting?.reason;
  if (waiting && waiting !== 'ContainerCreating' && waiting !== 'PodInitializing') {
    const message = container.waiting?.message ? `: ${truncate(container.waiting.message, 200)}` : '';
    return [
      {
        pod,
        hard: HARD_WAITING_REASONS.has(waiting),
        text: `${pod}: container ${container.name} ${waiting}${message}${exit}, ${container.restartCount} restart(s)`,
      },
    ];
  }
  const terminated = container.terminated;
  if (terminated && terminated.exitCode !== 0) {
    return [
      {
        pod,
        hard: terminated.reason === 'OOMKilled' || container.restartCount >= 3,
        text: `${pod}: container ${container.name} exited with code ${terminated.exitCode ?? '?'}${terminated.reason ? ` (${terminated.reason})` : ''}`,
      },
    ];
  }
  return [];
}

function truncate(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

function unique(items: readonly string[]): string[] {
  return [...new Set(items)];
}
