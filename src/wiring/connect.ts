/**
 * The composition root: real registries, clusters and clocks for the CLI and the actions,
 * set up the same way for both, from the environment map the entry point hands over
 * (the CLI's io.env, the action's process.env). Nothing below src/wiring reads process.env.
 */

import { hostname, userInfo } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { InputError } from '../core/errors.ts';
import type { Clock, ImageRegistry, ProgressLog } from '../core/ports.ts';
import type { EngineDeps, RunContext } from '../engine/deps.ts';
import { createKubeClient, type KubeClient } from '../kube/client.ts';
import { kubeGroupCluster } from '../kube/cluster.ts';
import { kubeLeaseStore } from '../kube/lease.ts';
import { kubeReleaseStore } from '../kube/records.ts';
import { createEcrClient, ecrImageRegistry } from '../registry/ecr.ts';
import { ociImageRegistry, openOciRegistry } from '../registry/oci.ts';

export type Env = Readonly<Record<string, string | undefined>>;

export interface RegistryOptions {
  /** `ecr`, or an OCI registry host (`ghcr.io`, `127.0.0.1:5000`, `http://host:port`). */
  registry: string;
  env: Env;
  /** Overrides the region from the environment. */
  region?: string | undefined;
}

/** The image registry for `--registry` / the `registry` input; ECR needs a region. */
export function connectRegistry(options: RegistryOptions): ImageRegistry {
  const { env } = options;
  if (options.registry !== 'ecr') {
    const { REGISTRY_USERNAME: username, REGISTRY_PASSWORD: password } = env;
    return ociImageRegistry(
      openOciRegistry({
        registry: options.registry,
        ...(username && password ? { credentials: { username, password } } : {}),
      }),
    );
  }
  const region = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) {
    throw new InputError('resolving images in ECR needs an AWS region', {
      hint: 'set AWS_REGION (the CLI) or the aws-region input (the action), or pass --registry HOST for another registry',
    });
  }
  const endpoint = env.AWS_ENDPOINT_URL_ECR ?? env.AWS_ENDPOINT_URL;
  const {
    AWS_ACCESS_KEY_ID: accessKeyId,
    AWS_SECRET_ACCESS_KEY: secretAccessKey,
    AWS_SESSION_TOKEN: sessionToken,
  } = env;
  return ecrImageRegistry(
    createEcrClient({
      region,
      ...(endpoint ? { endpoint } : {}),
      ...(accessKeyId && secretAccessKey
        ? { credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } }
        : {}),
    }),
    region,
  );
}

/** A kubeconfig path or list; defaults to KUBECONFIG from `env`, then the library's lookup. */
export function connectKube(env: Env, kubeconfigPath?: string): KubeClient {
  const path = kubeconfigPath ?? env.KUBECONFIG;
  return createKubeClient(path ? { kubeconfigPath: path } : {});
}

export const systemClock: Clock = {
  now: () => Date.now(),
  // rejects with the signal's own reason (node's timer rejects with an AbortError)
  sleep: async (ms, signal) => {
    try {
      await delay(ms, undefined, signal ? { signal } : {});
    } catch (error) {
      throw signal?.aborted ? signal.reason : error;
    }
  },
};

/** Who runs this: the workflow run on a runner, user@host on a laptop. */
export function runContextFrom(env: Env): RunContext {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: runId } = env;
  const runUrl = server && repository && runId ? `${server}/${repository}/actions/runs/${runId}` : undefined;
  const actor = env.GITHUB_ACTOR ?? `${safeUser()}@${hostname()}`;
  return { actor, ...(runUrl ? { runUrl } : {}) };
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** Everything an engine operation needs against one namespace of a real cluster. */
export function engineDepsFor(
  client: KubeClient,
  namespace: string,
  log: ProgressLog,
  run: RunContext,
): EngineDeps {
  return {
    cluster: kubeGroupCluster(client, namespace),
    records: kubeReleaseStore(client, namespace),
    leases: kubeLeaseStore(client, namespace),
    clock: systemClock,
    log,
    run,
    recordsOf: (other) => kubeReleaseStore(client, other),
  };
}

/** A registry connected on first use: a run that resolves nothing never needs its region or credentials. */
export function lazyRegistry(connect: () => ImageRegistry): ImageRegistry {
  let registry: ImageRegistry | undefined;
  const get = () => {
    registry ??= connect();
    return registry;
  };
  return {
    get description() {
      return get().description;
    },
    lookup: (repository, reference) => get().lookup(repository, reference),
    listTags: (repository) => get().listTags(repository),
  };
}
