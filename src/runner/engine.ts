/**
 * What the group actions share on a runner once their inputs are valid: the engine's deps against its namespace (the kubeconfig from KUBECONFIG, as after
 * `aws eks update-kubeconfig`), progress in the job log, and a stop on cancellation.
 */
import * as core from '@actions/core';
import { EngineError } from '../core/errors.ts';
import type { ProgressLog } from '../core/ports.ts';
import type { ValidatedGroup } from '../disk/groups.ts';
import type { EngineDeps } from '../engine/deps.ts';
import type { KubeClient } from '../kube/client.ts';
import { connectKube, engineDepsFor, runContextFrom } from '../wiring/connect.ts';

export const actionLog: ProgressLog = { info: (line) => core.info(line), warn: (line) => core.warning(line) };

/** A cancelled job gets SIGINT then SIGTERM: the operation stops waiting and releases the lock. */
export function cancellation(): AbortSignal {
  const stop = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => stop.abort(new EngineError('cancelled', `the job was cancelled (${signal})`)));
  }
  return stop.signal;
}

/** The cluster client of the job: KUBECONFIG, as `aws eks update-kubeconfig` leaves it. */
export function actionKubeClient(): KubeClient {
  return connectKube(process.env);
}

export function actionEngineDeps(validated: ValidatedGroup): EngineDeps & { signal: AbortSignal } {
  const client = actionKubeClient();
  return {
    ...engineDepsFor(client, validated.group.namespace, actionLog, runContextFrom(process.env)),
    signal: cancellation(),
  };
}
