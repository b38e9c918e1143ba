import { createRequire as __greenlightRequire } from 'node:module';
const require = __greenlightRequire(import.meta.url);
import {
  ConflictError,
  DEFAULT_LEASE_DURATION_MS,
  LOCK_LEASE_NAME,
  RENEW_FRACTION,
  colorServiceName,
  decideLease,
  heldLease,
  holderMayWrite,
  liveServiceName,
  liveServiceSpec,
  previewServiceSpec
} from "./chunk-A7DPAKFH.js";
import {
  COLORS,
  deploymentName,
  otherColor,
  previewServiceName
} from "./chunk-R6Y2HZ7J.js";
import {
  EngineError
} from "./chunk-L2HEXJUQ.js";

// src/core/cluster.ts
function groupStateOf(namespace, services, objects) {
  const deployments = new Map(objects.deployments.map((deployment) => [deployment.name, deployment]));
  const liveServices = new Map(
    objects.services.filter((service) => service.role !== "color" && service.role !== "preview").map((s) => [s.name, s])
  );
  return {
    namespace,
    namespaceExists: objects.namespaceExists,
    services: Object.fromEntries(
      services.map((service) => [service, serviceStateOf(service, deployments, liveServices)])
    )
  };
}
function serviceStateOf(service, deployments, liveServices) {
  const colors = {};
  for (const color of COLORS) {
    const deployment = deployments.get(`${service}-${color}`);
    if (deployment) colors[color] = colorStateOf(color, deployment);
  }
  const liveColor = liveServices.get(service)?.selectorColor;
  return { service, ...liveColor ? { liveColor } : {}, colors };
}
function colorStateOf(color, deployment) {
  const provenance = deployment.provenance;
  return {
    color,
    deployment: deployment.name,
    ...provenance?.digest ? { digest: provenance.digest } : {},
    ...provenance?.branch === void 0 ? {} : { branch: provenance.branch },
    ...provenance?.commit === void 0 ? {} : { commit: provenance.commit },
    ...deployment.releaseId === void 0 ? {} : { release: deployment.releaseId },
    replicas: deployment.replicas,
    readyReplicas: deployment.readyReplicas,
    ...deployment.desiredReplicas === void 0 ? {} : { desiredReplicas: deployment.desiredReplicas }
  };
}

// src/core/release.ts
var DEFAULT_HISTORY_LIMIT = 20;
function digestsOf(record) {
  return Object.fromEntries(record.services.map((service) => [service.service, service.digest]));
}
function newestFirst(records) {
  return [...records].sort((a, b) => b.deployedAt.localeCompare(a.deployedAt) || a.id.localeCompare(b.id));
}
function pendingSwitch(records) {
  return records.find((record) => record.switch !== void 0);
}
function previousLiveRelease(records, current) {
  const candidates = records.filter(
    (record) => record.id !== current?.id && record.promotedAt !== void 0 && record.phase === "promoted" && (current?.promotedAt === void 0 || record.promotedAt <= current.promotedAt)
  );
  return [...candidates].sort((a, b) => (b.promotedAt ?? "").localeCompare(a.promotedAt ?? ""))[0];
}
function recordsToPrune(records, limit, keep) {
  const room = Math.max(0, limit - records.filter((record) => keep.has(record.id)).length);
  return newestFirst(records).filter((record) => !keep.has(record.id)).slice(room);
}
function deployingRecord(existing, release, now) {
  return {
    ...release,
    phase: "deploying",
    deploys: (existing?.deploys ?? 0) + 1,
    deployedAt: now,
    updatedAt: now
  };
}

// src/engine/records.ts
var MAX_CONFLICTS = 5;
async function loadRecords(store) {
  const stored = await store.list();
  return new Map(stored.map((entry) => [entry.record.id, entry]));
}
async function changeRecord(store, id, known, change) {
  let current = known;
  for (let attempt = 0; attempt < MAX_CONFLICTS; attempt++) {
    const next = change(current?.record);
    if (next === void 0) return current;
    try {
      return current ? await store.update(current, next) : await store.create(next);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      current = (await store.list()).find((entry) => entry.record.id === id);
    }
  }
  throw new EngineError(
    "record-conflict",
    `the release record ${id} changed ${MAX_CONFLICTS} times while this run updated it`
  );
}
async function pruneHistory(store, records, keep, limit = DEFAULT_HISTORY_LIMIT) {
  const doomed = recordsToPrune(records, limit, keep);
  for (const record of doomed) await store.delete(record.id);
  return doomed.map((record) => record.id);
}

