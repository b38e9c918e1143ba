import { createRequire as __greenlightRequire } from 'node:module';
const require = __greenlightRequire(import.meta.url);
import {
  deployGroup,
  planGroup,
  previewUrls
} from "./chunks/chunk-HL4745QH.js";
import {
  JUNIT_LOG_BEGIN,
  extractJUnitFromLog,
  junitPassed,
  runIntegrationTests
} from "./chunks/chunk-M3Y42XWI.js";
import {
  DEFAULT_JUNIT_LIMITS,
  JUnitError,
  decodeReport,
  describeTotals,
  failureEntries,
  parseJUnit,
  renderJUnitText
} from "./chunks/chunk-KPV6YZKB.js";
import {
  promoteRelease,
  rejectRelease,
  resolveSwitchProbe,
  rollbackRelease
} from "./chunks/chunk-UBCOQJZ2.js";
import {
  groupStatus,
  historyEntry,
  planToJson,
  renderPlanJson,
  renderPlanMarkdown,
  renderPlanTable,
  renderProbeLine,
  renderStatusJson,
  renderStatusTable
} from "./chunks/chunk-26FLLUUD.js";
import "./chunks/chunk-I2BOCA7Y.js";
import {
  DEFAULT_LOCK_TIMEOUT_MS,
  colorTargets,
  liveReleaseId,
  scaleColor,
  waitForRollout,
  withGroupLock
} from "./chunks/chunk-M7YEDHSS.js";
import "./chunks/chunk-A7DPAKFH.js";
import {
  ConfigError,
  checkGroupFile,
  cliOverrideEntries,
  dueGroups,
  formatDiagnostic,
  listGroupFiles,
  loadCatalog,
  loadGroupWithOverrides,
  lookbackWindow,
  renderDueJson,
  renderDueText,
  requiredGroups,
  validateGroupsDir
} from "./chunks/chunk-4YEYCEBQ.js";
import "./chunks/chunk-OGDFHWAX.js";
import {
  parseDuration,
  parseScaleDownDelay
} from "./chunks/chunk-KUEXGX5L.js";
import "./chunks/chunk-XHBTLDLT.js";
import {
  COLORS
} from "./chunks/chunk-R6Y2HZ7J.js";
import {
  EngineError,
  GreenlightError,
  InputError,
  describeError
} from "./chunks/chunk-L2HEXJUQ.js";
import "./chunks/chunk-KSZB5HZC.js";

// src/version.ts
var VERSION = "0.1.0";

// src/cli/commands/args.ts
import { parseArgs } from "node:util";
function parseCommandArgs(args, options, usage, io) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`${message.split("\n")[0]}
Usage: ${usage}
`);
    return void 0;
  }
}
function usageError(io, message, usage) {
  io.stderr(`${message}
Usage: ${usage}
`);
  return 2;
}

// src/cli/commands/group-command.ts
var GROUP_OPTIONS = {
  "groups-dir": { type: "string", default: "groups" },
  kubeconfig: { type: "string" },
  json: { type: "boolean", default: false },
  timeout: { type: "string" },
  "lock-timeout": { type: "string" }
};
function groupCommand(spec) {
  return {
    name: spec.name,
    summary: spec.summary,
    usage: spec.usage,
    async run(args, io) {
      const options = { ...GROUP_OPTIONS, ...spec.options };
      const parsed = parseCommandArgs(args, options, spec.usage, io);
      if (!parsed) return 2;
      const [group, ...extra] = parsed.positionals;
      if (!group || extra.length > 0) return usageError(io, "expected exactly one GROUP", spec.usage);
      const problem = spec.check?.(parsed);
      if (problem) return usageError(io, problem, spec.usage);
      const values = parsed.values;
      const timeoutMs = parseDuration(String(values.timeout ?? spec.defaultTimeout), "--timeout");
      const lockTimeoutMs = values["lock-timeout"] ? parseDuration(String(values["lock-timeout"]), "--lock-timeout") : DEFAULT_LOCK_TIMEOUT_MS;
      const validated = loadGroupWithOverrides(
        { cwd: io.cwd, groupsDir: String(values["groups-dir"] ?? "groups") },
        group,
        spec.overrides?.(parsed) ?? []
      );
      const { connectKube, engineDepsFor, runContextFrom } = await import("./chunks/connect-R73VGOYC.js");
      const client = connectKube(
        io.env,
        values.kubeconfig === void 0 ? void 0 : String(values.kubeconfig)
      );
      const deps = {
        ...engineDepsFor(client, validated.group.namespace, stderrLog(io), runContextFrom(io.env)),
        signal: io.signal
      };
      return spec.run({
        parsed,
        validated,
        deps,
        client,
        timeoutMs,
        lockTimeoutMs,
        io,
        json: values.json === true
      });
    }
  };
}
function stderrLog(io) {
  return {
    info: (line) => io.stderr(`${line}
`),
    warn: (line) => io.stderr(`warning: ${line}
`)
  };
}
function printJson(io, value) {
  io.stdout(`${JSON.stringify(value, null, 2)}
`);
}

