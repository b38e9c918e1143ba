/** The one error of JUnit reading. */
import { GreenlightError } from '../errors.ts';

/** A report that cannot be read as JUnit XML. A run whose report is unreadable counts as failed. */
export class JUnitError extends GreenlightError {
  override name = 'JUnitError';
}

export const NOT_JUNIT_HINT =
  'the test run must write JUnit XML (<testsuites> or <testsuite> at the root); an unreadable report counts as a failed run';