// src/engine/view.ts
async function readGroupView(input, deps) {
  const [objects, records] = await Promise.all([deps.cluster.readGroupObjects(), loadRecords(deps.records)]);
  return viewOf(input.group, input.catalog, objects, records);
}
function viewOf(group, catalog, objects, records) {
  const names = group.services.map((service) => service.name);
  const state = groupStateOf(group.namespace, names, objects);
  const live = Object.values(state.services).flatMap((service) => service.liveColor ? [service] : []);
  const count = (color) => live.filter((service) => service.liveColor === color).length;
  const liveColor = live.length === 0 ? void 0 : count("green") > count("blue") ? "green" : "blue";
  const strays = live.filter((service) => service.liveColor !== liveColor).map((service) => service.service);
  const releaseOn = {};
  for (const color of COLORS) {
    const releases = new Set(names.map((name) => state.services[name]?.colors[color]?.release));
    const [only] = releases;
    if (releases.size === 1 && only !== void 0) releaseOn[color] = only;
  }
  return {
    group,
    catalog,
    objects,
    state,
    ...liveColor ? { liveColor } : {},
    strays,
    standbyColor: liveColor ? otherColor(liveColor) : "blue",
    releaseOn,
    records
  };
}
function liveReleaseId(view) {
  return view.liveColor ? view.releaseOn[view.liveColor] : void 0;
}
function standbyReleaseId(view) {
  return view.releaseOn[view.standbyColor];
}
function desiredReplicasOn(view, color) {
  return new Map(
    view.group.services.map((service) => {
      const deployed = view.state.services[service.name]?.colors[color];
      return [service.name, deployed?.desiredReplicas ?? deployed?.replicas ?? 0];
    })
  );
}
function isScaledDown(view, color) {
  return view.group.services.every(
    (service) => (view.state.services[service.name]?.colors[color]?.replicas ?? 0) === 0
  );
}

