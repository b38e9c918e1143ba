/**
 * The TeamReporter for GitHub: commit statuses `greenlight/<group>` on every deployed commit
 * (pending, then success or failure, linking the run), and one sticky comment on every open
 * pull request whose head branch is deployed, found again on the next run by its hidden
 * marker and its author, and edited in place. Nothing here throws: each failure is one
 * warning in the outcome, and the other targets are still reported.
 */
import type { CommitState, ReportLogger, ReportOutcome, TeamReporter } from '../core/report/ports.ts';
import {
  commentMarker,
  renderPullRequestComment,
  renderStatusDescription,
  statusContext,
} from '../core/report/render.ts';
import { type BranchTarget, reportTargets, type StatusTarget } from '../core/report/targets.ts';
import type { PendingTestRun, TestRunReport } from '../core/report/types.ts';
import { createGitHubClient, type GitHubClient, type GitHubClientOptions } from './client.ts';
import { describeGitHubError } from './errors.ts';

export interface GitHubReporterOptions extends GitHubClientOptions {
  /**
   * The login the token comments as, when the caller knows it (`github-actions[bot]` for
   * GITHUB_TOKEN). Otherwise it is read once with GET /user; where that is refused (an
   * installation token), Greenlight's comments are those with its marker and a bot author.
   */
  commentAuthor?: string;
}

/** Pages of 100 read at most: 3,000 pull requests of a branch, 3,000 comments of a pull request. */
const MAX_PAGES = 30;

interface PullRequestRef {
  repository: string;
  owner: string;
  repo: string;
  number: number;
}

interface CommentRef {
  id: number;
  html_url: string;
  body?: string | undefined;
  user?: { login: string; type: string } | null | undefined;
}

export function createGitHubReporter(options: GitHubReporterOptions): TeamReporter {
  return new GitHubReporter(createGitHubClient(options), options.log, options.commentAuthor);
}

export class GitHubReporter implements TeamReporter {
  readonly #client: GitHubClient;
  readonly #log: ReportLogger;
  #author: Promise<string | undefined> | undefined;

  constructor(client: GitHubClient, log: ReportLogger, commentAuthor?: string) {
    this.#client = client;
    this.#log = log;
    if (commentAuthor) this.#author = Promise.resolve(commentAuthor);
  }

  async reportPending(run: PendingTestRun): Promise<ReportOutcome> {
    const outcome: ReportOutcome = { warnings: [], comments: [], statuses: [] };
    await this.#setStatuses(run, reportTargets(run.services).statuses, 'pending', outcome);
    return outcome;
  }

  async reportResult(report: TestRunReport): Promise<ReportOutcome> {
    const outcome: ReportOutcome = { warnings: [], comments: [], statuses: [] };
    const targets = reportTargets(report.services);
    await this.#setStatuses(report, targets.statuses, report.passed ? 'success' : 'failure', outcome);
    const pulls = await this.#openPullRequests(targets.branches, outcome);
    const body = renderPullRequestComment(report);
    for (const pull of pulls) await this.#upsertComment(pull, commentMarker(report.group), body, outcome);
    return outcome;
  }

