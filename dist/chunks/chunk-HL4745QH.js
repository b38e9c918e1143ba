import { createRequire as __greenlightRequire } from 'node:module';
const require = __greenlightRequire(import.meta.url);
import {
  applyReleaseToColor
} from "./chunk-26FLLUUD.js";
import {
  changeRecord,
  colorTargets,
  deployingRecord,
  groupStateOf,
  judgeRollout,
  liveReleaseId,
  nowIso,
  pLimit,
  podProblem,
  pruneHistory,
  scaleColor,
  standbyReleaseId,
  viewOf,
  waitForRollout,
  withGroupLock
} from "./chunk-M7YEDHSS.js";
import {
  inClusterUrl
} from "./chunk-A7DPAKFH.js";
import {
  describeSelector,
  nearest
} from "./chunk-OGDFHWAX.js";
import {
  RegistryError
} from "./chunk-XHBTLDLT.js";
import {
  LAST_GOOD_TAG_PREFIX,
  deploymentName,
  lastGoodTag,
  otherColor,
  previewServiceName
} from "./chunk-R6Y2HZ7J.js";
import {
  EngineError,
  GreenlightError
} from "./chunk-L2HEXJUQ.js";

// src/core/plan.ts
import { createHash } from "node:crypto";
var RELEASE_ID_LENGTH = 16;
function releaseIdOf(digests) {
  const lines = Object.entries(digests).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0).map(([service, digest]) => `${service}=${digest}
`);
  return createHash("sha256").update(lines.join("")).digest("hex").slice(0, RELEASE_ID_LENGTH);
}
function planRelease(input) {
  const { group, state } = input;
  const resolvedByService = new Map(input.resolved.map((image) => [image.service, image]));
  const { liveColor, warnings } = groupLiveColor(state);
  const services = group.services.map((service) => {
    const resolved = resolvedByService.get(service.name);
    if (!resolved) throw new Error(`planRelease: no resolved image for ${service.name}`);
    return planService(service, resolved, input.catalog, state.services[service.name]);
  });
  return {
    group: group.name,
    namespace: group.namespace,
    namespaceExists: state.namespaceExists,
    releaseId: releaseIdOf(Object.fromEntries(services.map((service) => [service.service, service.digest]))),
    ...liveColor ? { liveColor } : {},
    standbyColor: liveColor ? otherColor(liveColor) : "blue",
    services,
    warnings
  };
}
function groupLiveColor(state) {
  const live = Object.values(state.services).flatMap((service) => service.liveColor ? [service] : []);
  if (live.length === 0) return { warnings: [] };
  const count = (color) => live.filter((service) => service.liveColor === color).length;
  const liveColor = count("green") > count("blue") ? "green" : "blue";
  const strays = live.filter((service) => service.liveColor !== liveColor);
  if (strays.length === 0) return { liveColor, warnings: [] };
  const list = live.map((service) => `${service.service} ${service.liveColor}`).join(", ");
  return {
    liveColor,
    warnings: [`live colors disagree (${list}); the deploy puts every service on ${otherColor(liveColor)}`]
  };
}
function planService(service, resolved, catalog, state) {
  const live = liveImageOf(state);
  const action = live === void 0 ? "first-deploy" : live.digest === resolved.digest ? "unchanged" : "deploy";
  return {
    service: service.name,
    action,
    selector: service.image,
    source: service.source,
    repository: resolved.repository,
    ...resolved.tag === void 0 ? {} : { tag: resolved.tag },
    digest: resolved.digest,
    image: resolved.image,
    ...resolved.commit === void 0 ? {} : { commit: resolved.commit },
    replicas: service.replicas ?? catalog.services.get(service.name)?.replicas ?? 1,
    ...live ? { live } : {}
  };
}
function liveImageOf(state) {
  if (!state?.liveColor) return void 0;
  const color = state.colors[state.liveColor];
  return {
    color: state.liveColor,
    ...color?.digest === void 0 ? {} : { digest: color.digest },
    ...color?.branch === void 0 ? {} : { branch: color.branch },
    ...color?.commit === void 0 ? {} : { commit: color.commit }
  };
}