// src/cli/commands/deploy.ts
var USAGE = "greenlight deploy GROUP [--set SVC=BRANCH]... [--registry ecr|HOST] [--kubeconfig PATH] [--groups-dir DIR] [--timeout DUR] [--lock-timeout DUR] [--keep-failed] [--json]";
var deployCommand = groupCommand({
  name: "deploy",
  summary: "deploy every service of a group to its standby color and wait until it is ready; live is untouched",
  usage: USAGE,
  defaultTimeout: "10m",
  options: {
    set: { type: "string", multiple: true, default: [] },
    registry: { type: "string" },
    "keep-failed": { type: "boolean", default: false }
  },
  overrides: (parsed) => cliOverrideEntries(parsed.values.set),
  async run({ parsed, validated, deps, timeoutMs, lockTimeoutMs, io, json }) {
    const { connectRegistry } = await import("./chunks/connect-R73VGOYC.js");
    const images = connectRegistry({ registry: parsed.values.registry ?? "ecr", env: io.env });
    const result = await deployGroup(
      {
        ...validated,
        timeoutMs,
        lockTimeoutMs,
        keepFailed: parsed.values["keep-failed"],
        signal: deps.signal
      },
      { ...deps, images }
    );
    const phase = result.record?.phase ?? (result.outcome === "already-live" ? "promoted" : "ready");
    if (json) {
      printJson(io, {
        releaseId: result.releaseId,
        standbyColor: result.standbyColor,
        phase,
        outcome: result.outcome,
        previewUrls: previewUrls(validated, result.plan.namespace),
        plan: planToJson(result.plan)
      });
    } else {
      io.stdout(renderPlanTable(result.plan));
      io.stdout(`${deployLine(result.outcome, result.releaseId, result.standbyColor, phase)}
`);
    }
    return 0;
  }
});
function deployLine(outcome, releaseId, color, phase) {
  if (outcome === "already-live") return `release ${releaseId} is already live: nothing to deploy`;
  if (outcome === "already-on-standby")
    return `release ${releaseId} already stands ready on ${color} (${phase}): nothing written`;
  return `release ${releaseId} is ready on ${color}, awaiting tests`;
}