// src/core/rollout.ts
var HARD_WAITING_REASONS = /* @__PURE__ */ new Set([
  "ImagePullBackOff",
  "InvalidImageName",
  "ErrImageNeverPull",
  "CreateContainerConfigError",
  "CreateContainerError",
  "CrashLoopBackOff",
  "RunContainerError"
]);
function judgeRollout(targets, snapshot) {
  const deployments = new Map(snapshot.deployments.map((deployment) => [deployment.name, deployment]));
  const verdicts = targets.map(
    (target) => judgeService(target, deployments.get(target.deployment), snapshot)
  );
  const failed = verdicts.filter((verdict) => verdict.state === "failed");
  const waiting = verdicts.filter((verdict) => verdict.state === "waiting");
  return { done: failed.length === 0 && waiting.length === 0, failed, waiting, verdicts };
}
function judgeService(target, deployment, snapshot) {
  const service = target.service;
  if (!deployment)
    return { service, state: "waiting", reason: `Deployment ${target.deployment} not seen yet` };
  const pods = snapshot.pods.filter(
    (pod) => pod.color === target.color && pod.service === target.service && !pod.deleting
  );
  const stuck = deploymentFailure(deployment);
  const hard = pods.flatMap((pod) => podProblem(pod).filter((problem) => problem.hard));
  if (stuck || hard.length > 0) {
    const reasons = [...stuck ? [stuck] : [], ...hard.map((problem) => problem.text)];
    return {
      service,
      state: "failed",
      reason: unique(reasons).join("; "),
      pods: unique(hard.map((p) => p.pod))
    };
  }
  const progress = deploymentProgress(deployment, target);
  if (progress) return { service, state: "waiting", reason: withPodReasons(progress, pods) };
  const endpoints = endpointMismatch(target, pods, snapshot.endpointSlices);
  if (endpoints) return { service, state: "waiting", reason: endpoints };
  return { service, state: "ready" };
}
function deploymentFailure(deployment) {
  for (const condition of deployment.conditions) {
    if (condition.type === "Progressing" && condition.status === "False") {
      return `Deployment ${deployment.name}: ${condition.reason ?? "not progressing"}${condition.message ? ` (${condition.message})` : ""}`;
    }
    if (condition.type === "ReplicaFailure" && condition.status === "True") {
      return `Deployment ${deployment.name}: ${condition.reason ?? "ReplicaFailure"}${condition.message ? ` (${condition.message})` : ""}`;
    }
  }
  return void 0;
}
function deploymentProgress(deployment, target) {
  if (deployment.releaseId !== target.releaseId)
    return `Deployment ${deployment.name} still runs another release`;
  if (deployment.observedGeneration < deployment.generation)
    return "the Deployment controller has not seen the change yet";
  if (deployment.replicas !== target.replicas)
    return `Deployment has ${deployment.replicas} replicas, not ${target.replicas}`;
  const { updatedReplicas, readyReplicas, availableReplicas, statusReplicas } = deployment;
  const want = target.replicas;
  if (updatedReplicas < want || readyReplicas < want || availableReplicas < want) {
    return `${Math.min(readyReplicas, updatedReplicas)}/${want} ready`;
  }
  if (statusReplicas > want) return `${statusReplicas - want} old pod(s) still terminating`;
  return void 0;
}
function withPodReasons(progress, pods) {
  const soft = unique(pods.flatMap((pod) => podProblem(pod).map((problem) => problem.text)));
  return soft.length > 0 ? `${progress}: ${soft.slice(0, 3).join("; ")}` : progress;
}
function endpointMismatch(target, pods, slices) {
  const ready = new Set(
    pods.filter((pod) => pod.ready && pod.releaseId === target.releaseId).map((pod) => pod.name)
  );
  for (const serviceName of target.endpointServices) {
    const problem = endpointsProblem(serviceName, ready, slices);
    if (problem) return problem;
  }
  return void 0;
}
function endpointsProblem(serviceName, expected, slices) {
  const serving = new Set(
    slices.filter((slice) => slice.serviceName === serviceName).flatMap((slice) => slice.endpoints).filter((endpoint) => endpoint.ready && !endpoint.terminating && endpoint.pod !== void 0).map((endpoint) => endpoint.pod ?? "")
  );
  const missing = [...expected].filter((pod) => !serving.has(pod));
  const extra = [...serving].filter((pod) => !expected.has(pod));
  if (missing.length === 0 && extra.length === 0) return void 0;
  const parts = [
    ...missing.length ? [`${missing.length} ready pod(s) not yet behind Service ${serviceName}`] : [],
    ...extra.length ? [`Service ${serviceName} still routes to ${extra.length} other pod(s)`] : []
  ];
  return parts.join(", ");
}
function podProblem(pod) {
  if (pod.ready) return [];
  const problems = [];
  const unschedulable = pod.conditions.find(
    (condition) => condition.type === "PodScheduled" && condition.status === "False"
  );
  if (unschedulable) {
    problems.push({
      pod: pod.name,
      hard: false,
      text: `${pod.name}: ${unschedulable.reason ?? "Unschedulable"}${unschedulable.message ? ` (${unschedulable.message})` : ""}`
    });
  }
  if (pod.phase === "Failed") problems.push({ pod: pod.name, hard: true, text: `${pod.name}: pod failed` });
  for (const container of pod.containers) problems.push(...containerProblem(pod.name, container));
  if (problems.length === 0 && pod.phase === "Running") {
    const ready = pod.conditions.find((condition) => condition.type === "Ready");
    problems.push({
      pod: pod.name,
      hard: false,
      text: `${pod.name}: running but not ready (readiness probe failing${ready?.message ? `: ${ready.message}` : ""})`
    });
  }
  return problems;
}
function containerProblem(pod, container) {
  const lastExit = container.lastTerminated?.exitCode;
  const exit = lastExit === void 0 ? "" : `, last exit code ${lastExit}${container.lastTerminated?.reason ? ` (${container.lastTerminated.reason})` : ""}`;
  const waiting = container.waiting?.reason;
  if (waiting && waiting !== "ContainerCreating" && waiting !== "PodInitializing") {
    const message = container.waiting?.message ? `: ${truncate(container.waiting.message, 200)}` : "";
    return [
      {
        pod,
        hard: HARD_WAITING_REASONS.has(waiting),
        text: `${pod}: container ${container.name} ${waiting}${message}${exit}, ${container.restartCount} restart(s)`
      }
    ];
  }
  const terminated = container.terminated;
  if (terminated && terminated.exitCode !== 0) {
    return [
      {
        pod,
        hard: terminated.reason === "OOMKilled" || container.restartCount >= 3,
        text: `${pod}: container ${container.name} exited with code ${terminated.exitCode ?? "?"}${terminated.reason ? ` (${terminated.reason})` : ""}`
      }
    ];
  }
  return [];
}
function truncate(text, length) {
  return text.length > length ? `${text.slice(0, length - 1)}\u2026` : text;
}
function unique(items) {
  return [...new Set(items)];
}

// src/engine/deps.ts
var DEFAULT_LOCK_TIMEOUT_MS = 12e4;
function nowIso(clock) {
  return new Date(clock.now()).toISOString();
}

