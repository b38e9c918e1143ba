import { createRequire as __greenlightRequire } from 'node:module';
const require = __greenlightRequire(import.meta.url);
import {
  applyReleaseToColor,
  recordedServicePlans
} from "./chunk-5JUTBUVV.js";
import {
  requireStandbyReady,
  standbyRelease
} from "./chunk-3XKL2OLV.js";
import {
  changeRecord,
  colorTargets,
  digestsOf,
  judgeRollout,
  liveReleaseId,
  nowIso,
  previousLiveRelease,
  scaleColor,
  scaleDownAfterDelay,
  standbyReleaseId,
  switchGroupLive,
  waitForRollout,
  withGroupLock
} from "./chunk-6NYT5PGP.js";
import {
  EngineError
} from "./chunk-P26RPQZC.js";

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
    const switched = await switchToStandby(view, "promote", target, live, input, session);
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
    const switched = await switchToStandby(
      fresh,
      "rollback",
      fresh.records.get(target.id) ?? stored,
      live,
      input,
      session
    );
    return {
      ...result("rolled-back", view, switched.record, view.standbyColor),
      liveColors: switched.liveColors
    };
  });
}
async function switchToStandby(view, operation, release, previousRelease, input, session) {
  const switched = await switchGroupLive(
    view,
    {
      operation,
      release,
      from: view.liveColor,
      to: view.standbyColor,
      previousRelease,
      scaleDownDelay: input.scaleDownDelay,
      timeoutMs: input.timeoutMs,
      signal: session.signal
    },
    session.deps
  );
  await scaleDownAfterDelay(await session.reread(), switched.record, session.deps, session.signal);
  return switched;
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
  await applyReleaseToColor(
    {
      ...input,
      releaseId: record.id,
      color,
      services: recordedServicePlans(record, view.group, input.catalog)
    },
    deps
  );
  const stored = (await deps.records.list()).find((entry) => entry.record.id === record.id);
  await changeRecord(
    deps.records,
    record.id,
    stored,
    (current) => current ? { ...current, color, updatedAt: nowIso(deps.clock) } : void 0
  );
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
  await requireStandbyReady(view, record, "", session.deps);
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
