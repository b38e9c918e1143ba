/**
 * The GitHub TeamReporter against the strict fake: statuses pending then final on every
 * deployed commit, one sticky comment per open pull request of a deployed branch (created
 * once, edited in place, never duplicated, never someone else's), oversized reports cut
 * under GitHub's limit, and every refusal, rate limit and outage handled as designed. What
 * the reporter did is read back from the fake's state; every request it made is checked
 * against GitHub's description (no violations).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseJUnit } from '../../src/core/junit/parse.ts';
import { COMMENT_LIMIT, commentMarker, renderPullRequestComment } from '../../src/core/report/render.ts';
import type { DeployedService, PendingTestRun, TestRunReport } from '../../src/core/report/types.ts';
import { createGitHubReporter, type GitHubReporterOptions } from '../../src/github/reporter.ts';
import { type FakeGitHub, type FakeGitHubOptions, startFakeGitHub } from '../support/github-api.ts';
import { recordingLogger } from '../support/logger.ts';

const COMMIT_A = 'a'.repeat(40);
const COMMIT_B = 'b'.repeat(40);
const COMMIT_C = 'c'.repeat(40);
const RUN_URL = 'https://github.example/acme/deployments/actions/runs/77';

const SERVICES: DeployedService[] = [
  {
    service: 'hello-a',
    branch: 'feature/login',
    commit: COMMIT_A,
    digest: `sha256:${'1'.repeat(64)}`,
    standbyUrl: 'http://hello-a-preview.login.svc:8080',
    githubRepository: 'acme/hello-a',
  },
  {
    service: 'hello-b',
    branch: 'feature/login',
    commit: COMMIT_B,
    digest: `sha256:${'2'.repeat(64)}`,
    githubRepository: 'acme/hello-b',
  },
  // Pinned by digest, from the same repository: a status on its commit, no pull-request lookup.
  {
    service: 'hello-a-worker',
    commit: COMMIT_C,
    digest: `sha256:${'3'.repeat(64)}`,
    githubRepository: 'acme/hello-a',
  },
  // No repository in the catalog: nothing to report to.
  { service: 'legacy', branch: 'feature/login', commit: COMMIT_A, digest: `sha256:${'4'.repeat(64)}` },
];

const PENDING: PendingTestRun = {
  group: 'login-feature',
  namespace: 'greenlight-login',
  releaseId: '0123456789abcdef',
  services: SERVICES,
  runUrl: RUN_URL,
};

function result(passed: boolean, xml?: string): TestRunReport {
  return {
    ...PENDING,
    standbyColor: 'blue',
    passed,
    junit: parseJUnit(
      xml ??
        (passed
          ? '<testsuite name="hello-a"><testcase classname="hello-a" name="GET /healthz answers 200"/></testsuite>'
          : '<testsuite name="hello-a"><testcase classname="hello-a" name="GET /healthz answers 200"><failure message="HTTP 503"/></testcase></testsuite>'),
      { source: 'the log of pod t' },
    ),
    notes: [],
  };
}

let fake: FakeGitHub;
let log: ReturnType<typeof recordingLogger>;

async function setUp(options: FakeGitHubOptions = {}) {
  fake = await startFakeGitHub(options);
  fake.addRepository('acme/hello-a');
  fake.addRepository('acme/hello-b');
  fake.addCommit('acme/hello-a', COMMIT_C);
  log = recordingLogger();
}

function reporter(options: Partial<GitHubReporterOptions> = {}) {
  return createGitHubReporter({ token: fake.token, baseUrl: fake.url, log, writeSpacingMs: 0, ...options });
}

/** The pull requests of the scene: two that match, and four that must never be commented on. */
function openPullRequests() {
  return {
    a: fake.addPullRequest('acme/hello-a', { headRef: 'feature/login', headSha: COMMIT_A }),
    b: fake.addPullRequest('acme/hello-b', { headRef: 'feature/login', headSha: COMMIT_B }),
    other: fake.addPullRequest('acme/hello-a', { headRef: 'feature/other', headSha: 'd'.repeat(40) }),
    closed: fake.addPullRequest('acme/hello-a', {
      headRef: 'feature/login',
      headSha: COMMIT_A,
      state: 'closed',
    }),
    fork: fake.addPullRequest('acme/hello-a', {
      headRef: 'feature/login',
      headSha: 'e'.repeat(40),
      headRepository: 'someone/hello-a',
    }),
    prefix: fake.addPullRequest('acme/hello-b', { headRef: 'feature/login-v2', headSha: 'f'.repeat(40) }),
  };
}