// src/engine/wait.ts
var PROGRESS_EVERY_MS = 5e3;
async function waitForRollout(input, deps) {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), input.timeoutMs);
  const signal = AbortSignal.any([timeout.signal, ...input.signal ? [input.signal] : []]);
  let last;
  let lastProgress = 0;
  let lastLine = "";
  try {
    for await (const snapshot of deps.cluster.watchRollout(signal)) {
      last = judgeRollout(input.targets, snapshot);
      if (last.done || last.failed.length > 0) return settle(last, input);
      const line = progressLine(last, input.targets.length);
      const now = deps.clock.now();
      if (line !== lastLine && now - lastProgress >= PROGRESS_EVERY_MS) {
        deps.log.info(`${input.what}: ${line}`);
        lastProgress = now;
        lastLine = line;
      }
    }
  } finally {
    clearTimeout(timer);
  }
  if (input.signal?.aborted) throw input.signal.reason;
  throw timedOut(last, input);
}
function settle(verdict, input) {
  if (verdict.failed.length === 0) return verdict;
  const lines = verdict.failed.map((failed) => `${failed.service}: ${failed.reason}`);
  throw new EngineError("rollout-failed", `${input.what} cannot become ready:
  ${lines.join("\n  ")}`, {
    detail: {
      services: verdict.failed.map((failed) => failed.service),
      pods: verdict.failed.flatMap((f) => f.pods)
    }
  });
}
function timedOut(verdict, input) {
  const waiting = verdict?.waiting ?? input.targets.map((target) => ({ service: target.service, reason: "no answer from the cluster" }));
  const lines = waiting.map((entry) => `${entry.service}: ${entry.reason}`);
  return new EngineError(
    "rollout-timeout",
    `${input.what} was not ready within ${Math.round(input.timeoutMs / 1e3)}s:
  ${lines.join("\n  ")}`,
    { detail: { services: waiting.map((entry) => entry.service) } }
  );
}
function progressLine(verdict, total) {
  const ready = total - verdict.waiting.length;
  const pending = verdict.waiting.slice(0, 5).map((entry) => `${entry.service} (${entry.reason})`).join(", ");
  const more = verdict.waiting.length > 5 ? ` and ${verdict.waiting.length - 5} more` : "";
  return `${ready}/${total} ready; waiting for ${pending}${more}`;
}

// node_modules/yocto-queue/index.js
var Node = class {
  value;
  next;
  constructor(value) {
    this.value = value;
  }
};
var Queue = class {
  #head;
  #tail;
  #size;
  constructor() {
    this.clear();
  }
  enqueue(value) {
    const node = new Node(value);
    if (this.#head) {
      this.#tail.next = node;
      this.#tail = node;
    } else {
      this.#head = node;
      this.#tail = node;
    }
    this.#size++;
  }
  dequeue() {
    const current = this.#head;
    if (!current) {
      return;
    }
    this.#head = this.#head.next;
    this.#size--;
    if (!this.#head) {
      this.#tail = void 0;
    }
    return current.value;
  }
  peek() {
    if (!this.#head) {
      return;
    }
    return this.#head.value;
  }
  clear() {
    this.#head = void 0;
    this.#tail = void 0;
    this.#size = 0;
  }
  get size() {
    return this.#size;
  }
  *[Symbol.iterator]() {
    let current = this.#head;
    while (current) {
      yield current.value;
      current = current.next;
    }
  }
  *drain() {
    while (this.#head) {
      yield this.dequeue();
    }
  }
};

// node_modules/p-limit/index.js
function pLimit(concurrency) {
  let rejectOnClear = false;
  if (typeof concurrency === "object") {
    ({ concurrency, rejectOnClear = false } = concurrency);
  }
  validateConcurrency(concurrency);
  if (typeof rejectOnClear !== "boolean") {
    throw new TypeError("Expected `rejectOnClear` to be a boolean");
  }
  const queue = new Queue();
  let activeCount = 0;
  const resumeNext = () => {
    if (activeCount < concurrency && queue.size > 0) {
      activeCount++;
      queue.dequeue().run();
    }
  };
  const next = () => {
    activeCount--;
    resumeNext();
  };
  const run = async (function_, resolve, arguments_) => {
    const result = (async () => function_(...arguments_))();
    resolve(result);
    try {
      await result;
    } catch {
    }
    next();
  };
  const enqueue = (function_, resolve, reject, arguments_) => {
    const queueItem = { reject };
    new Promise((internalResolve) => {
      queueItem.run = internalResolve;
      queue.enqueue(queueItem);
    }).then(run.bind(void 0, function_, resolve, arguments_));
    if (activeCount < concurrency) {
      resumeNext();
    }
  };
  const generator = (function_, ...arguments_) => new Promise((resolve, reject) => {
    enqueue(function_, resolve, reject, arguments_);
  });
  Object.defineProperties(generator, {
    activeCount: {
      get: () => activeCount
    },
    pendingCount: {
      get: () => queue.size
    },
    clearQueue: {
      value() {
        if (!rejectOnClear) {
          queue.clear();
          return;
        }
        const abortError = AbortSignal.abort().reason;
        while (queue.size > 0) {
          queue.dequeue().reject(abortError);
        }
      }
    },
    concurrency: {
      get: () => concurrency,
      set(newConcurrency) {
        validateConcurrency(newConcurrency);
        concurrency = newConcurrency;
        queueMicrotask(() => {
          while (activeCount < concurrency && queue.size > 0) {
            resumeNext();
          }
        });
      }
    },
    map: {
      async value(iterable, function_) {
        const promises = [];
        try {
          Array.from(iterable, (value, index) => {
            const promise = generator(function_, value, index);
            promises.push(promise);
            return promise;
          });
        } catch (error) {
          for (const promise of promises) {
            promise.catch(() => {
            });
          }
          throw error;
        }
        return Promise.all(promises);
      }
    }
  });
  return generator;
}
function validateConcurrency(concurrency) {
  if (!((Number.isInteger(concurrency) || concurrency === Number.POSITIVE_INFINITY) && concurrency > 0)) {
    throw new TypeError("Expected `concurrency` to be a number from 1 and up");
  }
}

