import { createRequire as __greenlightRequire } from 'node:module';
const require = __greenlightRequire(import.meta.url);
import {
  KubeError,
  Watch,
  toKubeError
} from "./chunk-NME52WII.js";

// src/kube/watch.ts
var RECONNECT_DELAYS_MS = [100, 250, 500, 1e3, 2e3];
async function keepWatching(client, kind, cache, changed, signal, onError) {
  let version = await relist(kind, cache);
  changed();
  void (async () => {
    let failures = 0;
    while (!signal.aborted) {
      const outcome = await watchOnce(client, kind, version, cache, changed, signal);
      if (signal.aborted) return;
      if (outcome.kind === "progress") {
        version = outcome.version;
        failures = 0;
        continue;
      }
      if (outcome.kind === "error") version = outcome.version;
      if (outcome.kind === "gone") {
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
      await pause(RECONNECT_DELAYS_MS[Math.min(failures, RECONNECT_DELAYS_MS.length - 1)] ?? 2e3, signal);
    }
  })();
}
async function relist(kind, cache) {
  const list = await kind.list();
  cache.clear();
  for (const item of list.items) cache.set(item.metadata?.name ?? "", item);
  return list.metadata?.resourceVersion ?? "";
}
function watchOnce(client, kind, version, cache, changed, signal) {
  return new Promise((resolve) => {
    let latest = version;
    let gone = false;
    let controller;
    const onAbort = () => controller?.abort();
    signal.addEventListener("abort", onAbort, { once: true });
    const finish = (outcome) => {
      signal.removeEventListener("abort", onAbort);
      resolve(outcome);
    };
    client.calls.count++;
    new Watch(client.config).watch(
      kind.path,
      {
        labelSelector: kind.labelSelector,
        resourceVersion: version,
        allowWatchBookmarks: true,
        timeoutSeconds: 300
      },
      (phase, object) => {
        if (phase === "ERROR") {
          if (object.code === 410) gone = true;
          return;
        }
        const objectVersion = object.metadata?.resourceVersion;
        if (objectVersion) latest = objectVersion;
        if (phase === "BOOKMARK") return;
        const name = object.metadata?.name ?? "";
        if (phase === "DELETED") cache.delete(name);
        else cache.set(name, object);
        changed();
      },
      (error) => {
        if (gone || isGone(error)) finish({ kind: "gone" });
        else if (error && !signal.aborted) {
          const failure = toKubeError(error, `watch the ${kind.what}`, client.server);
          finish({ kind: "error", error: failure, version: latest });
        } else finish({ kind: "progress", version: latest });
      }
    ).then((started) => {
      controller = started;
      if (signal.aborted) started.abort();
    }).catch(
      (error) => finish({
        kind: "error",
        error: toKubeError(error, `watch the ${kind.what}`, client.server),
        version: latest
      })
    );
  });
}
function isGone(error) {
  if (error instanceof KubeError) return error.code === 410;
  return error?.statusCode === 410;
}
function pause(ms, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
var ChangeSignal = class {
  dirty = false;
  waiter;
  failure;
  notify = () => {
    this.dirty = true;
    this.waiter?.();
    this.waiter = void 0;
  };
  fail(error) {
    this.failure = error;
    this.notify();
  }
  /** Resolves at the next change (at once if one happened since the last call). */
  async next(signal) {
    if (!this.dirty) {
      await new Promise((resolve) => {
        const wake = () => {
          signal.removeEventListener("abort", wake);
          resolve();
        };
        this.waiter = wake;
        signal.addEventListener("abort", wake, { once: true });
      });
    }
    if (this.failure) throw this.failure;
    if (signal.aborted) return false;
    this.dirty = false;
    return true;
  }
};

export {
  keepWatching,
  ChangeSignal
};
