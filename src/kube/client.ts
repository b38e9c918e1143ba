/**
 * The one place Greenlight talks to the Kubernetes API. Loading the kubeconfig, the typed
 * API clients, and error wording live here: every call goes through `kubeCall`, which turns
 * ApiException (HTTP status in `.code`) and connection failures into KubeErrors that say
 * what was attempted, where, and what to do.
 */

import { delimiter } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import {
  ApiException,
  AppsV1Api,
  BatchV1Api,
  type ConfigurationOptions,
  CoordinationV1Api,
  CoreV1Api,
  DiscoveryV1Api,
  KubeConfig,
  Observable,
  type ObservableMiddleware,
  type RequestContext,
} from '@kubernetes/client-node';
import pRetry from 'p-retry';
import { FAILURES, GreenlightError } from '../core/errors.ts';
import { ConflictError } from '../core/ports.ts';

export interface KubeClient {
  config: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  batch: BatchV1Api;
  coordination: CoordinationV1Api;
  discovery: DiscoveryV1Api;
  /** `https://host:port` of the API server, for messages. */
  server: string;
  context: string;
  /** Every API call made through kubeCall, for request budgets in tests and benchmarks. */
  calls: { count: number };
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
  /** What the server's Retry-After asked for, in ms. */
  readonly retryAfterMs: number | undefined;

  constructor(
    message: string,
    code: number | undefined,
    options: { hint?: string; cause?: unknown; retryAfterMs?: number | undefined } = {},
  ) {
    super(message, {
      ...options,
      kind: code === undefined ? 'cluster-unreachable' : code === 403 ? 'permission-denied' : 'cluster-error',
    });
    this.code = code;
    this.retryAfterMs = options.retryAfterMs;
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
    config,
    core: config.makeApiClient(CoreV1Api),
    apps: config.makeApiClient(AppsV1Api),
    batch: config.makeApiClient(BatchV1Api),
    coordination: config.makeApiClient(CoordinationV1Api),
    discovery: config.makeApiClient(DiscoveryV1Api),
    server: cluster.server,
    context: config.getCurrentContext(),
    calls: { count: 0 },
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

/**
 * Whether a call may be sent again after a failure: reads, and writes that are idempotent
 * (server-side apply, an update that names a resourceVersion, a delete). A create or a
 * merge patch is sent once (a create of a named object goes through kubeCreate instead).
 */
export type RetrySafety = 'safe' | 'once';

export interface CallOptions {
  retry?: RetrySafety;
  /** A single request that takes longer than this is cancelled and counts as failed (and is retried if safe). */
  timeoutMs?: number;
  /**
   * Aborts the call: no attempt starts after it, the request in flight is cancelled (its
   * connection closed, so a slow path cannot deliver it late), and its reason is thrown as
   * it is. The engine passes its lock's `lost` signal with every write.
   */
  signal?: AbortSignal | undefined;
}

/** What every request is sent with: the attempt's abort signal, through client-node's middleware. */
export type RequestOptions = ConfigurationOptions;

const MAX_ATTEMPTS = 5;
const MAX_CREATE_ATTEMPTS = 3;
const REQUEST_TIMEOUT_MS = 30_000;
const MAX_RETRY_AFTER_MS = 20_000;
const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);

/** Request options that cancel the request when `signal` aborts; `base` (e.g. a Content-Type) is kept. */
export function withSignal(signal: AbortSignal, base?: RequestOptions): RequestOptions {
  const cancel: ObservableMiddleware = {
    pre: (context: RequestContext) => {
      context.setSignal(signal);
      return new Observable(Promise.resolve(context));
    },
    post: (response) => new Observable(Promise.resolve(response)),
  };
  return { ...base, middleware: [...(base?.middleware ?? []), cancel], middlewareMergeStrategy: 'append' };
}

/** Runs one API call; failures become KubeErrors naming `attempted` and the server. */
export async function kubeCall<T>(
  client: KubeClient,
  attempted: string,
  call: (options: RequestOptions) => Promise<T>,
  options: CallOptions = {},
): Promise<T> {
  const safety = options.retry ?? 'once';
  const outer = options.signal;
  const once = async () => {
    outer?.throwIfAborted();
    client.calls.count++;
    const attempt = attemptSignal(outer, options.timeoutMs ?? REQUEST_TIMEOUT_MS, attempted);
    try {
      return await call(withSignal(attempt.signal));
    } catch (error) {
      if (outer?.aborted) throw outer.reason;
      throw toKubeError(attempt.timedOut() ?? error, attempted, client.server);
    } finally {
      attempt.clear();
    }
  };
  return pRetry(once, {
    retries: MAX_ATTEMPTS - 1,
    shouldRetry: ({ error }) => error instanceof KubeError && isRetryable(error, safety),
    minTimeout: 200,
    maxTimeout: 3_000,
    randomize: true,
    ...(outer ? { signal: outer } : {}),
    // Retry-After is the server's word on when to come back: wait for it before p-retry's own backoff.
    onFailedAttempt: async ({ error, retriesLeft }) => {
      if (!(error instanceof KubeError) || retriesLeft === 0 || !isRetryable(error, safety)) return;
      if (error.retryAfterMs !== undefined) await pause(error.retryAfterMs, outer);
    },
  });
}

/** Like kubeCall, but a 404 is an answer: undefined. */
export async function kubeRead<T>(
  client: KubeClient,
  attempted: string,
  call: (options: RequestOptions) => Promise<T>,
  options: Pick<CallOptions, 'signal'> = {},
): Promise<T | undefined> {
  try {
    return await kubeCall(client, attempted, call, { retry: 'safe', ...options });
  } catch (error) {
    if (error instanceof KubeError && error.code === 404) return undefined;
    throw error;
  }
}

export interface CreateCalls<T> {
  create(options: RequestOptions): Promise<T>;
  /** Reads the object by its name. */
  readBack(options: RequestOptions): Promise<T>;
  /** Whether the object found is the one this create sent (not another writer's). */
  isOurs(found: T): boolean;
}

/**
 * A create of an object with a fixed name, made safe to send again. After an ambiguous
 * failure (no answer, a 5xx: the request may have been applied) the object is read back:
 * when it is there and is the one this call sent, that is the answer; when it is not
 * there, the create is sent again. A 409 AlreadyExists of the first attempt goes to the
 * caller (another writer came first); of a later attempt, it is checked the same way.
 */
export async function kubeCreate<T>(
  client: KubeClient,
  attempted: string,
  calls: CreateCalls<T>,
  options: Pick<CallOptions, 'signal'> = {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await kubeCall(client, attempted, calls.create, { retry: 'once', ...options });
    } catch (error) {
      if (!(error instanceof KubeError)) throw error;
      const ambiguous = error.code === undefined || RETRYABLE_STATUS.has(error.code);
      if (!ambiguous && !(error.code === 409 && attempt > 1)) throw error;
      const found = await kubeRead(
        client,
        `read back what was sent to ${attempted}`,
        calls.readBack,
        options,
      );
      if (found !== undefined && calls.isOurs(found)) return found;
      if (found !== undefined) {
        throw new KubeError(`could not ${attempted}: another writer created it meanwhile`, 409, {
          cause: error,
        });
      }
      if (attempt >= MAX_CREATE_ATTEMPTS) throw error;
      await pause(250 * attempt, options.signal);
    }
  }
}