  async #setStatuses(
    run: PendingTestRun,
    targets: StatusTarget[],
    state: CommitState,
    outcome: ReportOutcome,
  ): Promise<void> {
    const description = renderStatusDescription(run);
    const targetUrl = httpUrl(run.runUrl);
    for (const target of targets) {
      const [owner = '', repo = ''] = target.repository.split('/');
      const where = `${target.repository}@${target.sha.slice(0, 7)}`;
      try {
        await this.#client.rest.repos.createCommitStatus({
          owner,
          repo,
          sha: target.sha,
          state,
          context: statusContext(run.group),
          description,
          ...(targetUrl ? { target_url: targetUrl } : {}),
        });
        outcome.statuses.push({ repository: target.repository, sha: target.sha, state });
        this.#log.info(`commit status ${statusContext(run.group)}=${state} on ${where}`);
      } catch (error) {
        outcome.warnings.push(describeGitHubError(error, `setting the commit status on ${where}`));
      }
    }
  }

  /** Open pull requests whose head is the deployed branch of the service's own repository. */
  async #openPullRequests(targets: BranchTarget[], outcome: ReportOutcome): Promise<PullRequestRef[]> {
    const found = new Map<string, PullRequestRef>();
    for (const target of targets) {
      const [owner = '', repo = ''] = target.repository.split('/');
      try {
        let pages = 0;
        const pulls = await this.#client.paginate(
          this.#client.rest.pulls.list,
          { owner, repo, state: 'open', head: `${owner}:${target.branch}`, per_page: 100 },
          (response, done) => {
            pages += 1;
            if (pages >= MAX_PAGES) done();
            return response.data;
          },
        );
        for (const pull of pulls) {
          const sameRepository = pull.head.repo?.full_name.toLowerCase() === target.repository.toLowerCase();
          if (pull.head.ref !== target.branch || !sameRepository) continue;
          const ref = { repository: target.repository, owner, repo, number: pull.number };
          found.set(`${target.repository.toLowerCase()}#${pull.number}`, ref);
        }
      } catch (error) {
        outcome.warnings.push(
          describeGitHubError(
            error,
            `looking up pull requests of ${target.repository} branch ${target.branch}`,
          ),
        );
      }
    }
    return [...found.values()];
  }

  async #upsertComment(
    pull: PullRequestRef,
    marker: string,
    body: string,
    outcome: ReportOutcome,
  ): Promise<void> {
    const where = `${pull.repository}#${pull.number}`;
    try {
      const existing = await this.#findOwnComment(pull, marker);
      if (existing?.body === body) {
        outcome.comments.push(this.#commentOutcome(pull, existing.id, 'unchanged', existing));
        return;
      }
      const answer = existing
        ? await this.#client.rest.issues.updateComment({
            owner: pull.owner,
            repo: pull.repo,
            comment_id: existing.id,
            body,
          })
        : await this.#client.rest.issues.createComment({
            owner: pull.owner,
            repo: pull.repo,
            issue_number: pull.number,
            body,
          });
      const action = existing ? 'updated' : 'created';
      outcome.comments.push(this.#commentOutcome(pull, answer.data.id, action, answer.data));
      this.#log.info(`comment ${action} on ${where}: ${answer.data.html_url}`);
    } catch (error) {
      outcome.warnings.push(describeGitHubError(error, `commenting on ${where}`));
    }
  }

  #commentOutcome(
    pull: PullRequestRef,
    commentId: number,
    action: 'created' | 'updated' | 'unchanged',
    comment: { html_url?: string },
  ) {
    return {
      repository: pull.repository,
      pullRequest: pull.number,
      commentId,
      action,
      url: comment.html_url ?? '',
    };
  }

  /** The oldest comment with the marker written by the token's identity (or, unknown, by a bot). */
  async #findOwnComment(pull: PullRequestRef, marker: string): Promise<CommentRef | undefined> {
    const author = await this.#commentAuthor();
    let pages = 0;
    const comments: CommentRef[] = await this.#client.paginate(
      this.#client.rest.issues.listComments,
      { owner: pull.owner, repo: pull.repo, issue_number: pull.number, per_page: 100 },
      (response, done) => {
        pages += 1;
        if (pages >= MAX_PAGES) done();
        return response.data;
      },
    );
    return comments.find(
      (comment) =>
        comment.body?.startsWith(marker) &&
        (author ? comment.user?.login === author : comment.user?.type === 'Bot'),
    );
  }

  #commentAuthor(): Promise<string | undefined> {
    this.#author ??= this.#client.rest.users.getAuthenticated().then(
      (answer) => answer.data.login,
      (error: unknown) => {
        const status = (error as { status?: unknown }).status;
        this.#log.info(
          `the token's user cannot be read (GET /user answered ${typeof status === 'number' ? `HTTP ${status}` : String(error)}): Greenlight's comments are recognized by their marker and a bot author`,
        );
        return undefined;
      },
    );
    return this.#author;
  }
}

function httpUrl(url: string | undefined): string | undefined {
  if (!url || !URL.canParse(url)) return undefined;
  const { protocol } = new URL(url);
  return protocol === 'https:' || protocol === 'http:' ? url : undefined;
}