// src/engine/switch.ts
var WRITE_CONCURRENCY = 16;
var SWITCH_CONCURRENCY = 64;
async function switchGroupLive(view, input, deps) {
  const intent = {
    operation: input.operation,
    ...input.from ? { from: input.from } : {},
    to: input.to,
    ...input.previousRelease ? { previousRelease: input.previousRelease } : {},
    ...input.scaleDownDelay === "keep" ? {} : { scaleDownDelayMs: input.scaleDownDelay },
    startedAt: nowIso(deps.clock),
    by: deps.run.runUrl ?? deps.run.actor
  };
  const withIntent = await changeRecord(
    deps.records,
    input.release.record.id,
    input.release,
    (record) => record ? { ...record, switch: intent, updatedAt: nowIso(deps.clock) } : void 0
  );
  return completeSwitch(view, withIntent ?? input.release, intent, input, deps);
}
async function completeSwitch(view, stored, intent, input, deps) {
  const services = catalogServices(view);
  try {
    await pointLiveServices(view, services, intent.to, deps);
    await waitForRollout(
      {
        targets: liveTargets(view, intent.to, stored.record.id),
        timeoutMs: input.timeoutMs,
        what: `the live Services on ${intent.to}`,
        signal: input.signal
      },
      deps
    );
  } catch (error) {
    if (error instanceof EngineError && error.kind === "lock-lost") throw error;
    await revertSwitch(view, stored, intent, error, deps);
    throw new EngineError(
      "switch-failed",
      `switching ${view.group.name} to ${intent.to} failed, every live Service is back on ${intent.from ?? "no color (no live Service)"}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error }
    );
  }
  await forEachLimited(
    services,
    (service) => deps.cluster.applyService(previewServiceSpec(service, view.group.name, otherColor(intent.to)))
  );
  const record = await recordSwitched(stored, intent, deps);
  return { record, liveColors: Object.fromEntries(services.map((service) => [service.name, intent.to])) };
}
async function pointLiveServices(view, services, color, deps) {
  const live = new Set(
    view.objects.services.filter((service) => service.role === "live").map((service) => service.name)
  );
  const outcomes = await Promise.allSettled(
    services.map(
      (service) => limitSwitch(async () => {
        const spec = liveServiceSpec(service, view.group.name, color);
        const applied = live.has(spec.name) ? await deps.cluster.selectServiceColor(spec.name, color) : await deps.cluster.applyService(spec);
        if (applied.selectorColor !== color) {
          throw new EngineError(
            "switch-failed",
            `Service ${applied.name} selects ${applied.selectorColor ?? "no color"} after the switch`
          );
        }
      })
    )
  );
  const failures = outcomes.flatMap(
    (outcome, index) => outcome.status === "rejected" ? [`${services[index]?.name}: ${messageOf(outcome.reason)}`] : []
  );
  if (failures.length > 0) throw new EngineError("switch-failed", failures.join("; "));
}
async function revertSwitch(view, stored, intent, cause, deps) {
  const services = catalogServices(view);
  const from = intent.from;
  await Promise.allSettled(
    services.map(
      (service) => limitWrites(async () => {
        if (from) await deps.cluster.applyService(liveServiceSpec(service, view.group.name, from));
        else await deps.cluster.deleteService(liveServiceName(service.name));
      })
    )
  );
  const after = await deps.cluster.readGroupObjects();
  const stuck = after.services.filter((service) => service.role === "live" && (from ? service.selectorColor !== from : true)).map((service) => service.name);
  if (stuck.length > 0) {
    throw new EngineError(
      "switch-failed",
      `could not put ${stuck.join(", ")} back on ${from ?? "no color"} after a failed switch to ${intent.to} (${messageOf(cause)}); the switch intent stays on release ${stored.record.id} and the next Greenlight command retries`,
      { cause }
    );
  }
  await unretirePrevious(intent, deps);
  await changeRecord(deps.records, stored.record.id, stored, (record) => {
    if (!record) return void 0;
    const { switch: _pending, ...rest } = record;
    return {
      ...rest,
      failure: {
        kind: "switch-failed",
        message: `switch to ${intent.to} reverted: ${messageOf(cause)}`,
        at: nowIso(deps.clock)
      },
      updatedAt: nowIso(deps.clock)
    };
  });
}
async function recordSwitched(stored, intent, deps) {
  const now = nowIso(deps.clock);
  const scaleDown = intent.from && intent.scaleDownDelayMs !== void 0 ? { color: intent.from, notBefore: new Date(deps.clock.now() + intent.scaleDownDelayMs).toISOString() } : void 0;
  await retirePrevious(intent, stored.record.id, now, deps);
  const switched = await changeRecord(deps.records, stored.record.id, stored, (record) => {
    if (!record) return void 0;
    const {
      switch: _done,
      failure: _old,
      scaleDown: _previous,
      retiredAt: _r,
      rolledBackAt: _b,
      ...rest
    } = record;
    return {
      ...rest,
      phase: "promoted",
      promotedAt: now,
      ...scaleDown ? { scaleDown } : {},
      updatedAt: now
    };
  });
  return (switched ?? stored).record;
}
async function retirePrevious(intent, target, now, deps) {
  if (!intent.previousRelease || intent.previousRelease === target) return;
  const previous = (await deps.records.list()).find((entry) => entry.record.id === intent.previousRelease);
  await changeRecord(deps.records, intent.previousRelease, previous, (record) => {
    if (!record) return void 0;
    const { scaleDown: _stale, ...rest } = record;
    return intent.operation === "rollback" ? { ...rest, phase: "rolled-back", rolledBackAt: now, retiredAt: now, updatedAt: now } : { ...rest, retiredAt: now, updatedAt: now };
  });
}
async function unretirePrevious(intent, deps) {
  if (!intent.previousRelease) return;
  const previous = (await deps.records.list()).find((entry) => entry.record.id === intent.previousRelease);
  await changeRecord(deps.records, intent.previousRelease, previous, (record) => {
    if (!record?.retiredAt || record.retiredAt < intent.startedAt) return void 0;
    const { retiredAt: _r, rolledBackAt: _b, ...rest } = record;
    return { ...rest, phase: "promoted", updatedAt: nowIso(deps.clock) };
  });
}
async function scaleDownAfterDelay(view, record, deps, signal) {
  const pending = record.scaleDown;
  if (!pending) return;
  const wait = Date.parse(pending.notBefore) - deps.clock.now();
  if (wait > 0) {
    deps.log.info(
      `keeping ${pending.color} up for ${Math.ceil(wait / 1e3)}s (scale-down delay), then scaling it to zero`
    );
    await deps.clock.sleep(wait, signal);
  }
  await scaleColor(view, pending.color, 0, deps);
  const fresh = (await deps.records.list()).find((entry) => entry.record.id === record.id);
  await changeRecord(deps.records, record.id, fresh, (current) => {
    if (!current?.scaleDown) return void 0;
    const { scaleDown: _done, ...rest } = current;
    return { ...rest, updatedAt: nowIso(deps.clock) };
  });
}
async function scaleColor(view, color, replicas, deps) {
  const desired = desiredReplicasOn(view, color);
  await forEachLimited(
    view.group.services.filter((service) => view.state.services[service.name]?.colors[color] !== void 0),
    (service) => deps.cluster.scaleDeployment(
      deploymentName(service.name, color),
      replicas === "desired" ? desired.get(service.name) ?? 1 : replicas
    )
  );
}
function colorTargets(view, color, releaseId, options) {
  const desired = options.replicas ?? desiredReplicasOn(view, color);
  return view.group.services.map((service) => ({
    service: service.name,
    deployment: deploymentName(service.name, color),
    color,
    releaseId,
    replicas: desired.get(service.name) ?? 0,
    endpointServices: [
      colorServiceName(service.name, color),
      ...options.includePreview ? [previewServiceName(service.name)] : []
    ]
  }));
}
function liveTargets(view, color, releaseId) {
  return colorTargets(view, color, releaseId, { includePreview: false }).map((target) => ({
    ...target,
    endpointServices: [liveServiceName(target.service)]
  }));
}
function catalogServices(view) {
  return view.group.services.flatMap((service) => {
    const found = view.catalog.services.get(service.name);
    return found ? [found] : [];
  });
}
var limitWrites = pLimit(WRITE_CONCURRENCY);
var limitSwitch = pLimit(SWITCH_CONCURRENCY);
async function forEachLimited(items, write) {
  const outcomes = await Promise.allSettled(items.map((item) => limitWrites(() => write(item))));
  const failed = outcomes.find((outcome) => outcome.status === "rejected");
  if (failed) throw failed.reason;
}
function messageOf(error) {
  return error instanceof Error ? error.message : String(error);
}

// src/engine/lock.ts
var POLL_MS = 1e3;
async function acquireNamespaceLock(input, deps) {
  const durationMs = input.durationMs ?? DEFAULT_LEASE_DURATION_MS;
  const deadline = deps.clock.now() + input.timeoutMs;
  let announced = "";
  for (; ; ) {
    const stored = await deps.leases.read();
    const now = deps.clock.now();
    const decision = decideLease(stored?.lease, input.holder, now);
    if (decision.action !== "wait") {
      const taken = await tryTake(stored, input.holder, durationMs, now, deps.leases);
      if (taken) {
        if (decision.action === "take-over") {
          deps.log.warn(
            `took over the lock of ${input.namespace} from ${decision.previousHolder}: its Lease expired (the run was killed or lost the API server)`
          );
        }
        return holdLock(taken, input.holder, durationMs, deps);
      }
      continue;
    }
    if (now >= deadline) {
      throw new EngineError(
        "lock-held",
        `namespace ${input.namespace} is locked by ${decision.holder} (Lease ${LOCK_LEASE_NAME}); waited ${Math.round(input.timeoutMs / 1e3)}s`,
        { detail: { holder: decision.holder } }
      );
    }
    if (announced !== decision.holder) {
      deps.log.info(`waiting for the lock of ${input.namespace}, held by ${decision.holder}`);
      announced = decision.holder;
    }
    await deps.clock.sleep(Math.min(POLL_MS, Math.max(0, deadline - now)));
  }
}
async function tryTake(stored, holder, durationMs, now, leases) {
  const lease = heldLease(holder, now, stored?.lease, durationMs);
  try {
    const written = stored ? await leases.update(stored, lease) : await leases.create(lease);
    return { stored: written, renewedAt: now };
  } catch (error) {
    if (error instanceof ConflictError) return void 0;
    throw error;
  }
}
function holdLock(taken, holder, durationMs, deps) {
  let stored = taken.stored;
  let renewedAt = taken.renewedAt;
  const lostController = new AbortController();
  const stopRenewing = new AbortController();
  const renewalSignal = AbortSignal.any([stopRenewing.signal, lostController.signal]);
  const lose = (why) => {
    if (lostController.signal.aborted) return;
    deps.log.warn(`lost the namespace lock: ${why}; stopping before any further write`);
    lostController.abort(new EngineError("lock-lost", `lost the namespace lock: ${why}`));
  };
  const renewals = (async () => {
    while (!renewalSignal.aborted) {
      try {
        await deps.clock.sleep(durationMs / RENEW_FRACTION, renewalSignal);
        const now = deps.clock.now();
        stored = await deps.leases.update(
          stored,
          heldLease(holder, now, stored.lease, durationMs),
          renewalSignal
        );
        renewedAt = now;
      } catch (error) {
        if (renewalSignal.aborted) return;
        if (error instanceof ConflictError) {
          const current = await deps.leases.read().catch(() => void 0);
          if (current && current.lease.holder !== holder) {
            lose(`the Lease now names ${current.lease.holder ?? "nobody"}`);
            return;
          }
          if (current) stored = current;
        }
      }
    }
  })();
  const watchdog = watchRenewals(() => renewedAt, durationMs, deps.clock, renewalSignal, lose);
  return {
    holder,
    lost: lostController.signal,
    ensureHeld() {
      if (lostController.signal.aborted) throw lostController.signal.reason;
      if (!holderMayWrite(renewedAt, durationMs, deps.clock.now())) {
        lose("renewals have been failing");
        throw lostController.signal.reason;
      }
    },
    async release() {
      stopRenewing.abort();
      await Promise.all([renewals, watchdog]);
      if (lostController.signal.aborted) return;
      await releaseLease(stored, holder, durationMs, deps);
    }
  };
}
async function releaseLease(stored, holder, durationMs, deps) {
  const deadline = AbortSignal.timeout(durationMs);
  let current = stored;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const { holder: _holder, ...released } = current.lease;
      await deps.leases.update(current, { ...released, renewedAt: deps.clock.now(), durationMs }, deadline);
      return;
    } catch (error) {
      if (!(error instanceof ConflictError)) {
        deps.log.warn(`could not release the namespace lock: ${String(error)}`);
        return;
      }
      const fresh = await deps.leases.read().catch(() => void 0);
      if (fresh?.lease.holder !== holder) return;
      current = fresh;
    }
  }
}
async function watchRenewals(renewedAt, durationMs, clock, signal, lose) {
  const marginMs = durationMs / RENEW_FRACTION;
  while (!signal.aborted) {
    const last = renewedAt();
    const left = last + durationMs - marginMs - clock.now();
    if (left <= 0 || !holderMayWrite(last, durationMs, clock.now())) {
      lose(`no renewal succeeded for ${Math.round((clock.now() - last) / 1e3)}s`);
      return;
    }
    try {
      await clock.sleep(left, signal);
    } catch {
      return;
    }
  }
}

// src/engine/recover.ts
async function recoverGroup(view, input, deps) {
  let current = view;
  const stored = [...view.records.values()];
  const pending = pendingSwitch(stored.map((entry) => entry.record));
  if (pending) {
    const entry = view.records.get(pending.id);
    if (entry) await recoverSwitch(current, entry, input, deps);
    current = await readGroupView(current, deps);
  }
  if (await finishDueScaleDowns(current, deps)) current = await readGroupView(current, deps);
  return current;
}
async function recoverSwitch(view, stored, input, deps) {
  const intent = stored.record.switch;
  if (!intent) return;
  const snapshot = await deps.cluster.readRolloutSnapshot();
  const verdict = judgeRollout(
    colorTargets(view, intent.to, stored.record.id, { includePreview: false }),
    snapshot
  );
  if (verdict.done) {
    deps.log.warn(
      `found an unfinished ${intent.operation} of release ${stored.record.id} to ${intent.to} (started ${intent.startedAt} by ${intent.by}); ${intent.to} is ready, so completing it`
    );
    await completeSwitch(view, stored, intent, input, deps);
    return;
  }
  deps.log.warn(
    `found an unfinished ${intent.operation} of release ${stored.record.id} to ${intent.to} (started ${intent.startedAt} by ${intent.by}); ${intent.to} is not ready, so putting every live Service back on ${intent.from ?? "no color"}`
  );
  await revertSwitch(
    view,
    stored,
    intent,
    new Error("the run was interrupted and its target color is not ready"),
    deps
  );
}
async function finishDueScaleDowns(view, deps) {
  const now = deps.clock.now();
  let changed = false;
  for (const entry of view.records.values()) {
    const pending = entry.record.scaleDown;
    if (!pending || Date.parse(pending.notBefore) > now) continue;
    if (pending.color !== view.liveColor) await scaleColor(view, pending.color, 0, deps);
    await changeRecord(deps.records, entry.record.id, entry, (record) => {
      if (!record?.scaleDown) return void 0;
      const { scaleDown: _done, ...rest } = record;
      return { ...rest, updatedAt: nowIso(deps.clock) };
    });
    changed = true;
  }
  return changed;
}

// src/engine/session.ts
function holderName(deps) {
  const who = deps.run.runUrl ?? deps.run.actor;
  return `${who} (pid ${process.pid}, ${Math.random().toString(36).slice(2, 8)})`;
}
async function withGroupLock(input, deps, body) {
  const lock = await acquireNamespaceLock(
    {
      holder: holderName(deps),
      timeoutMs: input.lockTimeoutMs,
      durationMs: input.leaseDurationMs,
      namespace: input.group.namespace
    },
    deps
  );
  const signal = AbortSignal.any([lock.lost, ...deps.signal ? [deps.signal] : []]);
  const guarded = {
    ...deps,
    cluster: guardCluster(deps.cluster, lock),
    records: guardRecords(deps.records, lock)
  };
  try {
    const reread = () => readGroupView(input, guarded);
    const found = await reread();
    const view = await recoverGroup(found, { ...input, signal }, guarded);
    return await body({ found, view, deps: guarded, lock, signal, reread });
  } finally {
    await lock.release();
  }
}
function heldSignal(lock) {
  lock.ensureHeld();
  return lock.lost;
}
function guardCluster(cluster, lock) {
  return {
    namespace: cluster.namespace,
    server: cluster.server,
    readGroupObjects: () => cluster.readGroupObjects(),
    readRolloutSnapshot: () => cluster.readRolloutSnapshot(),
    watchRollout: (signal) => cluster.watchRollout(signal),
    readEvents: (names) => cluster.readEvents(names),
    createNamespace: async () => cluster.createNamespace(heldSignal(lock)),
    applyDeployment: async (spec) => cluster.applyDeployment(spec, heldSignal(lock)),
    applyService: async (spec) => cluster.applyService(spec, heldSignal(lock)),
    selectServiceColor: async (name, color) => cluster.selectServiceColor(name, color, heldSignal(lock)),
    scaleDeployment: async (name, replicas) => cluster.scaleDeployment(name, replicas, heldSignal(lock)),
    deleteService: async (name) => cluster.deleteService(name, heldSignal(lock))
  };
}
function guardRecords(records, lock) {
  return {
    list: () => records.list(),
    create: async (record) => records.create(record, heldSignal(lock)),
    update: async (stored, record) => records.update(stored, record, heldSignal(lock)),
    delete: async (id) => records.delete(id, heldSignal(lock))
  };
}
function guardJobs(jobs, lock) {
  return {
    createJob: async (spec) => jobs.createJob(spec, heldSignal(lock)),
    watchJob: (name, signal) => jobs.watchJob(name, signal),
    readLog: (pod) => jobs.readLog(pod),
    deleteJob: async (name, timeoutMs) => jobs.deleteJob(name, timeoutMs, heldSignal(lock)),
    listJobs: () => jobs.listJobs()
  };
}
function nothingOnStandby(view) {
  return new EngineError(
    "nothing-on-standby",
    `group ${view.group.name} has no release on standby (${view.standbyColor}) in ${view.group.namespace}`
  );
}

export {
  digestsOf,
  newestFirst,
  pendingSwitch,
  previousLiveRelease,
  deployingRecord,
  judgeRollout,
  podProblem,
  pLimit,
  DEFAULT_LOCK_TIMEOUT_MS,
  nowIso,
  changeRecord,
  pruneHistory,
  groupStateOf,
  readGroupView,
  viewOf,
  liveReleaseId,
  standbyReleaseId,
  isScaledDown,
  waitForRollout,
  switchGroupLive,
  scaleDownAfterDelay,
  scaleColor,
  colorTargets,
  catalogServices,
  forEachLimited,
  withGroupLock,
  guardJobs,
  nothingOnStandby
};
