/** The plan for people and machines: a terminal table, JSON, and markdown for job summaries. Pure. */
import { describeSelector } from './config/types.ts';
import type { Plan, ServicePlan } from './plan.ts';

/** `sha256:0123456789ab`: enough to tell images apart in a table. */
export function shortDigest(digest: string | undefined): string {
  if (!digest) return '-';
  const [algorithm, hex] = digest.split(':');
  return hex ? `${algorithm}:${hex.slice(0, 12)}` : digest;
}

function imageColumn(service: ServicePlan): string {
  const origin =
    service.source === 'override' ? ' (override)' : service.source === 'default-branch' ? ' (default)' : '';
  return `${describeSelector(service.selector)}${origin}`;
}

function liveColumn(service: ServicePlan): string {
  if (!service.live) return '-';
  return service.live.branch
    ? `${shortDigest(service.live.digest)} ${service.live.branch}`
    : shortDigest(service.live.digest);
}

function headline(plan: Plan): string {
  const live = plan.liveColor
    ? `live ${plan.liveColor}, standby ${plan.standbyColor}`
    : `no live color yet, standby ${plan.standbyColor}`;
  return `Group ${plan.group} in namespace ${plan.namespace}: ${live}, release ${plan.releaseId}`;
}

function tally(plan: Plan): string {
  const counts = (['deploy', 'first-deploy', 'unchanged'] as const)
    .map((action) => [action, plan.services.filter((service) => service.action === action).length] as const)
    .filter(([, count]) => count > 0)
    .map(([action, count]) => `${count} ${action}`);
  return `${counts.join(', ')}; every service goes to ${plan.standbyColor}, tested there before it goes live`;
}

function notes(plan: Plan): string[] {
  return [
    ...(plan.namespaceExists === false
      ? [`namespace ${plan.namespace} does not exist yet; the deploy creates it`]
      : []),
    ...plan.warnings.map((warning) => `warning: ${warning}`),
  ];
}

export function renderPlanTable(plan: Plan): string {
  const header = [
    'SERVICE',
    'ACTION',
    'IMAGE',
    `STANDBY (${plan.standbyColor})`,
    plan.liveColor ? `LIVE (${plan.liveColor})` : 'LIVE',
  ];
  const rows = plan.services.map((service) => [
    service.service,
    service.action,
    imageColumn(service),
    shortDigest(service.digest),
    liveColumn(service),
  ]);
  const widths = header.map((cell, column) =>
    Math.max(cell.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [headline(plan), '', line(header), ...rows.map(line), '', tally(plan), ...notes(plan), ''].join(
    '\n',
  );
}

export function planToJson(plan: Plan): object {
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
      live: service.live ?? null,
    })),
    warnings: plan.warnings,
  };
}

export function renderPlanJson(plan: Plan): string {
  return `${JSON.stringify(planToJson(plan), null, 2)}\n`;
}

/** Inline code that survives backticks and pipes in branch names (git allows both). */
export function markdownCode(text: string): string {
  const longestRun = Math.max(0, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = '`'.repeat(longestRun + 1);
  const padded = text.startsWith('`') || text.endsWith('`') ? ` ${text} ` : text;
  return `${fence}${padded.replace(/\|/g, '\\|')}${fence}`;
}

function markdownImage(service: ServicePlan): string {
  const { selector } = service;
  const value =
    selector.kind === 'branch'
      ? selector.branch
      : selector.kind === 'tag'
        ? selector.tag
        : shortDigest(selector.digest);
  const origin =
    service.source === 'override' ? ' (override)' : service.source === 'default-branch' ? ' (default)' : '';
  return `${selector.kind} ${markdownCode(value)}${origin}`;
}

export function renderPlanMarkdown(plan: Plan): string {
  const live = plan.liveColor ? `live **${plan.liveColor}**` : 'no live color yet';
  const rows = plan.services.map((service) =>
    [
      service.service,
      service.action,
      markdownImage(service),
      markdownCode(shortDigest(service.digest)),
      service.live
        ? `${markdownCode(shortDigest(service.live.digest))}${service.live.branch ? ` ${markdownCode(service.live.branch)}` : ''}`
        : '-',
    ].join(' | '),
  );
  return [
    `### Greenlight plan: ${markdownCode(plan.group)}`,
    '',
    `Namespace ${markdownCode(plan.namespace)} · ${live} · standby **${plan.standbyColor}** · release ${markdownCode(plan.releaseId)}`,
    '',
    `| Service | Action | Image | Standby (${plan.standbyColor}) | Live${plan.liveColor ? ` (${plan.liveColor})` : ''} |`,
    '| --- | --- | --- | --- | --- |',
    ...rows.map((row) => `| ${row} |`),
    '',
    tally(plan),
    ...notes(plan).map((note) => `\n> ${note}`),
    '',
  ].join('\n');
}
