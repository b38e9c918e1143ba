/**
 * Watching a collection of Kubernetes objects (client-node's Watch): the observer's
 * record of Service changes, and the bounded waits of the harness ("every Deployment
 * Available", "every Rollout paused"). A watch the server ends is reopened from the
 * last resourceVersion seen.
 */
import { KubeConfig, Watch } from '@kubernetes/client-node';

export interface KubeObject {
  metadata?: { name?: string; resourceVersion?: string };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface RunningWatch {
  stop(): void;
}

export function kubeConfigFrom(path: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  const server = kc.getCurrentCluster()?.server ?? '';
  if (!/^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?\/?$/.test(server)) {
    throw new Error(
      `${path}: server ${server} is not on loopback; the benchmarks only talk to the local stack`,
    );
  }
  return kc;
}

/** Resolves once the watch request is open (the server streams from then on). */
export async function watchObjects(
  kc: KubeConfig,
  path: string,
  onEvent: (type: WatchEventType, object: KubeObject) => void,
): Promise<RunningWatch> {
  let stopped = false;
  let resourceVersion: string | undefined;
  let abort: AbortController | undefined;
  const open = async (): Promise<void> => {
    abort = await new Watch(kc).watch(
      path,
      { allowWatchBookmarks: true, ...(resourceVersion ? { resourceVersion } : {}) },
      (type, object: KubeObject) => {
        const rv = object?.metadata?.resourceVersion;
        if (rv) resourceVersion = rv;
        if (type !== 'BOOKMARK') onEvent(type as WatchEventType, object);
      },
      () => {
        // the server ends watches after a while: reopen (bounded by the caller's stop())
        if (!stopped) setTimeout(() => void open().catch(() => {}), 200);
      },
    );
  };
  await open();
  return {
    stop: () => {
      stopped = true;
      abort?.abort();
    },
  };
}

/**
 * Waits until every named object exists and satisfies `ready`; returns the time it did
 * (ms since the epoch). Throws after `timeoutMs`, naming the objects that were not ready.
 */
export async function waitForAll(
  kc: KubeConfig,
  path: string,
  names: readonly string[],
  ready: (object: KubeObject) => boolean,
  options: { timeoutMs: number; what: string; describe?: (object: KubeObject | undefined) => string },
): Promise<number> {
  const latest = new Map<string, KubeObject>();
  const pending = new Set(names);
  let resolveDone: (at: number) => void = () => {};
  const done = new Promise<number>((resolve) => {
    resolveDone = resolve;
  });
  const onEvent = (type: WatchEventType, object: KubeObject) => {
    const name = object.metadata?.name;
    if (!name || !names.includes(name)) return;
    if (type === 'DELETED') latest.delete(name);
    else latest.set(name, object);
    if (type !== 'DELETED' && ready(object)) pending.delete(name);
    else pending.add(name);
    if (pending.size === 0) resolveDone(Date.now());
  };
  const watch = await watchObjects(kc, path, onEvent);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const stuck = [...pending]
        .slice(0, 5)
        .map((n) => `${n}: ${(options.describe ?? brief)(latest.get(n))}`);
      reject(
        new Error(
          `timed out after ${options.timeoutMs / 1000}s waiting for ${options.what}: ` +
            `${pending.size} of ${names.length} not ready (${stuck.join('; ')})`,
        ),
      );
    }, options.timeoutMs);
  });
  try {
    return await Promise.race([done, timeout]);
  } finally {
    clearTimeout(timer);
    watch.stop();
  }
}

function brief(object: KubeObject | undefined): string {
  if (!object) return 'not there';
  return JSON.stringify(object.status ?? {}).slice(0, 300);
}

/** A Deployment whose current generation is rolled out and Available. */
export function deploymentAvailable(object: KubeObject): boolean {
  const status = object.status as
    | { observedGeneration?: number; updatedReplicas?: number; availableReplicas?: number; replicas?: number }
    | undefined;
  const generation = (object.metadata as { generation?: number } | undefined)?.generation;
  const wanted = (object.spec as { replicas?: number } | undefined)?.replicas ?? 1;
  return (
    status !== undefined &&
    status.observedGeneration === generation &&
    status.updatedReplicas === wanted &&
    status.availableReplicas === wanted &&
    status.replicas === wanted
  );
}