afterEach(async () => {
  // Every request the reporter made, in every test, was one GitHub's description allows.
  const violations = [...fake.violations];
  await fake.close();
  expect(violations).toEqual([]);
});

describe('a first run and a re-run', () => {
  beforeEach(() => setUp());

  it('statuses pending then final on every deployed commit; one comment per matching pull request', async () => {
    const pulls = openPullRequests();
    const github = reporter();

    const pending = await github.reportPending(PENDING);
    expect(pending).toEqual({
      warnings: [],
      comments: [],
      statuses: [
        { repository: 'acme/hello-a', sha: COMMIT_A, state: 'pending' },
        { repository: 'acme/hello-b', sha: COMMIT_B, state: 'pending' },
        { repository: 'acme/hello-a', sha: COMMIT_C, state: 'pending' },
      ],
    });
    expect(fake.comments).toEqual([]);

    const report = result(true);
    const done = await github.reportResult(report);
    expect(done.warnings).toEqual([]);

    for (const [repository, sha] of [
      ['acme/hello-a', COMMIT_A],
      ['acme/hello-b', COMMIT_B],
      ['acme/hello-a', COMMIT_C],
    ] as const) {
      expect(
        fake
          .statusesOf(repository, sha)
          .map((status) => [status.state, status.context, status.targetUrl, status.description]),
      ).toEqual([
        ['pending', 'greenlight/login-feature', RUN_URL, 'Testing release 0123456789abcdef on standby'],
        ['success', 'greenlight/login-feature', RUN_URL, 'Passed: 1 test, release 0123456789abcdef'],
      ]);
    }
    const body = renderPullRequestComment(report);
    expect(fake.commentsOn('acme/hello-a', pulls.a.number).map((comment) => comment.body)).toEqual([body]);
    expect(fake.commentsOn('acme/hello-b', pulls.b.number).map((comment) => comment.body)).toEqual([body]);
    for (const untouched of [pulls.other, pulls.closed, pulls.fork, pulls.prefix]) {
      expect(fake.commentsOn(untouched.repository.fullName, untouched.number)).toEqual([]);
    }
    expect(fake.comments.every((comment) => comment.user.login === 'github-actions[bot]')).toBe(true);
    expect(done.comments.map((comment) => [comment.repository, comment.pullRequest, comment.action])).toEqual(
      [
        ['acme/hello-a', pulls.a.number, 'created'],
        ['acme/hello-b', pulls.b.number, 'created'],
      ],
    );
    expect(fake.violations).toEqual([]);
  });

  it('a re-run edits the same comment in place, a third identical report writes nothing', async () => {
    const pulls = openPullRequests();
    await reporter().reportResult(result(true));
    const [first] = fake.commentsOn('acme/hello-a', pulls.a.number);

    // A new process, as the next workflow run would be.
    const failing = result(false);
    const rerun = await reporter().reportResult(failing);
    expect(rerun.warnings).toEqual([]);
    const comments = fake.commentsOn('acme/hello-a', pulls.a.number);
    expect(comments).toHaveLength(1);
    expect(comments[0]?.id).toBe(first?.id);
    expect(comments[0]?.body).toBe(renderPullRequestComment(failing));
    expect(comments[0]?.body).toContain('### ❌ Integration tests failed');
    expect(fake.statusesOf('acme/hello-b', COMMIT_B).map((status) => status.state)).toEqual([
      'success',
      'failure',
    ]);

    const before = fake.requests.length;
    const same = await reporter({ commentAuthor: 'github-actions[bot]' }).reportResult(failing);
    expect(same.comments.map((comment) => comment.action)).toEqual(['unchanged', 'unchanged']);
    const writes = fake.requests
      .slice(before)
      .filter(
        (request) =>
          request.method === 'PATCH' || (request.path.includes('/comments') && request.method === 'POST'),
      );
    expect(writes).toEqual([]);
    expect(fake.comments).toHaveLength(2);
    expect(fake.violations).toEqual([]);
  });

  it('the comment is found on a later page of a busy pull request', async () => {
    const pulls = openPullRequests();
    const person = fake.user('reviewer');
    for (let index = 0; index < 120; index += 1) {
      fake.addComment('acme/hello-a', pulls.a.number, { body: `review ${index}`, user: person });
    }
    await reporter().reportResult(result(true));
    for (let index = 0; index < 60; index += 1) {
      fake.addComment('acme/hello-a', pulls.a.number, { body: `more ${index}`, user: person });
    }
    const rerun = await reporter().reportResult(result(false));
    expect(rerun.comments[0]?.action).toBe('updated');
    const ours = fake
      .commentsOn('acme/hello-a', pulls.a.number)
      .filter((comment) => comment.user.type === 'Bot');
    expect(ours).toHaveLength(1);
    expect(
      fake.requests
        .filter(
          (request) =>
            request.path === `/repos/acme/hello-a/issues/${pulls.a.number}/comments` &&
            request.method === 'GET',
        )
        .map((request) => request.query.page ?? '1'),
    ).toEqual(['1', '2', '1', '2']);
    expect(fake.violations).toEqual([]);
  });

  it('an oversized report: the comment is cut under 65,536 characters and links to the run', async () => {
    const pulls = openPullRequests();
    const cases = Array.from(
      { length: 3000 },
      (_, index) =>
        `<testcase classname="big" name="case ${index}"><failure message="broken ${index}">${'trace line\n'.repeat(60)}</failure></testcase>`,
    ).join('');
    const outcome = await reporter().reportResult(
      result(false, `<testsuite name="big">${cases}</testsuite>`),
    );
    expect(outcome.warnings).toEqual([]);
    const [comment] = fake.commentsOn('acme/hello-a', pulls.a.number);
    expect([...(comment?.body ?? '')].length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(comment?.body).toMatch(
      /…and \d+ more not shown here: see \[the workflow run\]\(https:\/\/github\.example\/acme\/deployments\/actions\/runs\/77\)\./,
    );
    expect(fake.violations).toEqual([]);
  });
});

describe('whose comment it is', () => {
  it('an installation token: a person’s comment that quotes the marker is never edited', async () => {
    await setUp();
    const pulls = openPullRequests();
    const person = fake.user('mallory');
    const spoof = fake.addComment('acme/hello-a', pulls.a.number, {
      body: `${commentMarker('login-feature')}\nI wrote this myself`,
      user: person,
    });
    await reporter().reportResult(result(true));
    const comments = fake.commentsOn('acme/hello-a', pulls.a.number);
    expect(comments.find((comment) => comment.id === spoof.id)?.body).toBe(
      `${commentMarker('login-feature')}\nI wrote this myself`,
    );
    expect(comments.filter((comment) => comment.user.login === 'github-actions[bot]')).toHaveLength(1);
    expect(log.lines).toContain(
      "the token's user cannot be read (GET /user answered HTTP 403): Greenlight's comments are recognized by their marker and a bot author",
    );
  });

  it('a personal token: its login comes from GET /user, and another bot’s marker comment is left alone', async () => {
    await setUp({ identity: { login: 'greenlight-ci', type: 'User', tokenKind: 'user' } });
    const pulls = openPullRequests();
    const otherBot = fake.addComment('acme/hello-a', pulls.a.number, {
      body: `${commentMarker('login-feature')}\nfrom another installation`,
      user: fake.user('other-app[bot]', 'Bot'),
    });
    await reporter().reportResult(result(true));
    await reporter().reportResult(result(false));
    const comments = fake.commentsOn('acme/hello-a', pulls.a.number);
    expect(comments.find((comment) => comment.id === otherBot.id)?.body).toContain(
      'from another installation',
    );
    const ours = comments.filter((comment) => comment.user.login === 'greenlight-ci');
    expect(ours).toHaveLength(1);
    expect(ours[0]?.body).toContain('Integration tests failed');
    expect(fake.requests.filter((request) => request.path === '/user')).toHaveLength(2);
    expect(fake.violations).toEqual([]);
  });

  it('a given comment author is trusted: no GET /user', async () => {
    await setUp();
    openPullRequests();
    await reporter({ commentAuthor: 'github-actions[bot]' }).reportResult(result(true));
    expect(fake.requests.filter((request) => request.path === '/user')).toEqual([]);
  });

  it('each group has its own comment on a shared pull request', async () => {
    await setUp();
    const pulls = openPullRequests();
    await reporter().reportResult(result(true));
    await reporter().reportResult({ ...result(false), group: 'nightly' });
    const bodies = fake
      .commentsOn('acme/hello-a', pulls.a.number)
      .map((comment) => comment.body.split('\n')[0]);
    expect(bodies).toEqual(['<!-- greenlight:login-feature -->', '<!-- greenlight:nightly -->']);
  });
});

describe('refusals, rate limits and outages: warnings, never a thrown failure', () => {
  beforeEach(() => setUp());

  it('403 on one pull request (a fork’s read-only token there): a warning; the others are still reported', async () => {
    const pulls = openPullRequests();
    fake.inject({
      operationId: 'issues/create-comment',
      when: (request) => request.path.startsWith('/repos/acme/hello-a/'),
      answer: { kind: 'forbidden' },
    });
    const outcome = await reporter().reportResult(result(true));
    expect(outcome.warnings).toEqual([
      `commenting on acme/hello-a#${pulls.a.number}: the token may not do this (HTTP 403: Resource not accessible by integration); a workflow run for a pull request from a fork gets a read-only token; otherwise give the job \`pull-requests: write\` and \`statuses: write\`, with a token that reaches that repository`,
    ]);
    expect(fake.commentsOn('acme/hello-a', pulls.a.number)).toEqual([]);
    expect(fake.commentsOn('acme/hello-b', pulls.b.number)).toHaveLength(1);
    expect(fake.statuses.map((status) => status.state)).toEqual(['success', 'success', 'success']);
    // A 403 that is no rate limit is not retried.
    expect(fake.requests.filter((request) => request.fault === 'forbidden')).toHaveLength(1);
    expect(fake.violations).toEqual([]);
  });

  it('a token without write permission anywhere: one warning per write, nothing written, the promise resolves', async () => {
    await fake.close();
    fake = await startFakeGitHub();
    fake.addRepository('acme/hello-a', { writable: false });
    fake.addRepository('acme/hello-b', { writable: false });
    fake.addCommit('acme/hello-a', COMMIT_C);
    openPullRequests();
    const pending = await reporter().reportPending(PENDING);
    const done = await reporter().reportResult(result(true));
    expect(pending.warnings).toHaveLength(3);
    expect(pending.warnings[0]).toMatch(
      /^setting the commit status on acme\/hello-a@aaaaaaa: the token may not do this \(HTTP 403/,
    );
    expect(done.warnings.map((warning) => warning.split(':')[0])).toEqual([
      'setting the commit status on acme/hello-a@aaaaaaa',
      'setting the commit status on acme/hello-b@bbbbbbb',
      'setting the commit status on acme/hello-a@ccccccc',
      'commenting on acme/hello-a#1',
      'commenting on acme/hello-b#1',
    ]);
    expect(fake.statuses).toEqual([]);
    expect(fake.comments).toEqual([]);
    expect(fake.violations).toEqual([]);
  });

  it('429 secondary rate limit with Retry-After: 1 is waited out, retried once, and succeeds', async () => {
    const pulls = openPullRequests();
    fake.inject({
      operationId: 'issues/create-comment',
      answer: { kind: 'secondary-rate-limit', status: 429, retryAfterSeconds: 1 },
    });
    const outcome = await reporter().reportResult(result(true));
    expect(outcome.warnings).toEqual([]);
    expect(fake.commentsOn('acme/hello-a', pulls.a.number)).toHaveLength(1);
    const attempts = fake.requests.filter(
      (request) =>
        request.path === `/repos/acme/hello-a/issues/${pulls.a.number}/comments` && request.method === 'POST',
    );
    expect(attempts.map((request) => request.status)).toEqual([429, 201]);
    // Retry-After is honoured: the retry came no sooner than a second later (a lower bound, not a speed target).
    expect((attempts[1]?.at ?? 0) - (attempts[0]?.at ?? 0)).toBeGreaterThanOrEqual(950);
    expect(
      log.lines.some((line) => /^GitHub secondary rate limit on POST .*: retrying in 1 s$/.test(line)),
    ).toBe(true);
    expect(fake.violations).toEqual([]);
  });

  it('403 primary rate limit (x-ratelimit-remaining: 0) is waited out until x-ratelimit-reset, then succeeds', async () => {
    openPullRequests();
    fake.inject({
      operationId: 'pulls/list',
      answer: { kind: 'primary-rate-limit', status: 403, resetInSeconds: 1 },
    });
    const outcome = await reporter().reportResult(result(true));
    expect(outcome.warnings).toEqual([]);
    expect(outcome.comments).toHaveLength(2);
    const lists = fake.requests.filter((request) => request.operationId === 'pulls/list');
    expect(lists.map((request) => request.status)).toEqual([403, 200, 200]);
    expect(
      log.lines.some((line) => /^GitHub rate limit on GET .*pulls.*: retrying in [1-3] s$/.test(line)),
    ).toBe(true);
  });

  it('a rate limit that lasts an hour is not waited for: one request, one warning, done', async () => {
    openPullRequests();
    fake.inject({
      operationId: 'repos/create-commit-status',
      answer: { kind: 'secondary-rate-limit', status: 403, retryAfterSeconds: 3600 },
    });
    const outcome = await reporter().reportPending(PENDING);
    expect(outcome.warnings).toEqual([
      expect.stringMatching(
        /^setting the commit status on acme\/hello-a@aaaaaaa: GitHub's rate limit stopped it \(HTTP 403: You have exceeded a secondary rate limit/,
      ),
    ]);
    expect(fake.requests.filter((request) => request.fault)).toHaveLength(1);
    expect(outcome.statuses).toHaveLength(2);
    expect(log.lines).toContainEqual(
      expect.stringMatching(/lifts in 3600 s, longer than the 60 s Greenlight waits$/),
    );
  });

  it('a 502 is retried and then served', async () => {
    const pulls = openPullRequests();
    fake.inject({ operationId: 'issues/list-comments', answer: { kind: 'server-error', status: 502 } });
    const outcome = await reporter().reportResult(result(true));
    expect(outcome.warnings).toEqual([]);
    expect(fake.commentsOn('acme/hello-a', pulls.a.number)).toHaveLength(1);
  });

  it('an API that never answers: each attempt times out by itself, and the retry succeeds', async () => {
    openPullRequests();
    fake.inject({ operationId: 'repos/create-commit-status', answer: { kind: 'hang' } });
    const outcome = await reporter({ requestTimeoutMs: 500 }).reportPending(PENDING);
    expect(outcome.warnings).toEqual([]);
    expect(fake.statusesOf('acme/hello-a', COMMIT_A).map((status) => status.state)).toEqual(['pending']);
    expect(
      fake.requests.filter((request) => request.operationId === 'repos/create-commit-status'),
    ).toHaveLength(4);
  });

  it('a repository that does not exist (or the token cannot see): a warning naming it', async () => {
    const outcome = await reporter().reportPending({
      ...PENDING,
      services: [{ service: 'ghost', commit: COMMIT_A, digest: 'sha256:x', githubRepository: 'acme/ghost' }],
    });
    expect(outcome.warnings).toEqual([
      'setting the commit status on acme/ghost@aaaaaaa: not found (HTTP 404: Not Found); the repository does not exist or the token cannot see it',
    ]);
  });

  it('a commit GitHub does not know: the 422 becomes a warning', async () => {
    const outcome = await reporter().reportPending({
      ...PENDING,
      services: [
        { service: 'x', commit: '9'.repeat(40), digest: 'sha256:x', githubRepository: 'acme/hello-a' },
      ],
    });
    expect(outcome.warnings).toEqual([
      `setting the commit status on acme/hello-a@9999999: GitHub refused the request (HTTP 422: No commit found for SHA: ${'9'.repeat(40)})`,
    ]);
  });

  it('no GitHub at all (connection refused): warnings, and the promise resolves', async () => {
    const url = fake.url;
    await fake.close();
    const outcome = await createGitHubReporter({
      token: 't',
      baseUrl: url,
      log,
      writeSpacingMs: 0,
      retries: 0,
    }).reportResult(result(true));
    const refused = (what: string) =>
      expect.stringMatching(
        new RegExp(`^${what}: GitHub could not be reached \\(connect ECONNREFUSED 127\\.0\\.0\\.1:\\d+\\)$`),
      );
    expect(outcome.warnings).toEqual([
      refused('setting the commit status on acme/hello-a@aaaaaaa'),
      refused('setting the commit status on acme/hello-b@bbbbbbb'),
      refused('setting the commit status on acme/hello-a@ccccccc'),
      refused('looking up pull requests of acme/hello-a branch feature/login'),
      refused('looking up pull requests of acme/hello-b branch feature/login'),
    ]);
    fake = await startFakeGitHub();
  });
});
