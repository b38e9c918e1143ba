/**
 * Watching a namespace's objects without polling: list once, then watch from the list's
 * resourceVersion; a cut stream resumes from the last resourceVersion seen (bookmarks
 * keep it fresh), and only a 410 Gone (the version is too old) lists again. Written here
 * rather than with client-node's informer because the informer restarts with a full
 * list after every error, which costs a request per cut and loses the resume point.
 */
import { Watch } from '@kubernetes/client-node';
import { type KubeClient, KubeError, toKubeError } from './client.ts';

interface ObjectWithMeta {
  metadata?: { name?: string; resourceVersion?: string };
}

export interface WatchedKind<T extends ObjectWithMeta> {
  /** For messages: `Deployments`. */
  what: string;
  /** API path of the collection in the namespace: `/apis/apps/v1/namespaces/ns/deployments`. */
  path: string;
  labelSelector: string;
  list(): Promise<{ items: T[]; metadata?: { resourceVersion?: string } }>;
}

/** Pause between reconnects: bounded, so a server that keeps cutting us off is not hammered. */
const RECONNECT_DELAYS_MS = [100, 250, 500, 1000, 2000];

/**
 * Keeps `cache` equal to the collection until `signal` aborts, calling `changed` after
 * each event. Resolves once the initial list is in (the loop goes on in the background).
 */
export async function keepWatching<T extends ObjectWithMeta>(
  client: KubeClient,
  kind: WatchedKind<T>,
  cache: Map<string, T>,
  changed: () => void,
  signal: AbortSignal,
  onError: (error: KubeError) => void,
): Promise<void> {
  let version = await relist(kind, cache);
  changed();
  void (async () => {
    let failures = 0;
    while (!signal.aborted) {
      const outcome = await watchOnce(client, kind, version, cache, changed, signal);
      if (signal.aborted) return;
      if (outcome.kind === 'progress') {
        version = outcome.version;
        failures = 0;
        continue;
      }
      // A watch cut by an error still got somewhere: resume after the last event it delivered.
      if (outcome.kind === 'error') version = outcome.version;
      if (outcome.kind === 'gone') {
        try {
          version = await relist(kind, cache);
          changed();
        } catch (error) {
          onError(toKubeError(error, `list the ${kind.what}`, client.server));
        }
      } else {
        failures++;
        if (failures > RECONNECT_DELAYS_MS.length * 4) {
          onError(outcome.error);
          return;
        }
      }
      await pause(RECONNECT_DELAYS_MS[Math.min(failures, RECONNECT_DELAYS_MS.length - 1)] ?? 2000, signal);
    }
  })();
}

async function relist<T extends ObjectWithMeta>(
  kind: WatchedKind<T>,
  cache: Map<string, T>,
): Promise<string> {
  const list = await kind.list();
  cache.clear();
  for (const item of list.items) cache.set(item.metadata?.name ?? '', item);
  return list.metadata?.resourceVersion ?? '';
}

type WatchOutcome =
  | { kind: 'progress'; version: string }
  | { kind: 'gone' }
  | { kind: 'error'; error: KubeError; version: string };

/** One watch request, from `version` until the server or the network ends it. */
function watchOnce<T extends ObjectWithMeta>(
  client: KubeClient,
  kind: WatchedKind<T>,
  version: string,
  cache: Map<string, T>,
  changed: () => void,
  signal: AbortSignal,
): Promise<WatchOutcome> {
  return new Promise((resolve) => {
    let latest = version;
    let gone = false;
    let controller: AbortController | undefined;
    const onAbort = () => controller?.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    const finish = (outcome: WatchOutcome) => {
      signal.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    client.calls.count++;
    new Watch(client.config)
      .watch(
        kind.path,
        {
          labelSelector: kind.labelSelector,
          resourceVersion: version,
          allowWatchBookmarks: true,
          timeoutSeconds: 300,
        },
        (phase: string, object: T & { code?: number }) => {
          if (phase === 'ERROR') {
            if (object.code === 410) gone = true;
            return;
          }
          const objectVersion = object.metadata?.resourceVersion;
          if (objectVersion) latest = objectVersion;
          if (phase === 'BOOKMARK') return;
          const name = object.metadata?.name ?? '';
          if (phase === 'DELETED') cache.delete(name);
          else cache.set(name, object);
          changed();
        },
        (error: unknown) => {
          if (gone || isGone(error)) finish({ kind: 'gone' });
          else if (error && !signal.aborted) {
            const failure = toKubeError(error, `watch the ${kind.what}`, client.server);
            finish({ kind: 'error', error: failure, version: latest });
          } else finish({ kind: 'progress', version: latest });
        },
      )
      .then((started) => {
        controller = started;
        if (signal.aborted) started.abort();
      })
      .catch((error: unknown) =>
        finish({
          kind: 'error',
          error: toKubeError(error, `watch the ${kind.what}`, client.server),
          version: latest,
        }),
      );
  });
}

/**
 * A version too old to watch from: the API server says so with an ERROR event of code
 * 410, or (depending on where it notices) by answering the watch request itself with
 * HTTP 410, which client-node's Watch reports as an error with that `statusCode`.
 */
function isGone(error: unknown): boolean {
  if (error instanceof KubeError) return error.code === 410;
  return (error as { statusCode?: unknown } | null)?.statusCode === 410;
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * An async stream of "something changed" wake-ups: many changes between two reads of the
 * consumer collapse into one, so a burst of events costs one evaluation.
 */
export class ChangeSignal {
  private dirty = false;
  private waiter: (() => void) | undefined;
  private failure: Error | undefined;

  notify = (): void => {
    this.dirty = true;
    this.waiter?.();
    this.waiter = undefined;
  };

  fail(error: Error): void {
    this.failure = error;
    this.notify();
  }

  /** Resolves at the next change (at once if one happened since the last call). */
  async next(signal: AbortSignal): Promise<boolean> {
    if (!this.dirty) {
      await new Promise<void>((resolve) => {
        const wake = () => {
          signal.removeEventListener('abort', wake);
          resolve();
        };
        this.waiter = wake;
        signal.addEventListener('abort', wake, { once: true });
      });
    }
    if (this.failure) throw this.failure;
    if (signal.aborted) return false;
    this.dirty = false;
    return true;
  }
}

export { KubeError };
