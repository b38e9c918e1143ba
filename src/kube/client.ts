/**
 * The one place Greenlight talks to the Kubernetes API. Loading the kubeconfig, the typed
 * API clients, and error wording live here: every call goes through `kubeCall`, which turns
 * ApiException (HTTP status in `.code`) and connection failures into KubeErrors that say
 * what was attempted, where, and what to do.
 */

import { delimiter } from 'node:path';
import { ApiException, AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { GreenlightError } from '../core/errors.ts';

export interface KubeClient {
  core: CoreV1Api;
  apps: AppsV1Api;
  /** `https://host:port` of the API server, for messages. */
  server: string;
  context: string;
}

export interface KubeConnection {
  /** A kubeconfig file; without it the library's default lookup (KUBECONFIG, ~/.kube/config, in-cluster). */
  kubeconfigPath?: string;
  /** A context other than the file's current one. */
  context?: string;
}

export class KubeError extends GreenlightError {
  override name = 'KubeError';
  /** HTTP status, or undefined when the API server was not reached. */
  readonly code: number | undefined;

  constructor(message: string, code: number | undefined, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options);
    this.code = code;
  }
}

export function createKubeClient(connection: KubeConnection = {}): KubeClient {
  const config = new KubeConfig();
  try {
    if (connection.kubeconfigPath) loadKubeconfigList(config, connection.kubeconfigPath);
    else config.loadFromDefault();
    if (connection.context) config.setCurrentContext(connection.context);
  } catch (error) {
    const where = connection.kubeconfigPath ?? 'the default kubeconfig';
    throw new KubeError(
      `could not load ${where}: ${error instanceof Error ? error.message : String(error)}`,
      undefined,
      {
        hint: 'pass --kubeconfig PATH, set KUBECONFIG, or run `aws eks update-kubeconfig --name CLUSTER`',
        cause: error,
      },
    );
  }
  const cluster = config.getCurrentCluster();
  if (!connection.kubeconfigPath && isLibraryFallback(config)) {
    throw new KubeError(
      'no kubeconfig found (KUBECONFIG unset, no ~/.kube/config, not in a cluster)',
      undefined,
      {
        hint: 'pass --kubeconfig PATH, set KUBECONFIG, or run `aws eks update-kubeconfig --name CLUSTER`',
      },
    );
  }
  if (!cluster) {
    throw new KubeError('the kubeconfig has no current cluster', undefined, {
      hint: 'select a context with `kubectl config use-context NAME` or pass a kubeconfig with one',
    });
  }
  return {
    core: config.makeApiClient(CoreV1Api),
    apps: config.makeApiClient(AppsV1Api),
    server: cluster.server,
    context: config.getCurrentContext(),
  };
}

/**
 * KUBECONFIG may list several files (`a:b`), as kubectl allows: the first file's current
 * context wins and the others add clusters, users and contexts.
 */
function loadKubeconfigList(config: KubeConfig, pathList: string): void {
  const [first, ...rest] = pathList.split(delimiter).filter((path) => path);
  if (!first) throw new Error('the kubeconfig path is empty');
  config.loadFromFile(first);
  for (const path of rest) {
    const more = new KubeConfig();
    more.loadFromFile(path);
    config.mergeConfig(more, true);
  }
}

/** With nothing to load, client-node falls back to http://localhost:8080, which is never what a user meant. */
function isLibraryFallback(config: KubeConfig): boolean {
  return (
    config.getCurrentContext() === 'loaded-context' &&
    config.getCurrentCluster()?.server === 'http://localhost:8080'
  );
}

/** Runs one API call; failures become KubeErrors naming `attempted` and the server. */
export async function kubeCall<T>(client: KubeClient, attempted: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toKubeError(error, attempted, client.server);
  }
}

/** Like kubeCall, but a 404 is an answer: undefined. */
export async function kubeRead<T>(
  client: KubeClient,
  attempted: string,
  call: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await kubeCall(client, attempted, call);
  } catch (error) {
    if (error instanceof KubeError && error.code === 404) return undefined;
    throw error;
  }
}

export function toKubeError(error: unknown, attempted: string, server: string): KubeError {
  if (error instanceof ApiException) {
    const code = error.code;
    // client-node's own message is "HTTP-Code: 401\nMessage: Unauthorized\nBody: ..."; keep the Message part.
    const reason = statusMessage(error.body) ?? /^Message: (.*)$/m.exec(error.message)?.[1] ?? error.message;
    const hint =
      code === 401
        ? 'the credentials of the kubeconfig were refused; refresh them (aws eks update-kubeconfig)'
        : code === 403
          ? 'the identity lacks RBAC permission for this; its access entry needs edit rights in the namespace'
          : undefined;
    return new KubeError(`could not ${attempted}: ${reason} (HTTP ${code})`, code, {
      ...(hint ? { hint } : {}),
      cause: error,
    });
  }
  const detail =
    error instanceof Error
      ? error.cause instanceof Error
        ? error.cause.message
        : error.message
      : String(error);
  return new KubeError(
    `could not ${attempted}: the API server ${server} did not answer (${detail})`,
    undefined,
    {
      hint: 'check that the cluster is up and the kubeconfig points at it',
      cause: error,
    },
  );
}

/** The `message` of a Kubernetes Status body, which the client hands over as text or as an object. */
function statusMessage(body: unknown): string | undefined {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return body.trim() || undefined;
    }
  }
  const message = (parsed as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : undefined;
}
