/**
 * A test run for people: the job summary, the sticky pull-request comment, the commit status
 * description and the CLI's text. Pure functions of a TestRunReport, each kept under the limit
 * GitHub puts on it by leaving out failed cases (and, past that, table rows), never by cutting
 * markdown in the middle.
 */
import type { JUnitReport } from '../junit/types.ts';
import { describeTotals, type FailureEntry, failureEntries, plural } from './junit-summary.ts';
import { cellCode, code, codeBlock, cut, escapeHtml, escapeText, link } from './markdown.ts';
import type { DeployedService, PendingTestRun, TestRunReport } from './types.ts';

/** GitHub refuses comment bodies longer than this. */
export const COMMENT_LIMIT = 65_536;
/** GitHub takes at most 1 MiB of job summary per step. */
export const JOB_SUMMARY_LIMIT_BYTES = 1024 * 1024;
/** GitHub refuses commit status descriptions longer than this. */
export const STATUS_DESCRIPTION_LIMIT = 140;

const MAX_NOTES = 10;
const MAX_NOTE_CHARS = 500;
const MAX_REPORT_WARNINGS = 5;

/** The hidden first line that finds the group's comment again on the next run. */
export function commentMarker(group: string): string {
  return `<!-- greenlight:${encodeURIComponent(group)} -->`;
}

/** The commit status context of a group: one status per group on each commit. */
export function statusContext(group: string): string {
  return `greenlight/${group}`;
}

interface Layout {
  limit: number;
  measure: (text: string) => number;
  /** Characters of a failed case's message and body shown inside its <details>. */
  caseTextChars: number;
  first: string[];
  last: string[];
}

/**
 * The job summary of a run. `reportingWarnings` are the TeamReporter's warnings (a comment
 * that could not be written, a status refused): the summary is where people see them.
 */
export function renderJobSummary(report: TestRunReport, reportingWarnings: readonly string[] = []): string {
  return renderMarkdown(report, {
    limit: JOB_SUMMARY_LIMIT_BYTES,
    measure: (text) => Buffer.byteLength(text, 'utf8'),
    caseTextChars: 20_000,
    first: [],
    last: reportingSection(reportingWarnings),
  });
}

function reportingSection(warnings: readonly string[]): string[] {
  if (warnings.length === 0) return [];
  const shown = warnings
    .slice(0, MAX_NOTES)
    .map((warning) => `- ⚠️ ${escapeText(cut(warning, MAX_NOTE_CHARS))}`);
  if (warnings.length > MAX_NOTES) shown.push(`- …and ${warnings.length - MAX_NOTES} more (see the log)`);
  return ['#### Reporting to GitHub', shown.join('\n')];
}

export function renderPullRequestComment(report: TestRunReport): string {
  return renderMarkdown(report, {
    // Measured in UTF-16 code units, never fewer than the characters GitHub counts.
    limit: COMMENT_LIMIT,
    measure: (text) => text.length,
    caseTextChars: 4_000,
    first: [commentMarker(report.group)],
    last: [`<sub>Greenlight updates this comment on every test run of group ${code(report.group)}.</sub>`],
  });
}

function renderMarkdown(report: TestRunReport, layout: Layout): string {
  const { measure, limit } = layout;
  const head = [
    ...layout.first,
    headline(report),
    releaseLine(report),
    ...notesList(report),
    resultsLine(report),
  ];
  const failures = report.junit ? failureEntries(report.junit) : [];
  const heading = failures.length > 0 ? [`#### Failed (${failures.length})`] : [];
  const overflow = (omitted: number) =>
    `…and ${omitted} more not shown here: see ${report.runUrl ? link('the workflow run', report.runUrl) : 'the job log'}.`;
  // Parts are joined by a blank line and end with a newline; both measures add up over concatenation.
  const size = (parts: string[]) =>
    parts.reduce((sum, part) => sum + measure(part) + SEPARATOR.length, 0) - SEPARATOR.length + 1;

  // The table loses rows only when head, table and footer alone would not fit.
  const reserve = size([...head, ...heading, overflow(failures.length), ...layout.last]) + SEPARATOR.length;
  const fixed = [...head, fitTable(report.services, limit - reserve, measure), ...heading];
  let used = size([...fixed, ...layout.last]);
  const shown: string[] = [];
  for (const [index, failure] of failures.entries()) {
    const block = failureBlock(failure, layout.caseTextChars);
    const omittedAfter = failures.length - index - 1;
    const overflowSize = omittedAfter > 0 ? measure(overflow(omittedAfter)) + SEPARATOR.length : 0;
    if (used + measure(block) + SEPARATOR.length + overflowSize > limit) break;
    shown.push(block);
    used += measure(block) + SEPARATOR.length;
  }
  const omitted = failures.length - shown.length;
  const parts = [...fixed, ...shown, ...(omitted > 0 ? [overflow(omitted)] : []), ...layout.last];
  return `${parts.join(SEPARATOR)}\n`;
}

const SEPARATOR = '\n\n';

function headline(report: TestRunReport): string {
  return report.passed
    ? `### ✅ Integration tests passed: group ${code(report.group)}`
    : `### ❌ Integration tests failed: group ${code(report.group)}`;
}

function releaseLine(report: TestRunReport): string {
  const color = report.standbyColor ? ` (${report.standbyColor})` : '';
  const run = report.runUrl ? ` · ${link('workflow run', report.runUrl)}` : '';
  return `Release ${code(report.releaseId)} on the standby color${color} in namespace ${code(report.namespace)}${run}`;
}

