/**
 * The narrow interface the engine calls to tell the team about a test run: commit statuses
 * while it runs and when it ends, and one sticky comment per open pull request whose branch
 * is deployed. Implemented for GitHub by src/github/reporter.ts. Reporting never fails a
 * deploy: every problem (no permission, a fork, rate limits that last too long, API errors)
 * comes back as a warning line, and the promise always resolves.
 */
import type { PendingTestRun, TestRunReport } from './types.ts';

export type CommitState = 'pending' | 'success' | 'failure' | 'error';

export interface CommentOutcome {
  /** `owner/name` */
  repository: string;
  pullRequest: number;
  commentId: number;
  action: 'created' | 'updated' | 'unchanged';
  url: string;
}

export interface StatusOutcome {
  repository: string;
  sha: string;
  state: CommitState;
}

export interface ReportOutcome {
  /** One line each, for the log and the job summary. Empty when everything was reported. */
  warnings: string[];
  comments: CommentOutcome[];
  statuses: StatusOutcome[];
}

export interface TeamReporter {
  /** Sets `greenlight/<group>` to pending on each deployed commit. */
  reportPending(run: PendingTestRun): Promise<ReportOutcome>;
  /** Sets the final statuses and creates or updates the sticky comment on each matching pull request. */
  reportResult(report: TestRunReport): Promise<ReportOutcome>;
}

/** Same shape as the build's Logger: info lines and warnings for the job log. */
export interface ReportLogger {
  info(message: string): void;
  warning(message: string): void;
}

/** A reporter that reports nothing, and says why once (e.g. no token given). */
export function disabledTeamReporter(reason: string): TeamReporter {
  const outcome = async (): Promise<ReportOutcome> => ({
    warnings: [`not reporting to GitHub: ${reason}`],
    comments: [],
    statuses: [],
  });
  return { reportPending: outcome, reportResult: outcome };
}
