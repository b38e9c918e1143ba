/**
 * The strict GitHub fake itself: it refuses what GitHub's description does not allow (an
 * unknown route, a bad body, an undescribed query parameter, a bad path parameter, a wrong
 * token) and records each as a violation; and what it serves agrees with real recorded
 * exchanges of @octokit/fixtures where they cover an operation Greenlight uses.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeGitHub, startFakeGitHub } from '../support/github-api.ts';
import { gitHubDescription } from '../support/github-openapi.ts';

const SHA = 'a'.repeat(40);
let fake: FakeGitHub;

beforeEach(async () => {
  fake = await startFakeGitHub();
  fake.addRepository('acme/hello-a');
  fake.addPullRequest('acme/hello-a', { headRef: 'feature/x', headSha: SHA });
});
afterEach(() => fake.close());

async function call(method: string, path: string, body?: unknown, token = fake.token) {
  const response = await fetch(`${fake.url}${path}`, {
    method,
    headers: {
      authorization: `token ${token}`,
      accept: 'application/vnd.github+json',
      ...(body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }),
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

describe('the fake refuses what GitHub’s description does not allow', () => {
  it('an unknown route: 404 and a violation', async () => {
    expect((await call('GET', '/repos/acme/hello-a/not-a-thing')).status).toBe(404);
    expect((await call('DELETE', `/repos/acme/hello-a/statuses/${SHA}`)).status).toBe(404);
    expect(fake.violations).toEqual([
      "GET /repos/acme/hello-a/not-a-thing: no operation in GitHub's description has this method and path",
      `DELETE /repos/acme/hello-a/statuses/${SHA}: no operation in GitHub's description has this method and path`,
    ]);
  });

  it('a body that breaks the request schema: 422, a violation per problem, nothing stored', async () => {
    const answer = await call('POST', `/repos/acme/hello-a/statuses/${SHA}`, { state: 'passed', context: 7 });
    expect(answer.status).toBe(422);
    expect(fake.violations).toEqual([
      `POST /repos/acme/hello-a/statuses/${SHA} (repos/create-commit-status): body /state must be equal to one of the allowed values {"allowedValues":["error","failure","pending","success"]}`,
      `POST /repos/acme/hello-a/statuses/${SHA} (repos/create-commit-status): body /context must be string {"type":"string"}`,
    ]);
    expect(fake.statuses).toEqual([]);
  });

  it('a missing required body, a body that is not JSON, a body where none is taken', async () => {
    await call('POST', '/repos/acme/hello-a/issues/1/comments');
    await call('POST', '/repos/acme/hello-a/issues/1/comments', '{"body": ');
    await call('DELETE', '/repos/acme/hello-a/issues/comments/1', { body: 'x' });
    expect(fake.violations).toEqual([
      'POST /repos/acme/hello-a/issues/1/comments (issues/create-comment): the request has no body, and this operation requires one',
      'POST /repos/acme/hello-a/issues/1/comments (issues/create-comment): the body is not JSON',
      'DELETE /repos/acme/hello-a/issues/comments/1 (issues/delete-comment): the request has a body, and this operation takes none',
    ]);
    expect(fake.comments).toEqual([]);
  });

  it('query and path parameters are checked against their schemas', async () => {
    await call('GET', '/repos/acme/hello-a/pulls?state=opened&per_page=many&colour=blue');
    await call('GET', '/repos/acme/hello-a/issues/abc/comments');
    expect(fake.violations).toEqual([
      'GET /repos/acme/hello-a/pulls (pulls/list): query parameter state="opened": (root) must be equal to one of the allowed values {"allowedValues":["open","closed","all"]}',
      'GET /repos/acme/hello-a/pulls (pulls/list): query parameter per_page="many": (root) must be integer {"type":"integer"}',
      'GET /repos/acme/hello-a/pulls (pulls/list): query parameter colour is not described for this operation',
      'GET /repos/acme/hello-a/issues/abc/comments (issues/list-comments): path parameter issue_number="abc": (root) must be integer {"type":"integer"}',
    ]);
  });

  it('a wrong or missing token: 401 Bad credentials and a violation', async () => {
    expect((await call('GET', '/repos/acme/hello-a/pulls', undefined, 'ghs_someoneElse')).status).toBe(401);
    const bare = await fetch(`${fake.url}/repos/acme/hello-a/pulls`);
    expect(bare.status).toBe(401);
    expect(fake.violations).toEqual([
      'GET /repos/acme/hello-a/pulls (pulls/list): authorization header has a token this server did not issue',
      'GET /repos/acme/hello-a/pulls (pulls/list): no authorization header',
    ]);
  });

  it('a described operation the fake does not serve is a violation, not a silent success', async () => {
    expect((await call('GET', '/repos/acme/hello-a/branches')).status).toBe(501);
    expect(fake.violations).toEqual([
      'GET /repos/acme/hello-a/branches: repos/list-branches is described by GitHub, but the fake does not serve it',
    ]);
  });

  it('well-formed requests are served with no violation, and the state holds what they did', async () => {
    const status = await call('POST', `/repos/acme/hello-a/statuses/${SHA}`, {
      state: 'pending',
      context: 'greenlight/master',
      description: 'Testing',
      target_url: 'https://github.example/acme/d/actions/runs/1',
    });
    expect(status.status).toBe(201);
    const comment = await call('POST', '/repos/acme/hello-a/issues/1/comments', { body: 'first' });
    const edited = await call('PATCH', `/repos/acme/hello-a/issues/comments/${comment.body.id}`, {
      body: 'second',
    });
    expect(edited.status).toBe(200);
    const listed = await call('GET', `/repos/acme/hello-a/commits/${SHA}/statuses`);
    expect(listed.body.map((entry: { state: string }) => entry.state)).toEqual(['pending']);
    expect(fake.violations).toEqual([]);
    expect(fake.commentsOn('acme/hello-a', 1).map((entry) => entry.body)).toEqual(['second']);
    expect(fake.statusesOf('acme/hello-a', SHA)).toMatchObject([
      { state: 'pending', context: 'greenlight/master' },
    ]);
  });

  it('GitHub’s own rules beyond the schema: a comment over 65,536 characters, an unknown commit, a read-only token', async () => {
    const long = await call('POST', '/repos/acme/hello-a/issues/1/comments', { body: 'x'.repeat(65_537) });
    expect(long.status).toBe(422);
    expect(long.body.errors[0].message).toBe('body is too long (maximum is 65536 characters)');
    const unknown = await call('POST', `/repos/acme/hello-a/statuses/${'b'.repeat(40)}`, {
      state: 'success',
    });
    expect(unknown).toMatchObject({
      status: 422,
      body: { message: `No commit found for SHA: ${'b'.repeat(40)}` },
    });
    fake.addRepository('acme/read-only', { writable: false });
    fake.addPullRequest('acme/read-only', { headRef: 'x', headSha: SHA });
    const refused = await call('POST', '/repos/acme/read-only/issues/1/comments', { body: 'hi' });
    expect(refused).toMatchObject({
      status: 403,
      body: { message: 'Resource not accessible by integration' },
    });
    expect(fake.violations).toEqual([]);
    expect(fake.comments).toEqual([]);
    expect(fake.statuses).toEqual([]);
  });

  it('injected faults answer with GitHub’s headers, as often as asked, then the request is served', async () => {
    fake.inject({
      operationId: 'repos/create-commit-status',
      answer: { kind: 'secondary-rate-limit', status: 429, retryAfterSeconds: 7 },
    });
    fake.inject({
      operationId: 'pulls/list',
      times: 2,
      answer: { kind: 'primary-rate-limit', status: 403, resetInSeconds: 30 },
    });
    const limited = await call('POST', `/repos/acme/hello-a/statuses/${SHA}`, { state: 'success' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(limited.body.message).toMatch(/secondary rate limit/);
    expect((await call('POST', `/repos/acme/hello-a/statuses/${SHA}`, { state: 'success' })).status).toBe(
      201,
    );
    const primary = await call('GET', '/repos/acme/hello-a/pulls');
    expect(primary.status).toBe(403);
    expect(primary.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(primary.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
    expect((await call('GET', '/repos/acme/hello-a/pulls')).status).toBe(403);
    expect((await call('GET', '/repos/acme/hello-a/pulls')).status).toBe(200);
    expect(fake.violations).toEqual([]);
    expect(fake.requests.map((request) => request.fault ?? request.status)).toEqual([
      'secondary-rate-limit',
      201,
      'primary-rate-limit',
      'primary-rate-limit',
      200,
    ]);
  });

  it('pagination: Link headers in GitHub’s order, and pages of per_page items', async () => {
    for (let index = 0; index < 7; index += 1) {
      await call('POST', '/repos/acme/hello-a/issues/1/comments', { body: `c${index}` });
    }
    const second = await call('GET', '/repos/acme/hello-a/issues/1/comments?per_page=3&page=2');
    expect(second.body.map((comment: { body: string }) => comment.body)).toEqual(['c3', 'c4', 'c5']);
    const rels = [...(second.headers.get('link') ?? '').matchAll(/page=(\d+)>; rel="(\w+)"/g)].map(
      ([, page, rel]) => `${rel}=${page}`,
    );
    // The recorded exchange (paginate-issues) lists prev, next, last, first.
    expect(rels).toEqual(['prev=1', 'next=3', 'last=3', 'first=1']);
  });
});

describe('the fake against recorded real exchanges (@octokit/fixtures)', () => {
  const scenarios = join(
    dirname(createRequire(import.meta.url).resolve('@octokit/fixtures/package.json')),
    'scenarios',
    'api.github.com',
  );
  interface Exchange {
    method: string;
    path: string;
    body?: unknown;
    status: number;
    response: unknown;
    headers: Record<string, string>;
  }
  const recorded = (scenario: string): Exchange[] =>
    JSON.parse(readFileSync(join(scenarios, scenario, 'normalized-fixture.json'), 'utf8'));

  /** Keys and JSON types, recursively: what a client can rely on. */
  function shape(value: unknown): unknown {
    if (Array.isArray(value)) return value.length > 0 ? [shape(value[0])] : [];
    if (value === null) return 'null';
    if (typeof value === 'object') {
      return Object.fromEntries(
        Object.keys(value as object)
          .sort()
          .map((key) => [key, shape((value as Record<string, unknown>)[key])]),
      );
    }
    return typeof value;
  }

  it('creating a commit status: the recorded request is valid here, and the answers have the same shape', async () => {
    const [exchange] = recorded('create-status').filter((entry) => entry.method === 'post');
    if (!exchange) throw new Error('no recorded POST statuses');
    const description = gitHubDescription();
    const operation = description.match('POST', exchange.path)?.operation;
    expect(operation?.operationId).toBe('repos/create-commit-status');
    // The recording itself agrees with the description the fake enforces.
    expect(
      description.validate('recorded status', operation?.responses.get('201') ?? {}, exchange.response),
    ).toEqual([]);

    const sha = exchange.path.split('/').at(-1) ?? '';
    fake.addCommit('acme/hello-a', sha);
    const answer = await call('POST', `/repos/acme/hello-a/statuses/${sha}`, exchange.body);
    expect(answer.status).toBe(exchange.status);
    expect(shape(answer.body)).toEqual(shape(exchange.response));
    expect(answer.body).toMatchObject(exchange.body as object);
    for (const header of [
      'x-ratelimit-limit',
      'x-ratelimit-remaining',
      'x-ratelimit-reset',
      'x-ratelimit-resource',
    ]) {
      expect(exchange.headers[header], header).toBeDefined();
      expect(answer.headers.get(header), header).not.toBeNull();
    }
    expect(answer.headers.get('location')).toBe(answer.body.url);
    expect(fake.violations).toEqual([]);
  });

  it('a user in an answer has the shape of the recorded users (an issue’s author, a status’s creator)', async () => {
    const [issue] = recorded('add-labels-to-issue').filter((entry) => entry.method === 'post');
    const comment = await call('POST', '/repos/acme/hello-a/issues/1/comments', { body: 'x' });
    if (!issue) throw new Error('no recorded POST issues');
    expect(shape(comment.body.user)).toEqual(shape((issue.response as { user: unknown }).user));
  });

  it('a 422 has the fields of the recorded validation error (and the message GitHub adds to custom ones)', async () => {
    const [failed] = recorded('errors').filter((entry) => entry.status === 422);
    const answer = await call('POST', '/repos/acme/hello-a/issues/1/comments', { body: 'x'.repeat(70_000) });
    expect(shape(answer.body)).toMatchObject(shape(failed?.response) as object);
  });
});
