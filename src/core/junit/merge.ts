/** Several reports of one run (Surefire writes one per class) read as one. */
import type { JUnitReport, JUnitTotals } from './types.ts';

export function mergeJUnitReports(reports: readonly JUnitReport[], source: string): JUnitReport {
  const [only] = reports;
  if (reports.length === 1 && only) return only;
  const times = reports.flatMap((report) =>
    report.totals.timeSeconds === undefined ? [] : [report.totals.timeSeconds],
  );
  const sum = (key: Exclude<keyof JUnitTotals, 'timeSeconds'>) =>
    reports.reduce((total, report) => total + report.totals[key], 0);
  return {
    source,
    totals: {
      tests: sum('tests'),
      passed: sum('passed'),
      failures: sum('failures'),
      errors: sum('errors'),
      skipped: sum('skipped'),
      flaky: sum('flaky'),
      ...(times.length > 0 ? { timeSeconds: times.reduce((total, time) => total + time, 0) } : {}),
    },
    cases: reports.flatMap((report) => report.cases),
    suites: reports.flatMap((report) => report.suites),
    suiteErrors: reports.flatMap((report) => report.suiteErrors),
    warnings: reports.flatMap((report) => report.warnings.map((warning) => `${report.source}: ${warning}`)),
  };
}
