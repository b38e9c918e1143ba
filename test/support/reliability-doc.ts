/**
 * docs/reliability.md is rendered from the committed catalogue of reliability cases
 * (reliability-cases.ts), and cannot drift from what the tests do:
 *
 * 1. each case is run by exactly one test, through `reliabilityCase(id, trial)`
 *    (reliability.ts), which runs the case's number of trials and asserts, for every
 *    trial, the outcome and the client's message the catalogue states;
 * 2. a unit test (test/unit/reliability-doc.test.ts) checks that the committed doc equals
 *    `renderReliabilityDoc(RELIABILITY_CASES)`, that every case's test file calls
 *    `reliabilityCase` with its id exactly once, and that no test names an unknown case.
 *
 * So a change of behaviour fails the case's test, a change of the catalogue fails the doc
 * check until `npm run reliability:doc` rewrites the doc, and a case nobody runs fails too.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const REPO_ROOT = new URL('../..', import.meta.url).pathname;

/** What a trial ended in, from the point of view of whoever ran the command. */
export type Outcome =
  /** the client saw the fault exactly as it was injected (checks of the harness itself) */
  | 'observed'
  /** the command finished correctly despite the fault; the end state was read back and is right */
  | 'recovered'
  /** the command failed, naming the cause, and left nothing half done */
  | 'failed-clearly'
  /** bad input: one clear error, nothing executed, nothing written */
  | 'refused'
  /** the command did its work, and no secret appeared in anything scanned */
  | 'kept-secret';

export interface ReliabilityCase {
  /** `area.name`, unique; the test names it in `reliabilityCase('<id>', ...)` */
  id: string;
  /** groups the doc's tables, e.g. `harness: API server proxy` */
  area: string;
  /** the fault or input, in a few words */
  fault: string;
  /** who ran into it: kubectl, skopeo, the AWS SDK, later `greenlight deploy` */
  client: string;
  /** how many times the test runs it */
  trials: number;
  outcome: Outcome;
  /**
   * text the client's output must contain in every trial, when there is one to check; a
   * list when the client words the same outcome in more than one way (any one must appear)
   */
  message?: string | readonly string[];
  /** what else every trial asserts, read back independently */
  checks: string;
  /** the test file, from the repository root */
  test: string;
}

export const OUTCOME_MEANING: Record<Outcome, string> = {
  observed: 'the client saw the fault exactly as injected (a check of the harness itself)',
  recovered: 'the command finished correctly despite the fault; the end state was read back and is right',
  'failed-clearly': 'the command failed naming the cause, and left nothing half done',
  refused: 'one clear error, nothing executed, nothing written',
  'kept-secret':
    'the command did its work (read back), and no secret appeared, in any form scanned, in any argv sampled or anything captured',
};

/** The case's message alternatives (none, one, or several). */
export function messages(c: ReliabilityCase): readonly string[] {
  if (c.message === undefined) return [];
  return typeof c.message === 'string' ? [c.message] : c.message;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function areaTable(cases: readonly ReliabilityCase[]): string[] {
  const lines = [
    '| fault or input | client | trials | outcome | the client says | also checked |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const c of cases) {
    const message = messages(c)
      .map((text) => `\`${text.replace(/`/g, "'")}\``)
      .join(' or ');
    lines.push(
      `| ${cell(c.fault)} | ${cell(c.client)} | ${c.trials} | ${c.outcome} | ${cell(message)} | ${cell(c.checks)} |`,
    );
  }
  return lines;
}

/**
 * docs/reliability.md as committed: the rendering, formatted by Biome (which formats the
 * repository's Markdown, aligning tables), so `npm run lint` and the doc check agree.
 */
export function reliabilityDoc(cases: readonly ReliabilityCase[]): string {
  return execFileSync(
    join(REPO_ROOT, 'node_modules', '.bin', 'biome'),
    ['format', '--stdin-file-path=docs/reliability.md'],
    {
      cwd: REPO_ROOT,
      input: renderReliabilityDoc(cases),
      encoding: 'utf8',
      timeout: 30_000,
    },
  );
}

/** The whole of docs/reliability.md, before formatting. */
export function renderReliabilityDoc(cases: readonly ReliabilityCase[]): string {
  const areas = [...new Set(cases.map((c) => c.area))];
  const lines = [
    '# Reliability: every fault and input tried',
    '',
    '<!-- Generated from test/support/reliability-cases.ts by `npm run reliability:doc`; do not edit. -->',
    '',
    'Each row is a case of `test/support/reliability-cases.ts`. Its test runs it the number of',
    'times given and asserts, every time, the outcome and the message shown here; a unit test',
    '(`test/unit/reliability-doc.test.ts`) fails when this file differs from the cases or a',
    'case has no test. The faults come from the fault-injecting proxy (`test/support/fault-proxy.ts`),',
    "which stands in front of the local stack's API server, registry and ECR; kill points from",
    '`test/support/kill-points.ts`.',
    '',
    `${cases.length} cases, ${cases.reduce((sum, c) => sum + c.trials, 0)} trials.`,
    '',
    '| outcome | meaning |',
    '| --- | --- |',
    ...(Object.entries(OUTCOME_MEANING) as [Outcome, string][])
      .filter(([outcome]) => cases.some((c) => c.outcome === outcome))
      .map(([outcome, meaning]) => `| ${outcome} | ${meaning} |`),
  ];
  for (const area of areas) {
    const inArea = cases.filter((c) => c.area === area);
    const files = [...new Set(inArea.map((c) => `\`${c.test}\``))].join(', ');
    lines.push('', `## ${area}`, '', `Tests: ${files}.`, '', ...areaTable(inArea));
  }
  return `${lines.join('\n')}\n`;
}