// src/cli/commands/due.ts
var USAGE2 = "greenlight due [--groups-dir DIR] [--since ISO | --lookback DURATION] [--now ISO] [--json]";
var DEFAULT_LOOKBACK = "2h";
var OPTIONS = {
  "groups-dir": { type: "string", default: "groups" },
  since: { type: "string" },
  lookback: { type: "string" },
  now: { type: "string" },
  json: { type: "boolean", default: false }
};
var ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/i;
var dueCommand = {
  name: "due",
  summary: "list the groups whose schedule wants them up or down since the last run; talks to nothing",
  usage: USAGE2,
  async run(args, io) {
    const parsed = parseCommandArgs(args, OPTIONS, USAGE2, io);
    if (!parsed) return 2;
    const { since, lookback, now, json } = parsed.values;
    if (parsed.positionals.length > 0) return usageError(io, "due takes no positional arguments", USAGE2);
    if (since !== void 0 && lookback !== void 0) {
      return usageError(io, "--since and --lookback exclude each other", USAGE2);
    }
    const window = readWindow({ since, lookback, now });
    if (typeof window === "string") return usageError(io, window, USAGE2);
    const groups = loadScheduledGroups({ cwd: io.cwd, groupsDir: parsed.values["groups-dir"] });
    const due = dueGroups(groups, window);
    io.stdout(json ? renderDueJson(due, window) : renderDueText(due, window));
    return 0;
  }
};
function readWindow(options) {
  const now = options.now === void 0 ? /* @__PURE__ */ new Date() : readInstant("--now", options.now);
  if (typeof now === "string") return now;
  if (options.since !== void 0) {
    const since = readInstant("--since", options.since);
    return typeof since === "string" ? since : { since, now };
  }
  try {
    return lookbackWindow(now, parseDuration(options.lookback ?? DEFAULT_LOOKBACK, "--lookback"));
  } catch (error) {
    if (error instanceof InputError) return error.message;
    throw error;
  }
}
function readInstant(option, text) {
  const instant = new Date(text);
  if (!ISO_INSTANT.test(text) || Number.isNaN(instant.getTime())) {
    return `${option}: expected an ISO 8601 time with a zone, like 2026-01-05T07:00:00Z, got "${text}"`;
  }
  return instant;
}
function loadScheduledGroups(location) {
  const catalog = loadCatalog(location);
  const groups = [];
  const diagnostics = [];
  for (const file of listGroupFiles(location)) {
    const checked = checkGroupFile(location, file, catalog);
    diagnostics.push(...checked.diagnostics);
    if (checked.group) groups.push({ name: checked.group.name, schedule: checked.group.schedule });
  }
  if (diagnostics.length > 0) throw new ConfigError(diagnostics);
  return groups;
}

// src/core/junit/merge.ts
function mergeJUnitReports(reports, source) {
  const [only] = reports;
  if (reports.length === 1 && only) return only;
  const times = reports.flatMap(
    (report3) => report3.totals.timeSeconds === void 0 ? [] : [report3.totals.timeSeconds]
  );
  const sum = (key) => reports.reduce((total, report3) => total + report3.totals[key], 0);
  return {
    source,
    totals: {
      tests: sum("tests"),
      passed: sum("passed"),
      failures: sum("failures"),
      errors: sum("errors"),
      skipped: sum("skipped"),
      flaky: sum("flaky"),
      ...times.length > 0 ? { timeSeconds: times.reduce((total, time) => total + time, 0) } : {}
    },
    cases: reports.flatMap((report3) => report3.cases),
    suites: reports.flatMap((report3) => report3.suites),
    suiteErrors: reports.flatMap((report3) => report3.suiteErrors),
    warnings: reports.flatMap((report3) => report3.warnings.map((warning) => `${report3.source}: ${warning}`))
  };
}

