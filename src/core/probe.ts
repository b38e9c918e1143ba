/**
 * The switch probe, decided on plain values: which live Services it sends to, the Job that
 * runs it (sample-apps/switch-probe), how its running count is read back from its log,
 * and what the release record, the CLI and the job summary say about it. The probe counts
 * a request as failed when it gets no HTTP answer (refused, reset, timed out) or a 5xx.
 */
import type { CatalogService } from './config/types.ts';
import type { Color } from './naming.ts';
import type { TestJobSpec } from './testing.ts';
import { inClusterUrl, liveServiceName } from './workload.ts';

/** Marks the probe's report lines (sample-apps/switch-probe/src/probe.js says the same). */
export const PROBE_REPORT_MARKER = 'greenlight-probe-report ';

/** One report line of the probe: its running count since it started. */
export interface ProbeReport {
  elapsedMs: number;
  sent: number;
  ok: number;
  failed: number;
  failures: Record<string, number>;
  p50Ms: number;
  p99Ms: number;
  services: Record<string, { sent: number; failed: number }>;
  done: boolean;
  /** The probe refused its settings. */
  error?: string;
}

export interface ProbeTarget {
  service: string;
  url: string;
}

/**
 * GET the liveness path of every live Service: it answers while a pod's process runs, also
 * while it drains (the readiness path turns 503 then, which would count a served request
 * as failed), and calls nothing else, so a failure is the switch's and not a callee's.
 */
export function probeTargets(services: readonly CatalogService[], namespace: string): ProbeTarget[] {
  return services.map((service) => ({
    service: service.name,
    url: `${inClusterUrl(liveServiceName(service.name), namespace, service.port)}${service.livenessPath}`,
  }));
}

/** The probe's Job has the shape of a test Job: one pod, its image, its env, a deadline. */
export type ProbeJobSpec = TestJobSpec;

/** `greenlight-probe-<release>-<base36 time>`: one name per switch, at most 63 characters. */
export function probeJobName(releaseId: string, nowMs: number): string {
  const suffix = `-${nowMs.toString(36)}`;
  return `greenlight-probe-${releaseId}`.slice(0, 63 - suffix.length) + suffix;
}

/** The probe may run this long at most (its own limit; the Job's deadline is a little later). */
export function probeDurationMs(switchTimeoutMs: number, scaleDownDelayMs: number | undefined): number {
  return Math.min(switchTimeoutMs + (scaleDownDelayMs ?? 0) + PROBE_SLACK_MS, MAX_PROBE_DURATION_MS);
}

/** The lead-in, the wait for the old pods, the tail, and time to start: generous, the engine ends it sooner. */
const PROBE_SLACK_MS = 3 * 60_000;
export const MAX_PROBE_DURATION_MS = 60 * 60_000;

export function probeJobSpec(input: {
  name: string;
  group: string;
  releaseId: string;
  image: string;
  targets: readonly ProbeTarget[];
  rate: number;
  durationMs: number;
}): ProbeJobSpec {
  return {
    name: input.name,
    group: input.group,
    releaseId: input.releaseId,
    image: input.image,
    env: [
      [
        'GREENLIGHT_PROBE_TARGETS',
        input.targets.map((target) => `${target.service}=${target.url}`).join(' '),
      ],
      ['GREENLIGHT_PROBE_RATE', String(input.rate)],
      ['GREENLIGHT_PROBE_DURATION_MS', String(input.durationMs)],
      ['GREENLIGHT_PROBE_REPORT_MS', '500'],
    ],
    activeDeadlineSeconds: Math.ceil(input.durationMs / 1000) + 60,
  };
}

/** The last well-formed report line of a probe's log; undefined when there is none yet. */
export function lastProbeReport(log: string): ProbeReport | undefined {
  const lines = log.split('\n');
  for (let index = lines.length - 1; index >= 0; index -= 1) {
    const line = lines[index]?.trim() ?? '';
    const at = line.indexOf(PROBE_REPORT_MARKER);
    if (at < 0) continue;
    const report = parseReport(line.slice(at + PROBE_REPORT_MARKER.length));
    if (report) return report;
  }
  return undefined;
}

function parseReport(text: string): ProbeReport | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const raw = value as Record<string, unknown>;
  if (typeof raw.error === 'string') return { ...emptyReport(), done: true, error: raw.error };
  const numbers = ['elapsedMs', 'sent', 'ok', 'failed', 'p50Ms', 'p99Ms'] as const;
  if (!numbers.every((key) => typeof raw[key] === 'number' && Number.isFinite(raw[key]))) return undefined;
  return {
    elapsedMs: raw.elapsedMs as number,
    sent: raw.sent as number,
    ok: raw.ok as number,
    failed: raw.failed as number,
    p50Ms: raw.p50Ms as number,
    p99Ms: raw.p99Ms as number,
    failures: countsOf(raw.failures),
    services: servicesOf(raw.services),
    done: raw.done === true,
  };
}