/** A 429 was refused before it was processed, so any request may be sent again; other failures only when safe. */
function isRetryable(error: KubeError, safety: RetrySafety): boolean {
  if (error.code === 429) return true;
  return safety === 'safe' && (error.code === undefined || RETRYABLE_STATUS.has(error.code));
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
async function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await delay(ms, undefined, signal ? { signal } : {});
  } catch (error) {
    throw signal?.aborted ? signal.reason : error;
  }
}

class RequestTimeout extends Error {
  override name = 'RequestTimeout';
}

/** One attempt's signal: aborts with the outer signal, or on its own after `ms` (then timedOut() says so). */
function attemptSignal(outer: AbortSignal | undefined, ms: number, attempted: string) {
  const timeout = new AbortController();
  const timer = setTimeout(
    () => timeout.abort(new RequestTimeout(`no answer within ${ms / 1000}s to: ${attempted}`)),
    ms,
  );
  return {
    signal: outer ? AbortSignal.any([outer, timeout.signal]) : timeout.signal,
    timedOut: (): RequestTimeout | undefined =>
      timeout.signal.aborted ? (timeout.signal.reason as RequestTimeout) : undefined,
    clear: () => clearTimeout(timer),
  };
}

/** `Retry-After: 3` (seconds) or an HTTP date, capped so a hostile server cannot stall us for long. */
export function retryAfterMs(
  headers: Record<string, string> | undefined,
  now = Date.now(),
): number | undefined {
  const value = headers?.['retry-after'] ?? headers?.['Retry-After'];
  if (!value) return undefined;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - now;
  if (!Number.isFinite(ms) || ms < 0) return undefined;
  return Math.min(ms, MAX_RETRY_AFTER_MS);
}

export function toKubeError(error: unknown, attempted: string, server: string): KubeError {
  if (error instanceof KubeError) return error;
  if (error instanceof ApiException) {
    const code = error.code;
    // client-node's own message is "HTTP-Code: 401\nMessage: Unauthorized\nBody: ..."; keep the Message part.
    const reason = statusMessage(error.body) ?? /^Message: (.*)$/m.exec(error.message)?.[1] ?? error.message;
    const hint =
      code === 401
        ? 'the credentials of the kubeconfig were refused; refresh them (aws eks update-kubeconfig)'
        : code === 403
          ? FAILURES['permission-denied'].hint
          : undefined;
    return new KubeError(`could not ${attempted}: ${reason} (HTTP ${code})`, code, {
      ...(hint ? { hint } : {}),
      cause: error,
      retryAfterMs: retryAfterMs(error.headers),
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

/** HTTP 409 on an optimistic write: core's ConflictError, so the engine reads again and decides again. */
export function asConflict(error: unknown): unknown {
  if (error instanceof KubeError && error.code === 409)
    return new ConflictError(error.message, { cause: error });
  return error;
}