// src/core/resolve.ts
var ResolveError = class extends GreenlightError {
  name = "ResolveError";
  failures;
  constructor(failures, hint, allMissing) {
    super(failures.join("\n"), { hint, kind: allMissing ? "image-not-found" : "registry-error" });
    this.failures = failures;
  }
};
var NEARBY_TAGS = 3;
var REGISTRY_CONCURRENCY = 16;
async function resolveReleaseDigests(group, catalog, source) {
  const limit = pLimit(REGISTRY_CONCURRENCY);
  const outcomes = await Promise.all(
    group.services.map(
      (service) => limit(async () => {
        const repository = catalog.services.get(service.name)?.repository ?? service.name;
        try {
          return await resolveImage(source, service.name, repository, service.image);
        } catch (error) {
          if (error instanceof RegistryError)
            return { failure: explainFailure(error, service.name, repository, source, service.image) };
          throw error;
        }
      })
    )
  );
  const failures = outcomes.flatMap((outcome) => "failure" in outcome ? [outcome.failure] : []);
  if (failures.length > 0) {
    const hints = failures.map((failure) => failure.hint).filter((hint) => hint !== void 0);
    throw new ResolveError(
      failures.map((failure) => failure.message),
      [...new Set(hints)].join("; ") || void 0,
      failures.every((failure) => failure.missing)
    );
  }
  return outcomes.filter((outcome) => !("failure" in outcome));
}
var MissingImage = class extends RegistryError {
  lookedFor;
  nearby;
  constructor(lookedFor, nearby) {
    super("image-not-found", `${lookedFor} not found`);
    this.lookedFor = lookedFor;
    this.nearby = nearby;
  }
};
async function resolveImage(source, service, repository, selector) {
  const tag = tagOf(selector);
  const reference = tag ?? (selector.kind === "digest" ? selector.digest : "");
  const found = await source.lookup(repository, reference);
  if (!found) {
    const tags = await source.listTags(repository);
    const candidates = selector.kind === "branch" ? tags.filter((t) => t.startsWith(LAST_GOOD_TAG_PREFIX)) : tags;
    throw new MissingImage(reference, nearest(reference, candidates, NEARBY_TAGS));
  }
  return {
    service,
    repository,
    selector,
    ...tag === void 0 ? {} : { tag },
    digest: found.digest,
    image: `${found.host}/${repository}@${found.digest}`,
    ...found.commit === void 0 ? {} : { commit: found.commit }
  };
}
function tagOf(selector) {
  if (selector.kind === "branch") return lastGoodTag(selector.branch);
  return selector.kind === "tag" ? selector.tag : void 0;
}
function explainFailure(error, service, repository, source, selector) {
  const where = `repository ${repository} in ${source.description}`;
  const subject = `${service} (${describeSelector(selector)})`;
  if (error instanceof MissingImage) {
    const what = error.lookedFor.startsWith("sha256:") ? `digest ${error.lookedFor}` : `tag ${error.lookedFor}`;
    const nearby = error.nearby.length ? `; nearest tags: ${error.nearby.join(", ")}` : "; the repository has no matching tags at all";
    return {
      message: `${subject}: ${what} not found in ${where}${nearby}`,
      missing: true,
      hint: "a branch's tag exists once a build of it succeeded (build-push-ecr); check the branch name or build it"
    };
  }
  switch (error.registryKind) {
    case "repository-not-found":
      return {
        message: `${subject}: ${where} does not exist`,
        missing: false,
        hint: "create the repository (terraform/ecr.tf) or fix `repository` in groups/services.yaml"
      };
    case "access-denied":
      return {
        message: `${subject}: access denied to ${where}: ${error.message}`,
        missing: false,
        ...error.hint ? { hint: error.hint } : {}
      };
    default:
      return { message: `${subject}: could not resolve from ${where}: ${error.message}`, missing: false };
  }
}

// src/engine/plan.ts
async function planGroup(input, deps) {
  const { catalog, group } = input;
  const [resolved, objects] = await Promise.allSettled([
    resolveReleaseDigests(group, catalog, deps.images),
    deps.cluster.readGroupObjects()
  ]);
  if (resolved.status === "rejected") throw resolved.reason;
  if (objects.status === "rejected") throw objects.reason;
  return {
    plan: replan(input, resolved.value, objects.value),
    resolved: resolved.value,
    objects: objects.value
  };
}
function replan(input, resolved, objects) {
  const names = input.group.services.map((service) => service.name);
  return planRelease({
    catalog: input.catalog,
    group: input.group,
    resolved,
    state: groupStateOf(input.group.namespace, names, objects)
  });
}