// src/disk/junit-file.ts
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { resolve } from "node:path";
function readJUnitFile(cwd, file, limits = {}) {
  const bytes = readReportBytes(cwd, file, limits);
  if (!looksLikeLog(bytes)) return parseJUnit(bytes, { source: file, limits });
  const extracted = extractJUnitFromLog(decodeReport(bytes, file), file);
  if (!extracted.found) return parseJUnit(bytes, { source: file, limits });
  return parseJUnit(extracted.xml, { source: `${file} (report from line ${extracted.line})`, limits });
}
function looksLikeLog(bytes) {
  const head = Buffer.from(bytes.subarray(0, 1024)).toString("latin1").replace(/^\xEF\xBB\xBF/, "").trimStart();
  return !head.startsWith("<") && Buffer.from(bytes).includes(JUNIT_LOG_BEGIN);
}
function readReportBytes(cwd, file, limits) {
  const maxBytes = limits.maxBytes ?? DEFAULT_JUNIT_LIMITS.maxBytes;
  const absolute = resolve(cwd, file);
  let bytes;
  try {
    const stats = statSync(absolute);
    if (!stats.isFile()) throw new JUnitError(`${file}: not a file`);
    if (stats.size > maxBytes) {
      throw new JUnitError(
        `${file}: the report is ${stats.size} bytes, more than the ${maxBytes} bytes Greenlight reads`,
        {
          hint: "a report this large is usually captured output; keep system-out small or split the report"
        }
      );
    }
    bytes = readAtMost(absolute, Math.min(stats.size, maxBytes) + 1);
  } catch (error) {
    if (error instanceof JUnitError) throw error;
    const code = error.code;
    throw new JUnitError(
      code === "ENOENT" ? `${file}: file not found` : `${file}: cannot read the file (${code ?? String(error)})`,
      {
        hint: "the test run did not write its JUnit report there"
      }
    );
  }
  return bytes;
}
function readAtMost(absolute, limit) {
  const buffer = Buffer.alloc(limit);
  const fd = openSync(absolute, "r");
  try {
    let length = 0;
    while (length < limit) {
      const read = readSync(fd, buffer, length, limit - length, length);
      if (read === 0) break;
      length += read;
    }
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

// src/cli/commands/junit.ts
var USAGE3 = "greenlight junit FILE... [--json]";
var junitCommand = {
  name: "junit",
  summary: "print the totals and failed cases of JUnit XML reports; exit 1 when one is unreadable or a test failed",
  usage: USAGE3,
  async run(args, io) {
    const parsed = parseCommandArgs(args, { json: { type: "boolean", default: false } }, USAGE3, io);
    if (!parsed) return 2;
    if (parsed.positionals.length === 0) return usageError(io, "expected at least one FILE", USAGE3);
    const results = parsed.positionals.map((file) => readOne(io.cwd, file));
    const reports = results.flatMap((result) => "report" in result ? [result.report] : []);
    const failed = results.length > reports.length || reports.some((report3) => !junitPassed(report3));
    if (parsed.values.json) io.stdout(`${JSON.stringify(toJson(results, reports), null, 2)}
`);
    else printText(io, results, reports);
    return failed ? 1 : 0;
  }
};
function readOne(cwd, file) {
  try {
    return { file, report: readJUnitFile(cwd, file) };
  } catch (error) {
    if (error instanceof JUnitError) return { file, error };
    throw error;
  }
}
function printText(io, results, reports) {
  for (const result of results) {
    if ("report" in result) io.stdout(renderJUnitText(result.report));
    else io.stderr(`greenlight junit: ${describeError(result.error)}
`);
  }
  if (results.length > 1) {
    const total = mergeJUnitReports(reports, "all").totals;
    const unread = results.length - reports.length;
    const note = unread > 0 ? ` (${unread} of ${results.length} files could not be read)` : "";
    io.stdout(`total: ${describeTotals(total)}${note}
`);
  }
}
function counts(report3) {
  const { tests, passed, failures, errors, skipped, flaky, timeSeconds } = report3.totals;
  return {
    tests,
    passed,
    failures,
    errors,
    skipped,
    flaky,
    ...timeSeconds === void 0 ? {} : { timeSeconds },
    suiteErrors: report3.suiteErrors.length
  };
}
function toJson(results, reports) {
  const errors = results.flatMap((result) => "error" in result ? [result.error.message] : []);
  const merged = mergeJUnitReports(reports, "all");
  return {
    ...counts(merged),
    ok: errors.length === 0 && junitPassed(merged),
    ...errors.length > 0 ? { error: errors.join("; ") } : {},
    failed: reports.flatMap(
      (report3) => failureEntries(report3).map((entry) => ({ file: report3.source, ...entry }))
    ),
    warnings: merged.warnings,
    files: results.map(
      (result) => "report" in result ? { file: result.file, ...counts(result.report) } : { file: result.file, error: result.error.message }
    )
  };
}

// src/cli/commands/plan.ts
var USAGE4 = "greenlight plan GROUP [--groups-dir DIR] [--set svc=branch]... [--json|--markdown] [--registry ecr|HOST] [--kubeconfig PATH]";
var planCommand = groupCommand({
  name: "plan",
  summary: "show what deploying a group would do per service (deploy / unchanged / first-deploy); writes nothing",
  usage: USAGE4,
  defaultTimeout: "2m",
  options: {
    set: { type: "string", multiple: true, default: [] },
    markdown: { type: "boolean", default: false },
    registry: { type: "string" }
  },
  overrides: (parsed) => cliOverrideEntries(parsed.values.set),
  check: (parsed) => parsed.values.json && parsed.values.markdown ? "--json and --markdown exclude each other" : void 0,
  async run({ parsed, validated, deps, io, json }) {
    const { connectRegistry } = await import("./chunks/connect-R73VGOYC.js");
    const images = connectRegistry({ registry: parsed.values.registry ?? "ecr", env: io.env });
    const { plan } = await planGroup(validated, { images, cluster: deps.cluster });
    const render = json ? renderPlanJson : parsed.values.markdown ? renderPlanMarkdown : renderPlanTable;
    io.stdout(render(plan));
    return 0;
  }
});

// src/engine/scale.ts
async function scaleGroupDown(input, deps) {
  return withGroupLock(input, deps, async ({ view, deps: locked }) => {
    const running = COLORS.filter(
      (color) => view.group.services.some(
        (service) => (view.state.services[service.name]?.colors[color]?.replicas ?? 0) > 0
      )
    );
    for (const color of running) await scaleColor(view, color, 0, locked);
    locked.log.info(
      running.length > 0 ? `scaled ${running.join(" and ")} of ${view.group.name} to zero; Services and history kept` : `${view.group.name} was already down`
    );
    return {
      outcome: running.length > 0 ? "down" : "already-down",
      liveColor: view.liveColor,
      releaseId: liveReleaseId(view)
    };
  });
}
async function scaleGroupUp(input, deps) {
  return withGroupLock(input, deps, async (session) => {
    const { view } = session;
    const live = liveReleaseId(view);
    if (!view.liveColor || !live) {
      throw new EngineError(
        "nothing-live",
        `group ${view.group.name} has no live release to bring up (promote one first)`
      );
    }
    await scaleColor(view, view.liveColor, "desired", session.deps);
    const fresh = await session.reread();
    await waitForRollout(
      {
        targets: colorTargets(fresh, view.liveColor, live, { includePreview: false }).map((target) => ({
          ...target,
          endpointServices: [...target.endpointServices, target.service]
        })),
        timeoutMs: input.timeoutMs,
        what: `the live release ${live} (${view.liveColor})`,
        signal: session.signal
      },
      session.deps
    );
    return { outcome: "up", liveColor: view.liveColor, releaseId: live };
  });
}

// src/cli/commands/scale.ts
var COMMON = "[--kubeconfig PATH] [--groups-dir DIR] [--timeout DUR] [--lock-timeout DUR] [--json]";
var downCommand = groupCommand({
  name: "down",
  summary: "scale every color of a group to zero; Services and history stay, `up` brings it back",
  usage: `greenlight down GROUP ${COMMON}`,
  defaultTimeout: "5m",
  options: {},
  async run({ validated, deps, timeoutMs, lockTimeoutMs, io, json }) {
    return report(
      io,
      json,
      await scaleGroupDown({ ...validated, timeoutMs, lockTimeoutMs, signal: deps.signal }, deps)
    );
  }
});
var upCommand = groupCommand({
  name: "up",
  summary: "bring a group's live release back to its replicas and wait until it serves",
  usage: `greenlight up GROUP ${COMMON}`,
  defaultTimeout: "10m",
  options: {},
  async run({ validated, deps, timeoutMs, lockTimeoutMs, io, json }) {
    return report(
      io,
      json,
      await scaleGroupUp({ ...validated, timeoutMs, lockTimeoutMs, signal: deps.signal }, deps)
    );
  }
});
function report(io, json, result) {
  if (json)
    printJson(io, {
      outcome: result.outcome,
      liveColor: result.liveColor ?? null,
      releaseId: result.releaseId ?? null
    });
  else if (result.outcome === "up") io.stdout(`release ${result.releaseId} is up on ${result.liveColor}
`);
  else
    io.stdout(`${result.outcome === "down" ? "scaled down" : "already down"}; Services and history kept
`);
  return 0;
}

// src/cli/commands/status.ts
var statusCommand = groupCommand({
  name: "status",
  summary: "show what each service runs live and on standby, the group phase and the last releases",
  usage: "greenlight status GROUP [--history N] [--kubeconfig PATH] [--groups-dir DIR] [--json]",
  defaultTimeout: "2m",
  options: { history: { type: "string", default: "10" } },
  check: (parsed) => /^\d{1,3}$/.test(parsed.values.history) ? void 0 : "--history: expected a number of releases",
  async run({ parsed, validated, deps, timeoutMs, io, json }) {
    const status = await groupStatus(
      { ...validated, timeoutMs, historyLimit: Number(parsed.values.history) },
      deps
    );
    io.stdout(json ? renderStatusJson(status) : renderStatusTable(status));
    return 0;
  }
});

// src/cli/commands/switch.ts
var COMMON2 = "[--kubeconfig PATH] [--groups-dir DIR] [--timeout DUR] [--lock-timeout DUR] [--json]";
var DELAY = { "scale-down-delay": { type: "string", default: "30s" } };
var PROBE = { probe: { type: "boolean", default: false }, registry: { type: "string" } };
var PROBE_USAGE = "[--probe [--registry ecr|HOST]]";
async function probeOf(context) {
  if (!context.parsed.values.probe) return {};
  const [{ connectRegistry }, { switchProbesFor }] = await Promise.all([
    import("./chunks/connect-R73VGOYC.js"),
    import("./chunks/probe-SPQQCUVC.js")
  ]);
  const images = connectRegistry({ registry: context.parsed.values.registry ?? "ecr", env: context.io.env });
  return {
    probe: await resolveSwitchProbe(context.validated.group, images),
    probes: switchProbesFor(context.client, context.validated.group.namespace)
  };
}
function probeCheck(values) {
  return values.registry !== void 0 && !values.probe ? "--registry goes with --probe" : void 0;
}
var promoteCommand = groupCommand({
  name: "promote",
  summary: "switch every service of a group to its tested standby color, together; refused unless these digests passed",
  usage: `greenlight promote GROUP [--release ID] [--force --reason TEXT] [--scale-down-delay DUR|keep] ${PROBE_USAGE} ${COMMON2}`,
  defaultTimeout: "5m",
  options: {
    release: { type: "string" },
    force: { type: "boolean", default: false },
    reason: { type: "string" },
    ...DELAY,
    ...PROBE
  },
  check: (parsed) => parsed.values.force && !parsed.values.reason?.trim() ? "--force needs --reason TEXT: the reason is recorded with the release" : !parsed.values.force && parsed.values.reason ? "--reason goes with --force" : probeCheck(parsed.values),
  async run(context) {
    const { parsed, validated, deps, timeoutMs, lockTimeoutMs, io, json } = context;
    const { probe, probes } = await probeOf(context);
    const result = await promoteRelease(
      {
        ...validated,
        timeoutMs,
        lockTimeoutMs,
        scaleDownDelay: parseScaleDownDelay(parsed.values["scale-down-delay"], "--scale-down-delay"),
        releaseId: parsed.values.release,
        force: parsed.values.force ? { reason: parsed.values.reason?.trim() ?? "" } : void 0,
        requireVerifiedIn: requiredGroups(
          { cwd: io.cwd, groupsDir: parsed.values["groups-dir"] },
          validated.group
        ),
        signal: deps.signal,
        probe
      },
      { ...deps, probes }
    );
    return report2(io, json, result);
  }
});
var rejectCommand = groupCommand({
  name: "reject",
  summary: "scale a group's standby to zero and record the release rejected; live is untouched",
  usage: `greenlight reject GROUP [--release ID] ${COMMON2}`,
  defaultTimeout: "5m",
  options: { release: { type: "string" } },
  async run({ parsed, validated, deps, timeoutMs, lockTimeoutMs, io, json }) {
    const result = await rejectRelease(
      {
        ...validated,
        timeoutMs,
        lockTimeoutMs,
        scaleDownDelay: "keep",
        releaseId: parsed.values.release,
        signal: deps.signal
      },
      deps
    );
    return report2(io, json, result);
  }
});
var rollbackCommand = groupCommand({
  name: "rollback",
  summary: "switch a group back to its previous live release (at once when its color is still warm)",
  usage: `greenlight rollback GROUP [--scale-down-delay DUR|keep] ${PROBE_USAGE} ${COMMON2}`,
  defaultTimeout: "10m",
  options: { ...DELAY, ...PROBE },
  check: (parsed) => probeCheck(parsed.values),
  async run(context) {
    const { parsed, validated, deps, timeoutMs, lockTimeoutMs, io, json } = context;
    const { probe, probes } = await probeOf(context);
    const result = await rollbackRelease(
      {
        ...validated,
        timeoutMs,
        lockTimeoutMs,
        scaleDownDelay: parseScaleDownDelay(parsed.values["scale-down-delay"], "--scale-down-delay"),
        signal: deps.signal,
        probe
      },
      { ...deps, probes }
    );
    return report2(io, json, result);
  }
});
function report2(io, json, result) {
  if (json) {
    printJson(io, {
      outcome: result.outcome,
      releaseId: result.releaseId ?? null,
      liveColor: result.liveColor ?? null,
      liveColors: result.liveColors,
      forcedPast: result.forcedPast,
      historyEntry: result.record ? historyEntry(result.record) : null,
      probe: result.probe ?? null
    });
  } else {
    io.stdout(`${outcomeLine(result)}
`);
    if (result.probe) io.stdout(`${renderProbeLine(result.probe)}
`);
  }
  return 0;
}
function outcomeLine(result) {
  switch (result.outcome) {
    case "promoted":
      return `promoted release ${result.releaseId}: live is ${result.liveColor}${result.forcedPast.length ? " (forced)" : ""}`;
    case "already-live":
      return `release ${result.releaseId} is already live on ${result.liveColor}: nothing to do`;
    case "rejected":
      return `rejected release ${result.releaseId}: standby scaled to zero, live (${result.liveColor ?? "none"}) untouched`;
    case "nothing-to-reject":
      return "nothing on standby to reject";
    case "rolled-back":
      return `rolled back to release ${result.releaseId}: live is ${result.liveColor}`;
  }
}

// src/cli/commands/test.ts
import { writeFileSync } from "node:fs";
import { resolve as resolve2 } from "node:path";
var MODES = ["auto", "job", "command"];
var testCommand = groupCommand({
  name: "test",
  summary: "run a group's integration tests against its standby and record the verification of exactly those digests",
  usage: "greenlight test GROUP [--release ID] [--mode auto|job|command] [--urls port-forward|in-cluster] [--report FILE] [--registry ecr|HOST] [--kubeconfig PATH] [--groups-dir DIR] [--lock-timeout DUR] [--json]",
  defaultTimeout: "30m",
  options: {
    release: { type: "string" },
    mode: { type: "string", default: "auto" },
    urls: { type: "string" },
    report: { type: "string" },
    registry: { type: "string" }
  },
  check: (parsed) => !MODES.includes(parsed.values.mode) ? `--mode: expected one of ${MODES.join(", ")}, got "${parsed.values.mode}"` : parsed.values.urls !== void 0 && !["port-forward", "in-cluster"].includes(parsed.values.urls) ? `--urls: expected port-forward or in-cluster, got "${parsed.values.urls}"` : void 0,
  async run({ parsed, validated, deps, client, timeoutMs, lockTimeoutMs, io, json }) {
    const { connectRegistry, lazyRegistry } = await import("./chunks/connect-R73VGOYC.js");
    const { teamReporterFor, testDepsFor } = await import("./chunks/testing-NTEHBGDG.js");
    const images = lazyRegistry(
      () => connectRegistry({ registry: parsed.values.registry ?? "ecr", env: io.env })
    );
    const reporter = teamReporterFor(io.env.GITHUB_TOKEN, io.env, deps.log);
    const result = await runIntegrationTests(
      {
        ...validated,
        timeoutMs,
        lockTimeoutMs,
        releaseId: parsed.values.release,
        mode: parsed.values.mode,
        urls: parsed.values.urls,
        cwd: io.cwd
      },
      testDepsFor(deps, client, { images, env: io.env, reporter })
    );
    if (parsed.values.report && result.junitXml !== void 0) {
      writeFileSync(resolve2(io.cwd, parsed.values.report), result.junitXml);
    }
    if (json) {
      printJson(io, {
        passed: result.passed,
        releaseId: result.releaseId,
        mode: result.mode,
        ...result.totals,
        failure: result.failure ?? null,
        recorded: result.counted,
        notes: result.report.notes,
        warnings: result.warnings
      });
    } else {
      if (result.report.junit) io.stdout(renderJUnitText(result.report.junit));
      for (const note of result.report.notes) io.stdout(`${note}
`);
      io.stdout(
        `release ${result.releaseId}: tests ${result.passed ? "passed" : "FAILED"}${result.counted ? "" : " (not recorded: standby changed)"}
`
      );
    }
    return result.passed ? 0 : 1;
  }
});

// src/cli/commands/validate.ts
var USAGE5 = "greenlight validate [--groups-dir DIR] [FILE...]";
var validateCommand = {
  name: "validate",
  summary: "check groups/services.yaml and the group files; print every error with its position",
  usage: USAGE5,
  async run(args, io) {
    const parsed = parseCommandArgs(args, { "groups-dir": { type: "string", default: "groups" } }, USAGE5, io);
    if (!parsed) return 2;
    const report3 = validateGroupsDir(
      { cwd: io.cwd, groupsDir: parsed.values["groups-dir"] },
      parsed.positionals
    );
    if (report3.diagnostics.length > 0) {
      io.stderr(`${report3.diagnostics.map(formatDiagnostic).join("\n")}
`);
      const count = report3.diagnostics.length;
      io.stderr(
        `${count} error${count === 1 ? "" : "s"} in ${filesWithErrors(report3.diagnostics)} of ${report3.files.length} files
`
      );
      return 1;
    }
    io.stdout(`ok: ${report3.files.length} files valid (${report3.files.join(", ")})
`);
    return 0;
  }
};
function filesWithErrors(diagnostics) {
  return new Set(diagnostics.map((diagnostic) => diagnostic.file)).size;
}

// src/cli/commands/index.ts
var COMMANDS = [
  validateCommand,
  planCommand,
  deployCommand,
  statusCommand,
  testCommand,
  promoteCommand,
  rejectCommand,
  rollbackCommand,
  downCommand,
  upCommand,
  junitCommand,
  dueCommand
];

// src/cli/main.ts
function renderHelp(commands) {
  const width = Math.max(...commands.map((command) => command.name.length));
  const lines = commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`);
  return [
    "greenlight: deploy groups of services blue/green, test the standby, switch live when the tests pass.",
    "",
    "Usage: greenlight <command> [options]",
    "",
    "Commands:",
    ...lines,
    "",
    "Options:",
    "  -h, --help     show help (also: greenlight <command> --help)",
    "  -v, --version  print the version",
    ""
  ].join("\n");
}
async function main(argv, io, commands = COMMANDS) {
  const [name, ...args] = argv;
  if (name === void 0 || name === "-h" || name === "--help" || name === "help") {
    io.stdout(renderHelp(commands));
    return name === void 0 ? 2 : 0;
  }
  if (name === "-v" || name === "--version") {
    io.stdout(`${VERSION}
`);
    return 0;
  }
  const command = commands.find((candidate) => candidate.name === name);
  if (!command) {
    io.stderr(`greenlight: unknown command "${name}"

${renderHelp(commands)}`);
    return 2;
  }
  if (args.includes("--help") || args.includes("-h")) {
    io.stdout(`${command.summary}

Usage: ${command.usage}
`);
    return 0;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    io.stderr(`greenlight ${name}: ${describeError(error)}
`);
    if (args.includes("--json")) io.stdout(`${JSON.stringify({ error: errorToJson(error) }, null, 2)}
`);
    return error instanceof GreenlightError ? 1 : 70;
  }
}
function errorToJson(error) {
  if (error instanceof GreenlightError) {
    return {
      kind: error.kind,
      message: error.message,
      hint: error.hint ?? null,
      ...error instanceof EngineError ? { detail: error.detail } : {}
    };
  }
  return { kind: "bug", message: error instanceof Error ? error.message : String(error), hint: null };
}

// src/cli/index.ts
var stop = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    if (stop.signal.aborted) process.exit(130);
    process.stderr.write(`greenlight: ${signal}, stopping (again to exit at once)
`);
    stop.abort(new EngineError("cancelled", `interrupted by ${signal}`));
  });
}
process.exitCode = await main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
  signal: stop.signal
});
process.exit();
