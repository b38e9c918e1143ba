import { createRequire as __greenlightRequire } from 'node:module';
const require = __greenlightRequire(import.meta.url);
import {
  EngineError,
  changeRecord,
  colorTargets,
  deploymentSpecOf,
  digestsOf,
  forEachLimited,
  judgeRollout,
  liveReleaseId,
  nothingOnStandby,
  nowIso,
  previousLiveRelease,
  scaleColor,
  scaleDownAfterDelay,
  standbyReleaseId,
  supportServiceSpecs,
  switchGroupLive,
  waitForRollout,
  withGroupLock
} from "./chunk-JZ7UAZIR.js";

// src/core/gate.ts
function checkPromotionGate(input) {
  const refusals = [verificationRefusal(input.release), ...requiredGroupRefusals(input)].filter(
    (refusal) => refusal !== void 0
  );
  if (refusals.length === 0) return { allowed: true, forced: false, refusals };
  if (input.force) return { allowed: true, forced: true, refusals };
  return { allowed: false, refusals };
}
function verificationRefusal(release) {
  const verification = release.verification;
  if (!verification) {
    return {
      kind: "not-verified",
      reason: `release ${release.id} has not been tested (phase ${release.phase})`
    };
  }
  if (!verification.passed) {
    const failed = verification.failures + verification.errors;
    return {
      kind: "not-verified",
      reason: `release ${release.id} failed its tests (${failed} of ${verification.tests} failed)`
    };
  }
  const mismatched = mismatchedServices(digestsOf(release), verification.digests);
  if (mismatched.length > 0) {
    return {
      kind: "verification-mismatch",
      reason: `the passing tests of release ${release.id} ran against other digests for ${mismatched.join(", ")}`
    };
  }
  return void 0;
}
function mismatchedServices(wanted, tested) {
  const services = /* @__PURE__ */ new Set([...Object.keys(wanted), ...Object.keys(tested)]);
  return [...services].filter((service) => wanted[service] !== tested[service]).sort();
}
function requiredGroupRefusals(input) {
  const digests = digestsOf(input.release);
  return input.requireVerifiedIn.flatMap((required) => {
    const shared = required.services.filter((service) => digests[service] !== void 0);
    const unverified = shared.filter(
      (service) => !required.records.some((record) => passedWith(record, service, digests[service] ?? ""))
    );
    if (unverified.length === 0) return [];
    const list = unverified.map((service) => `${service}@${(digests[service] ?? "").slice(0, 19)}`).join(", ");
    return [
      {
        kind: "not-verified-in-group",
        reason: `promotion.requireVerifiedIn: ${list} has not passed in group ${required.group}`
      }
    ];
  });
}
function passedWith(record, service, digest) {
  const verification = record.verification;
  return verification?.passed === true && verification.digests[service] === digest;
}