function emptyReport(): ProbeReport {
  return {
    elapsedMs: 0,
    sent: 0,
    ok: 0,
    failed: 0,
    failures: {},
    p50Ms: 0,
    p99Ms: 0,
    services: {},
    done: false,
  };
}

function countsOf(value: unknown): Record<string, number> {
  if (typeof value !== 'object' || value === null) return {};
  return Object.fromEntries(
    Object.entries(value).filter((entry): entry is [string, number] => typeof entry[1] === 'number'),
  );
}

function servicesOf(value: unknown): ProbeReport['services'] {
  if (typeof value !== 'object' || value === null) return {};
  return Object.fromEntries(
    Object.entries(value).flatMap(([service, counts]) => {
      const { sent, failed } = (counts ?? {}) as { sent?: unknown; failed?: unknown };
      return typeof sent === 'number' && typeof failed === 'number' ? [[service, { sent, failed }]] : [];
    }),
  );
}

/** What the release record keeps of a switch's probe. */
export interface SwitchProbeRecord {
  /** false: nothing was measured, and `note` says why. */
  measured: boolean;
  operation: 'promote' | 'rollback';
  from?: Color;
  to: Color;
  sent: number;
  failed: number;
  failures: Record<string, number>;
  p50Ms: number;
  p99Ms: number;
  /** Requests per second to each live Service. */
  rate: number;
  services: Record<string, { sent: number; failed: number }>;
  /** How far the window reached: until the old color's pods were gone, or (scale-down kept) past the switch. */
  until: 'old-color-gone' | 'switched';
  startedAt: string;
  endedAt: string;
  note?: string;
}

export function unmeasuredProbe(
  base: Pick<SwitchProbeRecord, 'operation' | 'from' | 'to' | 'rate' | 'startedAt' | 'endedAt'>,
  note: string,
): SwitchProbeRecord {
  return {
    ...base,
    measured: false,
    sent: 0,
    failed: 0,
    failures: {},
    p50Ms: 0,
    p99Ms: 0,
    services: {},
    until: 'switched',
    note,
  };
}

export function measuredProbe(
  base: Pick<SwitchProbeRecord, 'operation' | 'from' | 'to' | 'rate' | 'startedAt' | 'endedAt' | 'until'>,
  report: ProbeReport,
): SwitchProbeRecord {
  return {
    ...base,
    measured: true,
    sent: report.sent,
    failed: report.failed,
    failures: report.failures,
    p50Ms: report.p50Ms,
    p99Ms: report.p99Ms,
    services: report.services,
  };
}

function reasons(failures: Record<string, number>): string {
  return Object.entries(failures)
    .sort((a, b) => b[1] - a[1])
    .map(([reason, count]) => `${count} ${reason}`)
    .join(', ');
}

function window(probe: SwitchProbeRecord): string {
  const to = `the switch to ${probe.to}`;
  return probe.until === 'old-color-gone' && probe.from
    ? `across ${to} and until ${probe.from}'s pods were gone`
    : `across ${to}`;
}

/** One line for the CLI and the action log. */
export function renderProbeLine(probe: SwitchProbeRecord): string {
  if (!probe.measured) return `switch probe: not measured (${probe.note ?? 'no report'})`;
  const latency = `p50 ${probe.p50Ms.toFixed(1)} ms, p99 ${probe.p99Ms.toFixed(1)} ms`;
  if (probe.failed === 0) {
    return `switch probe: 0 failed of ${probe.sent} requests ${window(probe)} (${latency})`;
  }
  return `switch probe: ${probe.failed} of ${probe.sent} requests FAILED ${window(probe)} (${reasons(probe.failures)}; ${latency})`;
}

/** The job summary's section: plain about failures. */
export function renderProbeMarkdown(probe: SwitchProbeRecord): string {
  if (!probe.measured) {
    return `#### Switch probe\n\nNot measured: ${probe.note ?? 'no report'}.\n`;
  }
  const rows = Object.entries(probe.services).map(
    ([service, counts]) => `| ${service} | ${counts.sent} | ${counts.failed} |`,
  );
  const verdict =
    probe.failed === 0
      ? `**No request failed**: ${probe.sent} requests ${window(probe)}, at ${probe.rate}/s to each live Service.`
      : `> [!WARNING]\n> **${probe.failed} of ${probe.sent} requests failed** ${window(probe)}: ${reasons(probe.failures)}. Clients of these Services saw errors during the switch.`;
  return [
    '#### Switch probe',
    '',
    verdict,
    '',
    `Latency of the answered requests: p50 ${probe.p50Ms.toFixed(1)} ms, p99 ${probe.p99Ms.toFixed(1)} ms.`,
    '',
    '| Live Service | Requests | Failed |',
    '| --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
