import { createRequire as __greenlightRequire } from 'node:module';
const require = __greenlightRequire(import.meta.url);
import {
  forEachLimited,
  isScaledDown,
  liveReleaseId,
  newestFirst,
  pendingSwitch,
  readGroupView,
  standbyReleaseId,
  withGroupLock
} from "./chunk-M7YEDHSS.js";
import {
  deploymentSpecOf,
  inClusterUrl,
  liveServiceName,
  servicesToApply,
  supportServiceSpecs
} from "./chunk-A7DPAKFH.js";
import {
  describeSelector
} from "./chunk-OGDFHWAX.js";
import {
  EngineError
} from "./chunk-L2HEXJUQ.js";

// src/core/probe.ts
var PROBE_REPORT_MARKER = "greenlight-probe-report ";
function probeTargets(services, namespace) {
  return services.map((service) => ({
    service: service.name,
    url: `${inClusterUrl(liveServiceName(service.name), namespace, service.port)}${service.livenessPath}`
  }));
}
function probeJobName(releaseId, nowMs) {
  const suffix = `-${nowMs.toString(36)}`;
  return `greenlight-probe-${releaseId}`.slice(0, 63 - suffix.length) + suffix;
}
function probeDurationMs(switchTimeoutMs, scaleDownDelayMs) {
  return Math.min(switchTimeoutMs + (scaleDownDelayMs ?? 0) + PROBE_SLACK_MS, MAX_PROBE_DURATION_MS);
}
var PROBE_SLACK_MS = 3 * 6e4;
var MAX_PROBE_DURATION_MS = 60 * 6e4;
function probeJobSpec(input) {
  return {
    name: input.name,
    group: input.group,
    releaseId: input.releaseId,
    image: input.image,
    env: [
      [
        "GREENLIGHT_PROBE_TARGETS",
        input.targets.map((target) => `${target.service}=${target.url}`).join(" ")
      ],
      ["GREENLIGHT_PROBE_RATE", String(input.rate)],
      ["GREENLIGHT_PROBE_DURATION_MS", String(input.durationMs)],
      ["GREENLIGHT_PROBE_REPORT_MS", "500"]
    ],
    activeDeadlineSeconds: Math.ceil(input.durationMs / 1e3) + 60
  };
}
function lastProbeReport(log) {
  const lines = log.split("\n");
  for (let index = lines.length - 1; index >= 0; index -= 1) {
    const line = lines[index]?.trim() ?? "";
    const at = line.indexOf(PROBE_REPORT_MARKER);
    if (at < 0) continue;
    const report = parseReport(line.slice(at + PROBE_REPORT_MARKER.length));
    if (report) return report;
  }
  return void 0;
}
function parseReport(text) {
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    return void 0;
  }
  if (typeof value !== "object" || value === null) return void 0;
  const raw = value;
  if (typeof raw.error === "string") return { ...emptyReport(), done: true, error: raw.error };
  const numbers = ["elapsedMs", "sent", "ok", "failed", "p50Ms", "p99Ms"];
  if (!numbers.every((key) => typeof raw[key] === "number" && Number.isFinite(raw[key]))) return void 0;
  return {
    elapsedMs: raw.elapsedMs,
    sent: raw.sent,
    ok: raw.ok,
    failed: raw.failed,
    p50Ms: raw.p50Ms,
    p99Ms: raw.p99Ms,
    failures: countsOf(raw.failures),
    services: servicesOf(raw.services),
    done: raw.done === true
  };
}
function emptyReport() {
  return {
    elapsedMs: 0,
    sent: 0,
    ok: 0,
    failed: 0,
    failures: {},
    p50Ms: 0,
    p99Ms: 0,
    services: {},
    done: false
  };
}
function countsOf(value) {
  if (typeof value !== "object" || value === null) return {};
  return Object.fromEntries(
    Object.entries(value).filter((entry) => typeof entry[1] === "number")
  );
}
function servicesOf(value) {
  if (typeof value !== "object" || value === null) return {};
  return Object.fromEntries(
    Object.entries(value).flatMap(([service, counts]) => {
      const { sent, failed } = counts ?? {};
      return typeof sent === "number" && typeof failed === "number" ? [[service, { sent, failed }]] : [];
    })
  );
}
function unmeasuredProbe(base, note) {
  return {
    ...base,
    measured: false,
    sent: 0,
    failed: 0,
    failures: {},
    p50Ms: 0,
    p99Ms: 0,
    services: {},
    until: "switched",
    note
  };
}
function measuredProbe(base, report) {
  return {
    ...base,
    measured: true,
    sent: report.sent,
    failed: report.failed,
    failures: report.failures,
    p50Ms: report.p50Ms,
    p99Ms: report.p99Ms,
    services: report.services
  };
}
function reasons(failures) {
  return Object.entries(failures).sort((a, b) => b[1] - a[1]).map(([reason, count]) => `${count} ${reason}`).join(", ");
}
function window(probe) {
  const to = `the switch to ${probe.to}`;
  return probe.until === "old-color-gone" && probe.from ? `across ${to} and until ${probe.from}'s pods were gone` : `across ${to}`;
}
function renderProbeLine(probe) {
  if (!probe.measured) return `switch probe: not measured (${probe.note ?? "no report"})`;
  const latency = `p50 ${probe.p50Ms.toFixed(1)} ms, p99 ${probe.p99Ms.toFixed(1)} ms`;
  if (probe.failed === 0) {
    return `switch probe: 0 failed of ${probe.sent} requests ${window(probe)} (${latency})`;
  }
  return `switch probe: ${probe.failed} of ${probe.sent} requests FAILED ${window(probe)} (${reasons(probe.failures)}; ${latency})`;
}
function renderProbeMarkdown(probe) {
  if (!probe.measured) {
    return `#### Switch probe

Not measured: ${probe.note ?? "no report"}.
`;
  }
  const rows = Object.entries(probe.services).map(
    ([service, counts]) => `| ${service} | ${counts.sent} | ${counts.failed} |`
  );
  const verdict = probe.failed === 0 ? `**No request failed**: ${probe.sent} requests ${window(probe)}, at ${probe.rate}/s to each live Service.` : `> [!WARNING]
> **${probe.failed} of ${probe.sent} requests failed** ${window(probe)}: ${reasons(probe.failures)}. Clients of these Services saw errors during the switch.`;
  return [
    "#### Switch probe",
    "",
    verdict,
    "",
    `Latency of the answered requests: p50 ${probe.p50Ms.toFixed(1)} ms, p99 ${probe.p99Ms.toFixed(1)} ms.`,
    "",
    "| Live Service | Requests | Failed |",
    "| --- | --- | --- |",
    ...rows,
    ""
  ].join("\n");
}