// src/engine/deploy.ts
async function deployGroup(input, deps) {
  const planned = await planGroup(input, deps);
  const before = noOpOutcome(planned.plan, viewOf(input.group, input.catalog, planned.objects, /* @__PURE__ */ new Map()));
  if (before === "already-live") return finished(planned.plan, before, void 0);
  if (before === "already-on-standby") {
    const record = (await deps.records.list()).find((entry) => entry.record.id === planned.plan.releaseId);
    if (isSettled(record) && await standbyIsReady(planned.plan, input, deps))
      return finished(planned.plan, before, record?.record);
  }
  await ensureNamespace(planned.plan, deps);
  return withGroupLock(input, deps, async (session) => {
    const plan = replan(input, planned.resolved, session.view.objects);
    const outcome = noOpOutcome(plan, session.view);
    if (outcome === "already-live") return finished(plan, outcome, void 0);
    const existing = session.view.records.get(plan.releaseId);
    if (outcome === "already-on-standby" && isSettled(existing) && await standbyIsReady(plan, input, session.deps)) {
      return finished(plan, outcome, existing?.record);
    }
    return rollOutStandby(plan, existing, input, session);
  });
}
function isSettled(stored) {
  return stored !== void 0 && stored.record.phase !== "deploying";
}
function finished(plan, outcome, record) {
  return { outcome, plan, releaseId: plan.releaseId, standbyColor: plan.standbyColor, record };
}
function noOpOutcome(plan, view) {
  if (plan.liveColor && liveReleaseId(view) === plan.releaseId && view.strays.length === 0)
    return "already-live";
  if (view.releaseOn[plan.standbyColor] === plan.releaseId) return "already-on-standby";
  return void 0;
}
async function standbyIsReady(plan, input, deps) {
  const snapshot = await deps.cluster.readRolloutSnapshot();
  const view = viewOf(input.group, input.catalog, await deps.cluster.readGroupObjects(), /* @__PURE__ */ new Map());
  const replicas = new Map(plan.services.map((service) => [service.service, service.replicas]));
  return judgeRollout(
    colorTargets(view, plan.standbyColor, plan.releaseId, { includePreview: true, replicas }),
    snapshot
  ).done;
}
async function rollOutStandby(plan, existing, input, session) {
  const { deps, view } = session;
  await waitForScaleDownDelay(view, plan.standbyColor, deps, session.signal);
  await supersedeStandby(view, plan, deps);
  let stored = await changeRecord(
    deps.records,
    plan.releaseId,
    existing,
    (current) => deployingRecord(current, releaseFields(plan, deps), nowIso(deps.clock))
  );
  await applyReleaseToColor(
    {
      ...input,
      releaseId: plan.releaseId,
      color: plan.standbyColor,
      services: plan.services,
      existingServices: view.objects.services
    },
    deps
  );
  try {
    await waitForRollout(
      {
        targets: colorTargets(session.view, plan.standbyColor, plan.releaseId, {
          includePreview: true,
          replicas: new Map(plan.services.map((service) => [service.service, service.replicas]))
        }),
        timeoutMs: input.timeoutMs,
        what: `the standby (${plan.standbyColor})`,
        signal: session.signal
      },
      deps
    );
  } catch (error) {
    throw await failStandby(plan, stored, error, input, session);
  }
  stored = await changeRecord(
    deps.records,
    plan.releaseId,
    stored,
    (current) => current ? { ...current, phase: "ready", readyAt: nowIso(deps.clock), updatedAt: nowIso(deps.clock) } : void 0
  );
  await pruneAfterDeploy(session, plan.releaseId);
  return finished(plan, "deployed", stored?.record);
}
async function ensureNamespace(plan, deps) {
  if (plan.namespaceExists !== false) return;
  try {
    await deps.cluster.createNamespace();
    deps.log.info(`created namespace ${plan.namespace}`);
  } catch (error) {
    throw new EngineError(
      "namespace-missing",
      `namespace ${plan.namespace} does not exist and could not be created: ${messageOf(error)}`,
      {
        cause: error
      }
    );
  }
}
async function waitForScaleDownDelay(view, color, deps, signal) {
  for (const entry of view.records.values()) {
    const pending = entry.record.scaleDown;
    if (pending?.color !== color) continue;
    const wait = Date.parse(pending.notBefore) - deps.clock.now();
    if (wait > 0) {
      deps.log.info(
        `${color} is still draining after the last switch; waiting ${Math.ceil(wait / 1e3)}s before deploying to it`
      );
      await deps.clock.sleep(wait, signal);
    }
    await changeRecord(deps.records, entry.record.id, entry, (record) => {
      if (!record?.scaleDown) return void 0;
      const { scaleDown: _replaced, ...rest } = record;
      return { ...rest, updatedAt: nowIso(deps.clock) };
    });
  }
}
async function supersedeStandby(view, plan, deps) {
  const previous = standbyReleaseId(view);
  if (!previous || previous === plan.releaseId) return;
  const entry = view.records.get(previous);
  if (!entry || !["deploying", "ready", "verified", "failed"].includes(entry.record.phase)) return;
  await changeRecord(
    deps.records,
    previous,
    entry,
    (record) => record ? {
      ...record,
      phase: "rejected",
      rejectedAt: nowIso(deps.clock),
      supersededBy: plan.releaseId,
      updatedAt: nowIso(deps.clock)
    } : void 0
  );
}
function releaseFields(plan, deps) {
  return {
    id: plan.releaseId,
    group: plan.group,
    namespace: plan.namespace,
    color: plan.standbyColor,
    services: plan.services.map((service) => ({
      service: service.service,
      digest: service.digest,
      image: service.image,
      repository: service.repository,
      ...service.selector.kind === "branch" ? { branch: service.selector.branch } : {},
      ...service.tag === void 0 ? {} : { tag: service.tag },
      ...service.commit === void 0 ? {} : { commit: service.commit }
    })),
    actor: deps.run.actor,
    ...deps.run.runUrl ? { runUrl: deps.run.runUrl } : {}
  };
}
async function failStandby(plan, stored, error, input, session) {
  const { deps } = session;
  if (!(error instanceof EngineError) || error.kind === "lock-lost") return error;
  const explained = await explainFailure2(plan, error, deps).catch(() => error);
  if (!input.keepFailed) {
    await scaleColor(await session.reread(), plan.standbyColor, 0, deps).catch(
      (scaleError) => deps.log.warn(`could not scale the failed standby to zero: ${messageOf(scaleError)}`)
    );
  }
  await changeRecord(
    deps.records,
    plan.releaseId,
    stored,
    (record) => record ? {
      ...record,
      phase: "failed",
      failure: { kind: explained.kind, message: explained.message, at: nowIso(deps.clock) },
      updatedAt: nowIso(deps.clock)
    } : void 0
  ).catch((recordError) => deps.log.warn(`could not record the failure: ${messageOf(recordError)}`));
  return explained;
}
async function explainFailure2(plan, error, deps) {
  const snapshot = await deps.cluster.readRolloutSnapshot();
  const failing = snapshot.pods.filter(
    (pod) => pod.color === plan.standbyColor && pod.releaseId === plan.releaseId && podProblem(pod).length > 0
  );
  const names = [
    .../* @__PURE__ */ new Set([
      ...failing.map((pod) => pod.name),
      ...plan.services.map((s) => deploymentName(s.service, plan.standbyColor))
    ])
  ];
  const events = (await deps.cluster.readEvents(names)).filter((event) => event.type === "Warning").slice(0, 8);
  const eventLines = events.map(
    (event) => `${event.object}: ${event.reason}: ${event.message}${event.count > 1 ? ` (x${event.count})` : ""}`
  );
  const message = eventLines.length > 0 ? `${error.message}
recent events:
  ${eventLines.join("\n  ")}` : error.message;
  return new EngineError(error.kind, message, {
    cause: error,
    detail: { ...error.detail, events: eventLines }
  });
}
async function pruneAfterDeploy(session, releaseId) {
  const view = await session.reread();
  const live = liveReleaseId(view);
  const keep = /* @__PURE__ */ new Set([releaseId, ...live ? [live] : []]);
  const records = [...view.records.values()].map((entry) => entry.record);
  const rollbackTarget = records.filter((record) => record.phase === "promoted" && record.id !== live).sort((a, b) => (b.promotedAt ?? "").localeCompare(a.promotedAt ?? ""))[0];
  if (rollbackTarget) keep.add(rollbackTarget.id);
  const pruned = await pruneHistory(session.deps.records, records, keep);
  if (pruned.length > 0) session.deps.log.info(`pruned ${pruned.length} old release record(s)`);
}
function messageOf(error) {
  return error instanceof Error ? error.message : String(error);
}

// src/engine/outputs.ts
function previewUrls(validated, namespace) {
  return Object.fromEntries(
    validated.group.services.map((service) => {
      const port = validated.catalog.services.get(service.name)?.port ?? 80;
      return [service.name, inClusterUrl(previewServiceName(service.name), namespace, port)];
    })
  );
}
function liveColorsOfPlan(plan) {
  return Object.fromEntries(
    plan.services.flatMap((service) => service.live ? [[service.service, service.live.color]] : [])
  );
}

export {
  planGroup,
  deployGroup,
  previewUrls,
  liveColorsOfPlan
};
