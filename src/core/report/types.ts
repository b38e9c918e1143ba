/** What a test run of a group tells the team: the values the renderers and the TeamReporter take. */
import type { JUnitReport } from '../junit/types.ts';

export interface DeployedService {
  service: string;
  /** The branch deployed, when the image came from a branch (its last-good tag). */
  branch?: string;
  /** The full commit SHA of the image, when known. */
  commit?: string;
  digest: string;
  /** Where the tests reached the service on standby (its preview Service). */
  standbyUrl?: string;
  /** `owner/name` from the catalog (`githubRepository`): where its pull requests and commit statuses live. */
  githubRepository?: string;
}

/** A test run about to start (commit statuses go to pending). */
export interface PendingTestRun {
  group: string;
  namespace: string;
  releaseId: string;
  services: DeployedService[];
  /** The workflow run (or wherever the details are), linked from statuses and comments. */
  runUrl?: string;
}

/** A finished test run. */
export interface TestRunReport extends PendingTestRun {
  standbyColor?: 'blue' | 'green';
  /** The verdict: the engine decides it (JUnit, exit code, a standby that changed under the run). */
  passed: boolean;
  /** The JUnit report, when one could be read. */
  junit?: JUnitReport;
  /**
   * One line each, shown above the results: why there is no report, why the run failed besides
   * the tests (`the test pod was OOMKilled`, `judged by the exit code: 1`).
   */
  notes: string[];
}
