/** A JUnit XML report as Greenlight reads it: counted from the `<testcase>` elements, not the attributes. */

export type CaseStatus = 'passed' | 'failed' | 'errored' | 'skipped';

export interface JUnitCase {
  name: string;
  classname?: string;
  /** The names of the enclosing `<testsuite>` elements, outermost first. */
  suite: string[];
  status: CaseStatus;
  /** Seconds, when the report gave a usable `time`. */
  timeSeconds?: number;
  /** From the `<failure>`, `<error>` or `<skipped>` element that decided the status. */
  message?: string;
  type?: string;
  /** That element's text (CDATA and plain text), trimmed and bounded. */
  details?: string;
  /** Runs that failed before a later rerun passed (Surefire's flakyFailure/flakyError/rerun*). */
  flakyRuns: number;
  systemOut?: string;
  systemErr?: string;
  /** Line of the report where the case starts. */
  line: number;
}

/** An `<error>` or `<failure>` directly under a `<testsuite>`: the suite failed to start or to finish. */
export interface JUnitSuiteError {
  suite: string[];
  kind: 'error' | 'failure';
  message?: string;
  type?: string;
  details?: string;
  line: number;
}

export interface JUnitTotals {
  /** Every `<testcase>` element. */
  tests: number;
  passed: number;
  failures: number;
  errors: number;
  skipped: number;
  /** Passed cases that failed at least once before (counted in `passed` too). */
  flaky: number;
  /** Seconds, when any element gave a usable `time`. */
  timeSeconds?: number;
}

export interface JUnitSuite {
  name: string;
  /** Names of the suite and its enclosing suites, outermost first. */
  path: string[];
  /** Counted over the suite's own cases and its nested suites'. */
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
  timeSeconds?: number;
  systemOut?: string;
  line: number;
}

export interface JUnitReport {
  /** What the report was read from: a file name, `stdout of the test command`, ... */
  source: string;
  totals: JUnitTotals;
  cases: JUnitCase[];
  suites: JUnitSuite[];
  suiteErrors: JUnitSuiteError[];
  /** Oddities that did not stop the reading: attributes that disagree with the count, unusable times. */
  warnings: string[];
}

/** A report passes when no case failed or errored and no suite reported an error of its own. */
export function junitPassed(report: Pick<JUnitReport, 'totals' | 'suiteErrors'>): boolean {
  return report.totals.failures === 0 && report.totals.errors === 0 && report.suiteErrors.length === 0;
}

export interface JUnitLimits {
  /** Reports larger than this are refused before parsing. */
  maxBytes: number;
  /** Elements nested deeper than this are refused. */
  maxDepth: number;
  /** More `<testcase>` elements than this are refused. */
  maxCases: number;
}
