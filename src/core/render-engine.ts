/**
 * What the engine's operations look like to people and scripts: terminal lines and tables
 * for the CLI, markdown (with a mermaid picture of live and standby) for job summaries,
 * and the JSON the command contract promises. Pure functions of plain values.
 */
import type { Color } from './naming.ts';
import { renderProbeLine } from './probe.ts';
import type { ReleasePhase, ReleaseRecord } from './release.ts';
import { markdownCode, shortDigest } from './render-plan.ts';

export interface ColorSummaryView {
  color: Color;
  digest: string | null;
  branch: string | null;
  commit: string | null;
  release: string | null;
  readyReplicas: number;
  replicas: number;
}

export interface StatusView {
  group: string;
  namespace: string;
  liveColor: Color | null;
  liveReleaseId: string | null;
  strays: string[];
  down: boolean;
  phase: ReleasePhase | 'empty';
  standby: { color: Color; releaseId: string | null; phase: ReleasePhase | null };
  services: { service: string; live: ColorSummaryView | null; standby: ColorSummaryView | null }[];
  history: ReleaseRecord[];
  switching: { by: string; to: Color; startedAt: string } | null;
  recovered: boolean;
}

export function statusToJson(status: StatusView): object {
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
      standby: service.standby,
    })),
    history: status.history.map(historyEntry),
  };
}

/** One release as a history line: what scripts and the switch-color output read. */
export function historyEntry(record: ReleaseRecord): object {
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
    verification: record.verification
      ? {
          passed: record.verification.passed,
          tests: record.verification.tests,
          failures: record.verification.failures,
          errors: record.verification.errors,
          skipped: record.verification.skipped,
          runUrl: record.verification.runUrl ?? null,
        }
      : null,
    forced: record.forced ?? null,
    failure: record.failure ?? null,
    switchProbe: record.switchProbe ?? null,
    services: record.services.map((service) => ({
      service: service.service,
      digest: service.digest,
      branch: service.branch ?? null,
      commit: service.commit ?? null,
    })),
  };
}

function replicas(summary: ColorSummaryView | null): string {
  return summary ? `${summary.readyReplicas}/${summary.replicas}` : '-';
}

function imageCell(summary: ColorSummaryView | null): string {
  if (!summary?.digest) return '-';
  const branch = summary.branch ? ` ${summary.branch}` : '';
  const commit = summary.commit ? ` ${summary.commit.slice(0, 7)}` : '';
  return `${shortDigest(summary.digest)}${branch}${commit}`;
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((cell, column) =>
    Math.max(cell.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

export function renderStatusTable(status: StatusView): string {
  const live = status.liveColor
    ? `live ${status.liveColor} (release ${status.liveReleaseId ?? 'mixed'})${status.down ? ', DOWN' : ''}`
    : 'nothing live yet';
  const standby = status.standby.releaseId
    ? `standby ${status.standby.color}: release ${status.standby.releaseId} ${status.standby.phase ?? 'unrecorded'}`
    : `standby ${status.standby.color}: empty`;
  const services = table(
    ['SERVICE', 'LIVE', 'LIVE IMAGE', 'READY', 'STANDBY IMAGE', 'READY'],
    status.services.map((service) => [
      service.service,
      service.live?.color ?? '-',
      imageCell(service.live),
      replicas(service.live),
      imageCell(service.standby),
      replicas(service.standby),
    ]),
  );
  const history = table(
    ['RELEASE', 'PHASE', 'COLOR', 'DEPLOYED', 'TESTS', 'BY'],
    status.history.map((record) => [
      record.id,
      record.phase,
      record.color,
      record.deployedAt.replace('T', ' ').slice(0, 19),
      record.verification
        ? `${record.verification.tests - record.verification.failures - record.verification.errors - record.verification.skipped}/${record.verification.tests} passed`
        : '-',
      record.actor,
    ]),
  );
  const notes = [
    ...(status.strays.length
      ? [`warning: live Services of ${status.strays.join(', ')} point at the other color`]
      : []),
    ...(status.switching
      ? [
          `switch to ${status.switching.to} in progress by ${status.switching.by} since ${status.switching.startedAt}`,
        ]
      : []),
    ...(status.recovered ? ['finished a switch an earlier run left half-done'] : []),
    ...liveProbeNote(status),
  ];
  return [
    `Group ${status.group} in ${status.namespace}: ${live}; ${standby}; phase ${status.phase}`,
    '',
    ...services,
    '',
    ...(status.history.length ? ['History:', ...history] : ['History: none']),
    ...(notes.length ? ['', ...notes] : []),
    '',
  ].join('\n');
}

/** What the switch probe counted when the live release went live, if it ran. */
function liveProbeNote(status: StatusView): string[] {
  const live = status.history.find((record) => record.id === status.liveReleaseId);
  return live?.switchProbe ? [`release ${live.id} went live; ${renderProbeLine(live.switchProbe)}`] : [];
}

export function renderStatusJson(status: StatusView): string {
  return `${JSON.stringify(statusToJson(status), null, 2)}\n`;
}

/** A picture of the group for job summaries: which color serves, which waits. */
export function renderColorsMermaid(status: Pick<StatusView, 'liveColor' | 'standby' | 'services'>): string {
  const lines = ['```mermaid', 'flowchart LR'];
  for (const service of status.services) {
    const id = service.service.replace(/[^A-Za-z0-9]/g, '_');
    const live = service.live?.color;
    lines.push(`  ${id}["${service.service}"]`);
    if (live)
      lines.push(`  ${id} -->|live| ${id}_${live}["${service.service}-${live} ${replicas(service.live)}"]`);
    if (service.standby) {
      lines.push(
        `  ${id} -.->|standby| ${id}_${service.standby.color}["${service.service}-${service.standby.color} ${replicas(service.standby)}"]`,
      );
    }
  }
  lines.push('```');
  return lines.join('\n');
}

export function renderStatusMarkdown(status: StatusView, title: string): string {
  const rows = status.services.map(
    (service) =>
      `| ${service.service} | ${service.live?.color ?? '-'} | ${service.live?.digest ? markdownCode(shortDigest(service.live.digest)) : '-'} | ${replicas(service.live)} | ${service.standby?.digest ? markdownCode(shortDigest(service.standby.digest)) : '-'} | ${service.standby?.branch ? markdownCode(service.standby.branch) : '-'} | ${replicas(service.standby)} |`,
  );
  return [
    `### ${title}`,
    '',
    `Group ${markdownCode(status.group)} in ${markdownCode(status.namespace)} · live **${status.liveColor ?? 'none'}** · standby **${status.standby.color}**${status.standby.releaseId ? ` (release ${markdownCode(status.standby.releaseId)}, ${status.standby.phase ?? 'unrecorded'})` : ''}`,
    '',
    '| Service | Live | Live digest | Ready | Standby digest | Standby branch | Ready |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    renderColorsMermaid(status),
    '',
  ].join('\n');
}