// src/core/render-plan.ts
function shortDigest(digest) {
  if (!digest) return "-";
  const [algorithm, hex] = digest.split(":");
  return hex ? `${algorithm}:${hex.slice(0, 12)}` : digest;
}
function imageColumn(service) {
  const origin = service.source === "override" ? " (override)" : service.source === "default-branch" ? " (default)" : "";
  return `${describeSelector(service.selector)}${origin}`;
}
function liveColumn(service) {
  if (!service.live) return "-";
  return service.live.branch ? `${shortDigest(service.live.digest)} ${service.live.branch}` : shortDigest(service.live.digest);
}
function headline(plan) {
  const live = plan.liveColor ? `live ${plan.liveColor}, standby ${plan.standbyColor}` : `no live color yet, standby ${plan.standbyColor}`;
  return `Group ${plan.group} in namespace ${plan.namespace}: ${live}, release ${plan.releaseId}`;
}
function tally(plan) {
  const counts = ["deploy", "first-deploy", "unchanged"].map((action) => [action, plan.services.filter((service) => service.action === action).length]).filter(([, count]) => count > 0).map(([action, count]) => `${count} ${action}`);
  return `${counts.join(", ")}; every service goes to ${plan.standbyColor}, tested there before it goes live`;
}
function notes(plan) {
  return [
    ...plan.namespaceExists === false ? [`namespace ${plan.namespace} does not exist yet; the deploy creates it`] : [],
    ...plan.warnings.map((warning) => `warning: ${warning}`)
  ];
}
function renderPlanTable(plan) {
  const header = [
    "SERVICE",
    "ACTION",
    "IMAGE",
    `STANDBY (${plan.standbyColor})`,
    plan.liveColor ? `LIVE (${plan.liveColor})` : "LIVE"
  ];
  const rows = plan.services.map((service) => [
    service.service,
    service.action,
    imageColumn(service),
    shortDigest(service.digest),
    liveColumn(service)
  ]);
  const widths = header.map(
    (cell, column) => Math.max(cell.length, ...rows.map((row) => (row[column] ?? "").length))
  );
  const line = (cells) => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join("  ").trimEnd();
  return [headline(plan), "", line(header), ...rows.map(line), "", tally(plan), ...notes(plan), ""].join(
    "\n"
  );
}
function planToJson(plan) {
  return {
    group: plan.group,
    namespace: plan.namespace,
    namespaceExists: plan.namespaceExists ?? null,
    releaseId: plan.releaseId,
    liveColor: plan.liveColor ?? null,
    standbyColor: plan.standbyColor,
    services: plan.services.map((service) => ({
      service: service.service,
      action: service.action,
      selector: service.selector,
      source: service.source,
      repository: service.repository,
      tag: service.tag ?? null,
      digest: service.digest,
      image: service.image,
      replicas: service.replicas,
      live: service.live ?? null
    })),
    warnings: plan.warnings
  };
}
function renderPlanJson(plan) {
  return `${JSON.stringify(planToJson(plan), null, 2)}
`;
}
function markdownCode(text) {
  const longestRun = Math.max(0, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = "`".repeat(longestRun + 1);
  const padded = text.startsWith("`") || text.endsWith("`") ? ` ${text} ` : text;
  return `${fence}${padded.replace(/\|/g, "\\|")}${fence}`;
}
function markdownImage(service) {
  const { selector } = service;
  const value = selector.kind === "branch" ? selector.branch : selector.kind === "tag" ? selector.tag : shortDigest(selector.digest);
  const origin = service.source === "override" ? " (override)" : service.source === "default-branch" ? " (default)" : "";
  return `${selector.kind} ${markdownCode(value)}${origin}`;
}
function renderPlanMarkdown(plan) {
  const live = plan.liveColor ? `live **${plan.liveColor}**` : "no live color yet";
  const rows = plan.services.map(
    (service) => [
      service.service,
      service.action,
      markdownImage(service),
      markdownCode(shortDigest(service.digest)),
      service.live ? `${markdownCode(shortDigest(service.live.digest))}${service.live.branch ? ` ${markdownCode(service.live.branch)}` : ""}` : "-"
    ].join(" | ")
  );
  return [
    `### Greenlight plan: ${markdownCode(plan.group)}`,
    "",
    `Namespace ${markdownCode(plan.namespace)} \xB7 ${live} \xB7 standby **${plan.standbyColor}** \xB7 release ${markdownCode(plan.releaseId)}`,
    "",
    `| Service | Action | Image | Standby (${plan.standbyColor}) | Live${plan.liveColor ? ` (${plan.liveColor})` : ""} |`,
    "| --- | --- | --- | --- | --- |",
    ...rows.map((row) => `| ${row} |`),
    "",
    tally(plan),
    ...notes(plan).map((note) => `
> ${note}`),
    ""
  ].join("\n");
}

// src/core/render-engine.ts
function statusToJson(status) {
  return {
    group: status.group,
    namespace: status.namespace,
    liveColor: status.liveColor,
    liveReleaseId: status.liveReleaseId,
    phase: status.phase,
    down: status.down,
    strays: status.strays,
    standby: status.standby,
    switching: status.switching,
    services: status.services.map((service) => ({
      service: service.service,
      live: service.live,
      standby: service.standby
    })),
    history: status.history.map(historyEntry)
  };
}
function historyEntry(record) {
  return {
    releaseId: record.id,
    phase: record.phase,
    color: record.color,
    actor: record.actor,
    runUrl: record.runUrl ?? null,
    deployedAt: record.deployedAt,
    readyAt: record.readyAt ?? null,
    verifiedAt: record.verifiedAt ?? null,
    promotedAt: record.promotedAt ?? null,
    retiredAt: record.retiredAt ?? null,
    rejectedAt: record.rejectedAt ?? null,
    rolledBackAt: record.rolledBackAt ?? null,
    verification: record.verification ? {
      passed: record.verification.passed,
      tests: record.verification.tests,
      failures: record.verification.failures,
      errors: record.verification.errors,
      skipped: record.verification.skipped,
      runUrl: record.verification.runUrl ?? null
    } : null,
    forced: record.forced ?? null,
    failure: record.failure ?? null,
    switchProbe: record.switchProbe ?? null,
    services: record.services.map((service) => ({
      service: service.service,
      digest: service.digest,
      branch: service.branch ?? null,
      commit: service.commit ?? null
    }))
  };
}
function replicas(summary2) {
  return summary2 ? `${summary2.readyReplicas}/${summary2.replicas}` : "-";
}
function imageCell(summary2) {
  if (!summary2?.digest) return "-";
  const branch = summary2.branch ? ` ${summary2.branch}` : "";
  const commit = summary2.commit ? ` ${summary2.commit.slice(0, 7)}` : "";
  return `${shortDigest(summary2.digest)}${branch}${commit}`;
}
function table(header, rows) {
  const widths = header.map(
    (cell, column) => Math.max(cell.length, ...rows.map((row) => (row[column] ?? "").length))
  );
  const line = (cells) => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join("  ").trimEnd();
  return [line(header), ...rows.map(line)];
}
function renderStatusTable(status) {
  const live = status.liveColor ? `live ${status.liveColor} (release ${status.liveReleaseId ?? "mixed"})${status.down ? ", DOWN" : ""}` : "nothing live yet";
  const standby = status.standby.releaseId ? `standby ${status.standby.color}: release ${status.standby.releaseId} ${status.standby.phase ?? "unrecorded"}` : `standby ${status.standby.color}: empty`;
  const services = table(
    ["SERVICE", "LIVE", "LIVE IMAGE", "READY", "STANDBY IMAGE", "READY"],
    status.services.map((service) => [
      service.service,
      service.live?.color ?? "-",
      imageCell(service.live),
      replicas(service.live),
      imageCell(service.standby),
      replicas(service.standby)
    ])
  );
  const history = table(
    ["RELEASE", "PHASE", "COLOR", "DEPLOYED", "TESTS", "BY"],
    status.history.map((record) => [
      record.id,
      record.phase,
      record.color,
      record.deployedAt.replace("T", " ").slice(0, 19),
      record.verification ? `${record.verification.tests - record.verification.failures - record.verification.errors - record.verification.skipped}/${record.verification.tests} passed` : "-",
      record.actor
    ])
  );
  const notes2 = [
    ...status.strays.length ? [`warning: live Services of ${status.strays.join(", ")} point at the other color`] : [],
    ...status.switching ? [
      `switch to ${status.switching.to} in progress by ${status.switching.by} since ${status.switching.startedAt}`
    ] : [],
    ...status.recovered ? ["finished a switch an earlier run left half-done"] : [],
    ...liveProbeNote(status)
  ];
  return [
    `Group ${status.group} in ${status.namespace}: ${live}; ${standby}; phase ${status.phase}`,
    "",
    ...services,
    "",
    ...status.history.length ? ["History:", ...history] : ["History: none"],
    ...notes2.length ? ["", ...notes2] : [],
    ""
  ].join("\n");
}
function liveProbeNote(status) {
  const live = status.history.find((record) => record.id === status.liveReleaseId);
  return live?.switchProbe ? [`release ${live.id} went live; ${renderProbeLine(live.switchProbe)}`] : [];
}
function renderStatusJson(status) {
  return `${JSON.stringify(statusToJson(status), null, 2)}
`;
}
function renderColorsMermaid(status) {
  const lines = ["```mermaid", "flowchart LR"];
  for (const service of status.services) {
    const id = service.service.replace(/[^A-Za-z0-9]/g, "_");
    const live = service.live?.color;
    lines.push(`  ${id}["${service.service}"]`);
    if (live)
      lines.push(`  ${id} -->|live| ${id}_${live}["${service.service}-${live} ${replicas(service.live)}"]`);
    if (service.standby) {
      lines.push(
        `  ${id} -.->|standby| ${id}_${service.standby.color}["${service.service}-${service.standby.color} ${replicas(service.standby)}"]`
      );
    }
  }
  lines.push("```");
  return lines.join("\n");
}
function renderStatusMarkdown(status, title) {
  const rows = status.services.map(
    (service) => `| ${service.service} | ${service.live?.color ?? "-"} | ${service.live?.digest ? markdownCode(shortDigest(service.live.digest)) : "-"} | ${replicas(service.live)} | ${service.standby?.digest ? markdownCode(shortDigest(service.standby.digest)) : "-"} | ${service.standby?.branch ? markdownCode(service.standby.branch) : "-"} | ${replicas(service.standby)} |`
  );
  return [
    `### ${title}`,
    "",
    `Group ${markdownCode(status.group)} in ${markdownCode(status.namespace)} \xB7 live **${status.liveColor ?? "none"}** \xB7 standby **${status.standby.color}**${status.standby.releaseId ? ` (release ${markdownCode(status.standby.releaseId)}, ${status.standby.phase ?? "unrecorded"})` : ""}`,
    "",
    "| Service | Live | Live digest | Ready | Standby digest | Standby branch | Ready |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
    "",
    renderColorsMermaid(status),
    ""
  ].join("\n");
}

// src/engine/status.ts
async function groupStatus(input, deps) {
  let view = await readGroupView(input, deps);
  let recovered = false;
  const pending = pendingSwitch([...view.records.values()].map((entry) => entry.record));
  if (pending) {
    try {
      view = await withGroupLock({ ...input, lockTimeoutMs: 0 }, deps, async (session) => session.view);
      recovered = true;
    } catch (error) {
      if (!(error instanceof EngineError && error.kind === "lock-held")) throw error;
    }
  }
  return statusOf(view, input.historyLimit ?? 10, recovered);
}
function statusOf(view, historyLimit, recovered) {
  const records = newestFirst([...view.records.values()].map((entry) => entry.record));
  const live = liveReleaseId(view);
  const onStandby = standbyReleaseId(view);
  const standbyRecord = onStandby ? view.records.get(onStandby)?.record : void 0;
  const liveRecord = live ? view.records.get(live)?.record : void 0;
  const candidate = standbyRecord !== void 0 && ["deploying", "ready", "verified", "failed"].includes(standbyRecord.phase) && !isScaledDown(view, view.standbyColor);
  const pending = records.find((record) => record.switch);
  return {
    group: view.group.name,
    namespace: view.group.namespace,
    liveColor: view.liveColor ?? null,
    liveReleaseId: live ?? null,
    strays: view.strays,
    down: view.liveColor !== void 0 && isScaledDown(view, view.liveColor),
    phase: (candidate ? standbyRecord?.phase : liveRecord?.phase) ?? standbyRecord?.phase ?? "empty",
    standby: {
      color: view.standbyColor,
      releaseId: onStandby ?? null,
      phase: standbyRecord?.phase ?? null
    },
    services: view.group.services.map((service) => {
      const state = view.state.services[service.name];
      const liveColor = state?.liveColor;
      return {
        service: service.name,
        live: liveColor ? summary(view, service.name, liveColor) : null,
        standby: summary(view, service.name, view.standbyColor)
      };
    }),
    history: records.slice(0, historyLimit),
    switching: pending?.switch ? { by: pending.switch.by, to: pending.switch.to, startedAt: pending.switch.startedAt } : null,
    recovered
  };
}
function summary(view, service, color) {
  const state = view.state.services[service]?.colors[color];
  if (!state) return null;
  return {
    color,
    digest: state.digest ?? null,
    branch: state.branch ?? null,
    commit: state.commit ?? null,
    release: state.release ?? null,
    readyReplicas: state.readyReplicas,
    replicas: state.replicas
  };
}

// src/engine/apply.ts
async function applyReleaseToColor(input, deps) {
  const { group, catalog, color } = input;
  const ports = new Map([...catalog.services.values()].map((service) => [service.name, service.port]));
  const catalogServices = input.services.map((planned) => {
    const found = catalog.services.get(planned.service);
    if (!found) throw new Error(`${planned.service} is not in the catalog ${catalog.file}`);
    return { planned, catalogService: found };
  });
  const wanted = catalogServices.flatMap(
    ({ catalogService }) => supportServiceSpecs(catalogService, group.name, color)
  );
  await forEachLimited(
    servicesToApply(wanted, input.existingServices),
    (spec) => deps.cluster.applyService(spec)
  );
  const context = {
    group: group.name,
    namespace: group.namespace,
    releaseId: input.releaseId,
    color,
    runUrl: deps.run.runUrl,
    progressDeadlineSeconds: Math.max(60, Math.ceil(input.timeoutMs / 1e3))
  };
  await forEachLimited(
    catalogServices,
    ({ planned, catalogService }) => deps.cluster.applyDeployment(deploymentSpecOf(planned, catalogService, ports, context))
  );
  deps.log.info(
    `applied ${input.services.length} Deployments to ${color} (release ${input.releaseId}); waiting for them`
  );
}
function recordedServicePlans(record, group, catalog) {
  const replicas2 = new Map(group.services.map((service) => [service.name, service.replicas]));
  return record.services.map((service) => ({
    service: service.service,
    action: "deploy",
    selector: service.branch ? { kind: "branch", branch: service.branch } : { kind: "digest", digest: service.digest },
    source: "group",
    repository: service.repository,
    digest: service.digest,
    image: service.image,
    ...service.tag ? { tag: service.tag } : {},
    ...service.commit ? { commit: service.commit } : {},
    replicas: replicas2.get(service.service) ?? catalog.services.get(service.service)?.replicas ?? 1
  }));
}

export {
  probeTargets,
  probeJobName,
  probeDurationMs,
  probeJobSpec,
  lastProbeReport,
  unmeasuredProbe,
  measuredProbe,
  renderProbeLine,
  renderProbeMarkdown,
  renderPlanTable,
  planToJson,
  renderPlanJson,
  renderPlanMarkdown,
  historyEntry,
  renderStatusTable,
  renderStatusJson,
  renderStatusMarkdown,
  applyReleaseToColor,
  recordedServicePlans,
  groupStatus,
  statusOf
};
