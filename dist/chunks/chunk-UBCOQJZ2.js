import { createRequire as __greenlightRequire } from 'node:module';
const require = __greenlightRequire(import.meta.url);
import {
  applyReleaseToColor,
  lastProbeReport,
  measuredProbe,
  probeDurationMs,
  probeJobName,
  probeJobSpec,
  probeTargets,
  recordedServicePlans,
  unmeasuredProbe
} from "./chunk-26FLLUUD.js";
import {
  requireStandbyReady,
  resolveImageReference,
  standbyRelease
} from "./chunk-I2BOCA7Y.js";
import {
  catalogServices,
  changeRecord,
  colorTargets,
  digestsOf,
  judgeRollout,
  liveReleaseId,
  nowIso,
  pendingSwitch,
  previousLiveRelease,
  scaleColor,
  scaleDownAfterDelay,
  standbyReleaseId,
  switchGroupLive,
  waitForRollout,
  withGroupLock
} from "./chunk-M7YEDHSS.js";
import {
  MIN_TERMINATION_GRACE_SECONDS
} from "./chunk-A7DPAKFH.js";
import {
  EngineError,
  InputError
} from "./chunk-L2HEXJUQ.js";

// src/engine/probe.ts
var PROBE_TIMING = { leadMs: 3e3, tailMs: 2e3, startTimeoutMs: 12e4, pollMs: 500 };
var START_FAILURES = ["ImagePullBackOff", "ErrImagePull", "InvalidImageName", "CreateContainerConfigError"];
var UNREADABLE_LOGS_TOLERATED = 3;
var DELETE_TIMEOUT_MS = 6e4;
var TAIL_LINES = 5;
async function resolveSwitchProbe(group, images) {
  const probe = group.promotion.probe;
  if (!probe) {
    throw new InputError(
      `${group.file}: promotion.probe is not set, so there is no probe image to run for --probe / probe: true`,
      {
        hint: "build sample-apps/switch-probe into your registry (build-push-ecr) and set promotion.probe.image, e.g. switch-probe:branch-master"
      }
    );
  }
  return {
    image: await resolveImageReference(probe.image, `${group.file} promotion.probe.image`, images),
    rate: probe.rate
  };
}
async function startSwitchProbe(view, window, input, deps, signal) {
  const timing = { ...PROBE_TIMING, ...input.timing };
  const base = {
    operation: window.operation,
    to: window.to,
    rate: input.rate,
    startedAt: nowIso(deps.clock)
  };
  const withFrom = window.from ? { ...base, from: window.from } : base;
  const notMeasured = (note) => ({
    finish: async () => unmeasuredProbe({ ...withFrom, endedAt: nowIso(deps.clock) }, note),
    abandon: async () => {
    }
  });
  if (!window.from)
    return notMeasured("nothing was live before this switch, so there was no traffic to measure");
  const name = probeJobName(window.releaseId, deps.clock.now());
  const created = await createProbeJob(name, view, window, input, deps);
  const started = created ?? await awaitLeadIn(name, timing, deps, signal).catch(async (error) => {
    await deleteQuietly(name, deps);
    throw error;
  });
  if ("problem" in started) {
    deps.log.warn(`switch probe ${name} measures nothing: ${started.problem}; the switch goes on`);
    await deleteQuietly(name, deps);
    return notMeasured(started.problem);
  }
  const finishing = { name, pod: started.pod, view, oldColor: window.from, timing, withFrom };
  return {
    finish: () => finishProbe({ ...finishing, scalesDown: window.scaleDownDelay !== "keep" }, deps),
    abandon: () => deleteQuietly(name, deps)
  };
}
async function createProbeJob(name, view, window, input, deps) {
  const services = catalogServices(view);
  const delay = window.scaleDownDelay === "keep" ? void 0 : window.scaleDownDelay;
  try {
    await deps.probes.createProbe(
      probeJobSpec({
        name,
        group: view.group.name,
        releaseId: window.releaseId,
        image: input.image,
        targets: probeTargets(services, view.group.namespace),
        rate: input.rate,
        durationMs: probeDurationMs(window.timeoutMs, delay)
      })
    );
  } catch (error) {
    return {
      problem: `its Job could not be created: ${error instanceof Error ? error.message : String(error)}`
    };
  }
  deps.log.info(`switch probe ${name}: ${input.rate}/s to each of ${services.map((s) => s.name).join(", ")}`);
  return void 0;
}
async function finishProbe(probe, deps) {
  const problems = [];
  const attempt = (step) => step().catch((error) => {
    problems.push(error instanceof Error ? error.message : String(error));
    return void 0;
  });
  const gone = probe.scalesDown ? await attempt(() => awaitColorGone(probe.view, probe.oldColor, probe.timing, deps)) : void 0;
  await deps.clock.sleep(probe.timing.tailMs);
  const last = await attempt(() => readReport(probe.name, probe.pod, deps));
  await deleteQuietly(probe.name, deps);
  const ended = { ...probe.withFrom, endedAt: nowIso(deps.clock) };
  if (!last) {
    return unmeasuredProbe(
      ended,
      problems.join("; ") || `the probe's log held no report at the end (${probe.pod})`
    );
  }
  const record = measuredProbe({ ...ended, until: gone === true ? "old-color-gone" : "switched" }, last);
  const notes = [
    ...problems,
    ...gone === false ? [`${probe.oldColor}'s pods were still there when the probe stopped`] : [],
    ...last.done ? ["the probe stopped by itself before the end of the window"] : []
  ];
  return notes.length > 0 ? { ...record, note: notes.join("; ") } : record;
}
async function awaitLeadIn(name, timing, deps, signal) {
  const deadline = deps.clock.now() + timing.startTimeoutMs;
  let unreadable = 0;
  for (; ; ) {
    const [pod] = await deps.probes.probePods(name);
    const container = pod?.containers[0];
    const waiting = container?.waiting?.reason;
    if (pod && waiting && START_FAILURES.includes(waiting)) {
      return {
        problem: `its pod cannot start: ${waiting}${container?.waiting?.message ? ` (${container.waiting.message})` : ""}`
      };
    }
    if (pod && (pod.phase === "Running" || pod.phase === "Succeeded" || pod.phase === "Failed")) {
      const log = await deps.probes.readLog(pod.name, TAIL_LINES);
      if ("unavailable" in log) {
        unreadable += 1;
        if (unreadable >= UNREADABLE_LOGS_TOLERATED) {
          return {
            problem: `the cluster serves no log of its pod ${pod.name} (${firstLine(log.unavailable)})`
          };
        }
      } else {
        unreadable = 0;
        const report = lastProbeReport(log.log);
        if (report?.error) return { problem: `it refused its settings: ${report.error}` };
        if (report && report.elapsedMs >= timing.leadMs && !report.done) return { pod: pod.name };
        if (pod.phase !== "Running") return { problem: `its pod ended (${pod.phase}) before the switch` };
      }
    }
    if (deps.clock.now() >= deadline) {
      return { problem: `it did not report within ${Math.round(timing.startTimeoutMs / 1e3)}s` };
    }
    await deps.clock.sleep(timing.pollMs, signal);
  }
}
async function awaitColorGone(view, color, timing, deps) {
  const services = new Set(view.group.services.map((service) => service.name));
  const longestStop = Math.max(0, ...catalogServices(view).map((service) => service.preStopSleepSeconds));
  const deadline = deps.clock.now() + (MIN_TERMINATION_GRACE_SECONDS + longestStop) * 1e3 + 15e3;
  for (; ; ) {
    const { pods } = await deps.cluster.readRolloutSnapshot();
    const left = pods.filter(
      (pod) => pod.color === color && pod.service !== void 0 && services.has(pod.service)
    );
    if (left.length === 0) return true;
    if (deps.clock.now() >= deadline) return false;
    await deps.clock.sleep(timing.pollMs);
  }
}
async function readReport(name, pod, deps) {
  const log = await deps.probes.readLog(pod, TAIL_LINES);
  if ("unavailable" in log) {
    deps.log.warn(`switch probe ${name}: could not read its log at the end: ${firstLine(log.unavailable)}`);
    return void 0;
  }
  return lastProbeReport(log.log);
}
async function deleteQuietly(name, deps) {
  try {
    await deps.probes.deleteProbe(name, DELETE_TIMEOUT_MS);
  } catch (error) {
    deps.log.warn(
      `could not delete the switch probe Job ${name}: ${error instanceof Error ? error.message : String(error)}`
    );
  }
}
function firstLine(text) {
  return text.split("\n")[0] ?? text;
}

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
    const finished = finishedByRecovery(session, "promote");
    if (finished && (input.releaseId ?? finished) === finished)
      return finishRecoveredSwitch("promoted", finished, session);
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
    const window = {
      operation: "promote",
      releaseId: target.record.id,
      from: view.liveColor,
      to: view.standbyColor,
      timeoutMs: input.timeoutMs,
      scaleDownDelay: input.scaleDownDelay
    };
    const measured = await measureSwitch(
      view,
      window,
      input,
      deps,
      session,
      () => switchToStandby(view, "promote", target, live, input, session)
    );
    return {
      ...result("promoted", view, measured.record, view.standbyColor),
      liveColors: measured.liveColors,
      forcedPast: verdict.forced ? verdict.refusals.map((refusal) => refusal.reason) : [],
      ...measured.probe ? { probe: measured.probe } : {}
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
    const finished = finishedByRecovery(session, "rollback");
    if (finished) return finishRecoveredSwitch("rolled-back", finished, session);
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
    const window = {
      operation: "rollback",
      releaseId: target.id,
      from: view.liveColor,
      to: view.standbyColor,
      timeoutMs: input.timeoutMs,
      scaleDownDelay: input.scaleDownDelay
    };
    const measured = await measureSwitch(
      fresh,
      window,
      input,
      deps,
      session,
      () => switchToStandby(fresh, "rollback", fresh.records.get(target.id) ?? stored, live, input, session)
    );
    return {
      ...result("rolled-back", view, measured.record, view.standbyColor),
      liveColors: measured.liveColors,
      ...measured.probe ? { probe: measured.probe } : {}
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
async function measureSwitch(view, window, input, deps, session, switchLive) {
  if (!input.probe) return switchLive();
  if (!deps.probes) throw new Error("a switch probe was asked for, but no SwitchProbes were wired in");
  const probe = await startSwitchProbe(
    view,
    window,
    input.probe,
    { ...session.deps, probes: deps.probes },
    session.signal
  );
  let switched;
  try {
    switched = await switchLive();
  } catch (error) {
    await probe.abandon();
    throw error;
  }
  const measured = await probe.finish();
  const fresh = (await session.deps.records.list()).find((entry) => entry.record.id === switched.record.id);
  const recorded = await changeRecord(
    session.deps.records,
    switched.record.id,
    fresh,
    (record) => record ? { ...record, switchProbe: measured, updatedAt: nowIso(session.deps.clock) } : void 0
  );
  return { ...switched, record: recorded?.record ?? switched.record, probe: measured };
}
function finishedByRecovery(session, operation) {
  const pending = pendingSwitch([...session.found.records.values()].map((entry) => entry.record));
  if (pending?.switch?.operation !== operation) return void 0;
  return liveReleaseId(session.view) === pending.id && session.view.strays.length === 0 ? pending.id : void 0;
}
async function finishRecoveredSwitch(outcome, releaseId, session) {
  const { view, deps } = session;
  const record = view.records.get(releaseId)?.record;
  deps.log.info(
    `release ${releaseId} is live: the interrupted ${outcome === "promoted" ? "promote" : "rollback"} was completed`
  );
  if (record) await scaleDownAfterDelay(view, record, deps, session.signal);
  const fresh = (await session.reread()).records.get(releaseId)?.record ?? record;
  return result(outcome, view, fresh, view.liveColor);
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
      services: recordedServicePlans(record, view.group, input.catalog),
      existingServices: view.objects.services
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
  resolveSwitchProbe,
  promoteRelease,
  rejectRelease,
  rollbackRelease
};
