/** The parts of a JUnit report people read: totals in words, and what failed. Pure. */
import type { JUnitCase, JUnitReport, JUnitTotals } from '../junit/types.ts';

/** `2.32 s`, `4 min 5 s`, `1 h 2 min`. */
export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${Number(seconds.toFixed(seconds < 10 ? 2 : 1))} s`;
  const whole = Math.round(seconds);
  if (whole < 3600) return `${Math.floor(whole / 60)} min ${whole % 60} s`;
  return `${Math.floor(whole / 3600)} h ${Math.floor((whole % 3600) / 60)} min`;
}

/** `1 test`, `2 tests` */
export const plural = (count: number, one: string, many = `${one}s`) =>
  `${count} ${count === 1 ? one : many}`;

/** `6 tests: 4 passed, 1 failed, 0 errors, 1 skipped (1 flaky), 2.32 s` */
export function describeTotals(totals: JUnitTotals): string {
  const parts = [
    `${totals.passed} passed`,
    `${totals.failures} failed`,
    plural(totals.errors, 'error'),
    `${totals.skipped} skipped`,
  ];
  const flaky = totals.flaky > 0 ? ` (${totals.flaky} flaky)` : '';
  const time = totals.timeSeconds === undefined ? '' : `, ${formatSeconds(totals.timeSeconds)}`;
  return `${plural(totals.tests, 'test')}: ${parts.join(', ')}${flaky}${time}`;
}

/** What failed, one entry per failed or errored case and per suite error, in report order. */
export interface FailureEntry {
  kind: 'failed' | 'errored' | 'suite error';
  title: string;
  /** The message, then the body where it says more. */
  text: string;
}

/**
 * A case's name as people know it: `classname › name`, or the name alone where it already
 * says the class (jest-junit and mocha repeat it), or the innermost suite when there is no class.
 */
export function caseTitle(testCase: Pick<JUnitCase, 'name' | 'classname' | 'suite'>): string {
  const name = testCase.name === '' ? '(unnamed test case)' : testCase.name;
  const prefix = testCase.classname ?? testCase.suite.at(-1) ?? '';
  const repeats = name === prefix || name.startsWith(`${prefix} `) || name.endsWith(` ${prefix}`);
  if (prefix === '' || repeats) return name;
  return `${prefix} › ${name}`;
}

function problemText(problem: { message?: string; type?: string; details?: string }): string {
  const { message, type, details } = problem;
  const head = message ?? (type && !details ? type : undefined);
  if (head === undefined) return details ?? '(no message)';
  if (details === undefined || details === head || details.startsWith(head)) return details ?? head;
  return `${head}\n\n${details}`;
}

/** Suite errors first (a suite that did not run hides its cases), then failed and errored cases in report order. */
export function failureEntries(report: Pick<JUnitReport, 'cases' | 'suiteErrors'>): FailureEntry[] {
  const suiteErrors = report.suiteErrors.map(
    (error): FailureEntry => ({
      kind: 'suite error',
      title: `suite ${error.suite.join(' › ') || '(root)'} did not run to the end`,
      text: problemText(error),
    }),
  );
  const cases = report.cases
    .filter((testCase) => testCase.status === 'failed' || testCase.status === 'errored')
    .map(
      (testCase): FailureEntry => ({
        kind: testCase.status === 'failed' ? 'failed' : 'errored',
        title: caseTitle(testCase),
        text: problemText(testCase),
      }),
    );
  return [...suiteErrors, ...cases];
}