// src/engine/promote.ts
async function promoteRelease(input, deps) {
  return withGroupLock(input, deps, async (session) => {
    const { view } = session;
    const live = liveReleaseId(view);
    if (input.releaseId && input.releaseId === live && view.strays.length === 0) {
      return result("already-live", view, view.records.get(live)?.record, view.liveColor);
    }
    const stored = standbyRelease(view, input.releaseId);
    await requireReady(view, stored.record, session);
    const required = await requiredGroupRecords(input.requireVerifiedIn, session.deps);
    const verdict = checkPromotionGate({
      release: stored.record,
      requireVerifiedIn: required,
      force: input.force
    });
    if (!verdict.allowed) {
      const [first] = verdict.refusals;
      throw new EngineError(
        first?.kind ?? "not-verified",
        verdict.refusals.map((refusal) => refusal.reason).join("; ")
      );
    }
    const target = verdict.forced ? await recordForced(
      stored,
      input,
      verdict.refusals.map((r) => r.reason),
      session
    ) : stored;
    const switched = await switchGroupLive(
      view,
      {
        operation: "promote",
        release: target,
        from: view.liveColor,
        to: view.standbyColor,
        previousRelease: live,
        scaleDownDelay: input.scaleDownDelay,
        timeoutMs: input.timeoutMs,
        signal: session.signal
      },
      session.deps
    );
    await scaleDownAfterDelay(await session.reread(), switched.record, session.deps, session.signal);
    return {
      ...result("promoted", view, switched.record, view.standbyColor),
      liveColors: switched.liveColors,
      forcedPast: verdict.forced ? verdict.refusals.map((refusal) => refusal.reason) : []
    };
  });
}
async function rejectRelease(input, deps) {
  return withGroupLock(input, deps, async (session) => {
    const { view } = session;
    const onStandby = standbyReleaseId(view);
    if (!onStandby || onStandby === liveReleaseId(view))
      return result("nothing-to-reject", view, void 0, view.liveColor);
    const stored = standbyRelease(view, input.releaseId);
    await scaleColor(view, view.standbyColor, 0, session.deps);
    const rejected = await changeRecord(
      session.deps.records,
      stored.record.id,
      stored,
      (record) => record && record.phase !== "promoted" ? {
        ...record,
        phase: "rejected",
        rejectedAt: nowIso(session.deps.clock),
        updatedAt: nowIso(session.deps.clock)
      } : void 0
    );
    session.deps.log.info(
      `rejected release ${stored.record.id}: ${view.standbyColor} scaled to zero, live untouched`
    );
    return result("rejected", view, rejected?.record, view.liveColor);
  });
}
async function rollbackRelease(input, deps) {
  return withGroupLock(input, deps, async (session) => {
    const { view } = session;
    const live = liveReleaseId(view);
    const currentRecord = live ? view.records.get(live)?.record : void 0;
    const target = previousLiveRelease(
      [...view.records.values()].map((entry) => entry.record),
      currentRecord
    );
    const stored = target ? view.records.get(target.id) : void 0;
    if (!target || !stored) {
      throw new EngineError(
        "no-previous-release",
        `group ${view.group.name} has no earlier promoted release to roll back to`
      );
    }
    await bringUpOnStandby(view, stored, input, session);
    const fresh = await session.reread();
    const switched = await switchGroupLive(
      fresh,
      {
        operation: "rollback",
        release: fresh.records.get(target.id) ?? stored,
        from: view.liveColor,
        to: view.standbyColor,
        previousRelease: live,
        scaleDownDelay: input.scaleDownDelay,
        timeoutMs: input.timeoutMs,
        signal: session.signal
      },
      session.deps
    );
    await scaleDownAfterDelay(await session.reread(), switched.record, session.deps, session.signal);
    return {
      ...result("rolled-back", view, switched.record, view.standbyColor),
      liveColors: switched.liveColors
    };
  });
}
async function bringUpOnStandby(view, stored, input, session) {
  const color = view.standbyColor;
  const { deps } = session;
  const targets = colorTargets(view, color, stored.record.id, { includePreview: false });
  if (view.releaseOn[color] === stored.record.id) {
    if (judgeRollout(targets, await deps.cluster.readRolloutSnapshot()).done) {
      deps.log.info(`release ${stored.record.id} is still warm on ${color}: switching back at once`);
      return;
    }
    deps.log.info(`release ${stored.record.id} is on ${color} but scaled down: scaling it up`);
    await scaleColor(view, color, "desired", deps);
  } else {
    deps.log.info(`release ${stored.record.id} is gone from ${color}: deploying its digests there first`);
    await redeploy(view, stored.record, color, input, deps);
  }
  await waitForRollout(
    {
      targets: colorTargets(await session.reread(), color, stored.record.id, { includePreview: false }),
      timeoutMs: input.timeoutMs,
      what: `release ${stored.record.id} on ${color}`,
      signal: session.signal
    },
    deps
  );
}
async function redeploy(view, record, color, input, deps) {
  const ports = new Map([...input.catalog.services.values()].map((service) => [service.name, service.port]));
  const context = {
    group: view.group.name,
    namespace: view.group.namespace,
    releaseId: record.id,
    color,
    runUrl: deps.run.runUrl,
    progressDeadlineSeconds: Math.max(60, Math.ceil(input.timeoutMs / 1e3))
  };
  const services = record.services.flatMap((service) => {
    const catalogService = input.catalog.services.get(service.service);
    return catalogService ? [{ service, catalogService }] : [];
  });
  await forEachLimited(
    services.flatMap(({ catalogService }) => supportServiceSpecs(catalogService, view.group.name, color)),
    (spec) => deps.cluster.applyService(spec)
  );
  const replicas = new Map(view.group.services.map((service) => [service.name, service.replicas]));
  await forEachLimited(
    services,
    ({ service, catalogService }) => deps.cluster.applyDeployment(
      deploymentSpecOf(
        {
          service: service.service,
          action: "deploy",
          selector: service.branch ? { kind: "branch", branch: service.branch } : { kind: "digest", digest: service.digest },
          source: "group",
          repository: service.repository,
          digest: service.digest,
          image: service.image,
          ...service.commit ? { commit: service.commit } : {},
          replicas: replicas.get(service.service) ?? catalogService.replicas
        },
        catalogService,
        ports,
        context
      )
    )
  );
  const stored = (await deps.records.list()).find((entry) => entry.record.id === record.id);
  await changeRecord(
    deps.records,
    record.id,
    stored,
    (current) => current ? { ...current, color, updatedAt: nowIso(deps.clock) } : void 0
  );
}
function standbyRelease(view, named) {
  const onStandby = standbyReleaseId(view);
  if (!onStandby) throw nothingOnStandby(view);
  if (named && named !== onStandby) {
    throw new EngineError(
      "release-not-on-standby",
      `release ${named} is not on standby: ${view.standbyColor} runs release ${onStandby}`
    );
  }
  const stored = view.records.get(onStandby);
  if (!stored) {
    throw new EngineError(
      "nothing-on-standby",
      `standby (${view.standbyColor}) runs release ${onStandby}, which has no release record`
    );
  }
  return stored;
}
async function requireReady(view, record, session) {
  const wanted = digestsOf(record);
  const drifted = view.group.services.map((service) => service.name).filter((service) => view.state.services[service]?.colors[view.standbyColor]?.digest !== wanted[service]);
  if (drifted.length > 0) {
    throw new EngineError(
      "release-not-on-standby",
      `standby (${view.standbyColor}) does not run the digests of release ${record.id} for ${drifted.join(", ")}`
    );
  }
  const verdict = judgeRollout(
    colorTargets(view, view.standbyColor, record.id, { includePreview: false }),
    await session.deps.cluster.readRolloutSnapshot()
  );
  if (!verdict.done) {
    const why = [...verdict.failed, ...verdict.waiting].map((entry) => `${entry.service}: ${entry.reason}`);
    throw new EngineError(
      "standby-not-ready",
      `standby (${view.standbyColor}) is not ready: ${why.join("; ")}`
    );
  }
}
async function requiredGroupRecords(required, deps) {
  return Promise.all(
    required.map(async (group) => ({
      group: group.group,
      services: group.services,
      records: (await deps.recordsOf(group.namespace).list()).map((entry) => entry.record)
    }))
  );
}
async function recordForced(stored, input, overridden, session) {
  const { deps } = session;
  const reason = input.force?.reason ?? "";
  deps.log.warn(`promoting release ${stored.record.id} by force (${reason}), past: ${overridden.join("; ")}`);
  const forced = await changeRecord(
    deps.records,
    stored.record.id,
    stored,
    (record) => record ? {
      ...record,
      forced: { reason, actor: deps.run.actor, at: nowIso(deps.clock) },
      updatedAt: nowIso(deps.clock)
    } : void 0
  );
  return forced ?? stored;
}
function result(outcome, view, record, liveColor) {
  return {
    outcome,
    releaseId: record?.id,
    liveColor,
    liveColors: Object.fromEntries(
      Object.values(view.state.services).flatMap(
        (service) => liveColor ? [[service.service, liveColor]] : service.liveColor ? [[service.service, service.liveColor]] : []
      )
    ),
    record,
    forcedPast: []
  };
}

export {
  promoteRelease,
  rejectRelease,
  rollbackRelease
};