function notesList(report: TestRunReport): string[] {
  const warnings = (report.junit?.warnings ?? [])
    .slice(0, MAX_REPORT_WARNINGS)
    .map((warning) => `report: ${warning}`);
  const lines = [...report.notes, ...warnings];
  if (lines.length === 0) return [];
  const shown = lines.slice(0, MAX_NOTES).map((line) => `- ${escapeText(cut(line, MAX_NOTE_CHARS))}`);
  if (lines.length > MAX_NOTES) shown.push(`- …and ${lines.length - MAX_NOTES} more`);
  return [shown.join('\n')];
}

function resultsLine(report: TestRunReport): string {
  if (!report.junit) return '**Results:** no JUnit report';
  return `**Results:** ${describeTotals(report.junit.totals)}`;
}

const TABLE_HEADER = [
  '| Service | Branch | Commit | Digest | Standby URL |',
  '| --- | --- | --- | --- | --- |',
];
const MAX_CELL_CHARS = 200;

function serviceRow(service: DeployedService): string {
  const cell = (value: string | undefined) => (value ? cellCode(cut(value, MAX_CELL_CHARS)) : '-');
  return `| ${escapeText(cut(service.service, MAX_CELL_CHARS))} | ${cell(service.branch)} | ${cell(service.commit?.slice(0, 7))} | ${cell(shortDigest(service.digest))} | ${cell(service.standbyUrl)} |`;
}

function shortDigest(digest: string): string {
  const [algorithm, hex] = digest.split(':');
  return hex ? `${algorithm}:${hex.slice(0, 12)}` : digest;
}

/** The service table with as many rows as fit in `budget`, and a row counting the ones left out. */
function fitTable(services: DeployedService[], budget: number, measure: (text: string) => number): string {
  const rows = services.map(serviceRow);
  const more = (omitted: number) => `| …and ${omitted} more services | | | | |`;
  let used = measure(TABLE_HEADER.join('\n'));
  let kept = 0;
  for (const row of rows) {
    const omittedAfter = rows.length - kept - 1;
    const moreSize = omittedAfter > 0 ? measure(more(omittedAfter)) + 1 : 0;
    if (used + measure(row) + 1 + moreSize > budget) break;
    used += measure(row) + 1;
    kept += 1;
  }
  const omitted = rows.length - kept;
  return [...TABLE_HEADER, ...rows.slice(0, kept), ...(omitted > 0 ? [more(omitted)] : [])].join('\n');
}

const KIND_LABEL: Record<FailureEntry['kind'], string> = {
  failed: '❌ failed',
  errored: '💥 error',
  'suite error': '💥 suite error',
};

function failureBlock(failure: FailureEntry, textChars: number): string {
  return [
    '<details>',
    `<summary>${KIND_LABEL[failure.kind]}: <code>${escapeHtml(cut(failure.title, 300))}</code></summary>`,
    '',
    codeBlock(cut(failure.text, textChars, '\n… (cut; the whole text is in the report)')),
    '',
    '</details>',
  ].join('\n');
}

/** The description of the `greenlight/<group>` commit status: at most 140 characters. */
export function renderStatusDescription(run: PendingTestRun | TestRunReport): string {
  const description =
    'passed' in run ? resultDescription(run) : `Testing release ${run.releaseId} on standby`;
  return cut(description.replace(/\s+/g, ' '), STATUS_DESCRIPTION_LIMIT);
}

function resultDescription(report: TestRunReport): string {
  const totals = report.junit?.totals;
  const verdict = report.passed ? 'Passed' : 'Failed';
  if (!totals) return `${verdict}: ${report.notes[0] ?? 'no JUnit report'}`;
  const problems = [
    ...(totals.failures > 0 ? [`${totals.failures} failed`] : []),
    ...(totals.errors > 0 ? [plural(totals.errors, 'error')] : []),
    ...(report.junit && report.junit.suiteErrors.length > 0
      ? [plural(report.junit.suiteErrors.length, 'suite error')]
      : []),
  ];
  const skipped = totals.skipped > 0 ? `, ${totals.skipped} skipped` : '';
  const what =
    problems.length > 0
      ? `${problems.join(', ')} of ${plural(totals.tests, 'test')}`
      : `${plural(totals.tests, 'test')}${skipped}`;
  const why = !report.passed && problems.length === 0 && report.notes[0] ? ` (${report.notes[0]})` : '';
  return `${verdict}: ${what}${why}, release ${report.releaseId}`;
}

/** Terminal control characters (C1 controls, DEL) a report may carry: never sent to a terminal. */
const TERMINAL_CONTROLS = /[\u007f-\u009f]/g;

/** The CLI's view of a report: totals, then each failure with its first lines, then warnings. */
export function renderJUnitText(report: JUnitReport, bodyLines = 20): string {
  const lines = [`${report.source}: ${describeTotals(report.totals)}`];
  for (const failure of failureEntries(report)) {
    lines.push('', `${failure.kind.toUpperCase()}: ${failure.title}`);
    const body = failure.text.split('\n');
    lines.push(...body.slice(0, bodyLines).map((line) => `    ${line}`.trimEnd()));
    if (body.length > bodyLines) lines.push(`    ... (${body.length - bodyLines} more lines)`);
  }
  if (report.warnings.length > 0) lines.push('', ...report.warnings.map((warning) => `warning: ${warning}`));
  return `${lines.join('\n').replace(TERMINAL_CONTROLS, '\uFFFD')}\n`;
}
