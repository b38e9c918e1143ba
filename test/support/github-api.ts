/**
 * The one fake of the test suite: a GitHub REST API on 127.0.0.1, held to GitHub's own
 * OpenAPI description (@octokit/openapi). Every request is matched to a described operation
 * (method + path template) and checked for its path and query parameters, its auth header
 * and its JSON body against the operation's request schema; anything else is recorded as a
 * violation (tests assert there are none) and answered the way GitHub would (404, 401, 422),
 * changing nothing. Every answer the fake serves is validated against the operation's
 * response schema for its status code, so the fake cannot drift from GitHub either.
 *
 * It holds state (repositories, pull requests, issue comments, commit statuses) that tests
 * read back directly, independently of what the code under test returns, and it can be told
 * to refuse some requests: 403 (no permission), GitHub's primary and secondary rate limits
 * (403/429 with x-ratelimit-* or Retry-After), or a 5xx.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  commitStatus,
  type FakeComment,
  type FakePullRequest,
  type FakeRepository,
  type FakeStatus,
  type FakeUser,
  issueComment,
  privateUser,
  pullRequestSimple,
  type Urls,
} from './github-objects.ts';
import { type GitHubDescription, gitHubDescription, type Operation } from './github-openapi.ts';

export type FaultAnswer =
  | { kind: 'forbidden'; message?: string }
  | { kind: 'secondary-rate-limit'; status: 403 | 429; retryAfterSeconds: number }
  | { kind: 'primary-rate-limit'; status: 403 | 429; resetInSeconds: number }
  | { kind: 'server-error'; status: 500 | 502 | 503 }
  /** Never answers (until the fake closes): a client must time out by itself. */
  | { kind: 'hang' };

export interface Fault {
  operationId: string;
  /** How many matching requests get this answer (default 1). */
  times?: number;
  /** Only requests this accepts (e.g. one pull request's path). */
  when?: (request: { path: string; body: unknown }) => boolean;
  answer: FaultAnswer;
}

export interface SeenRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  operationId?: string;
  body?: unknown;
  status: number;
  /** Date.now() when the request arrived. */
  at: number;
  /** The fault that answered it, if one did. */
  fault?: FaultAnswer['kind'];
}

export interface FakeGitHubOptions {
  token?: string;
  /** Whose token it is. An installation token (GITHUB_TOKEN) cannot read GET /user. */
  identity?: { login: string; type?: FakeUser['type']; tokenKind?: 'user' | 'installation' };
}

interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

interface HandlerContext {
  operation: Operation;
  params: Record<string, string | number>;
  query: Record<string, string | number | boolean>;
  body: unknown;
  requestUrl: URL;
}

const DOCS = 'https://docs.github.com/rest';
const MAX_BODY_BYTES = 5 * 1024 * 1024;
const COMMENT_BODY_LIMIT = 65_536;
const STATUS_DESCRIPTION_LIMIT = 140;

class Refusal extends Error {
  readonly answer: Answer;
  constructor(answer: Answer) {
    super(`answer ${answer.status}`);
    this.answer = answer;
  }
}

const refuse = (status: number, message: string, extra: Record<string, unknown> = {}): never => {
  throw new Refusal({ status, body: { message, documentation_url: DOCS, ...extra } });
};

export class FakeGitHub {
  readonly token: string;
  readonly identity: FakeUser;
  readonly tokenKind: 'user' | 'installation';
  readonly violations: string[] = [];
  readonly requests: SeenRequest[] = [];
  readonly repositories = new Map<string, FakeRepository>();
  readonly pullRequests: FakePullRequest[] = [];
  readonly comments: FakeComment[] = [];
  readonly statuses: FakeStatus[] = [];
  readonly #description: GitHubDescription;
  readonly #server: Server;
  readonly #faults: (Fault & { left: number })[] = [];
  #url = '';
  #nextId = 1000;
  #clock = Date.UTC(2026, 10, 30, 12, 0, 0);
  #remaining = 5000;

  constructor(description: GitHubDescription, options: FakeGitHubOptions) {
    this.#description = description;
    this.token = options.token ?? 'ghs_fakeTokenForTheStrictGitHubFake0001';
    this.identity = {
      login: options.identity?.login ?? 'github-actions[bot]',
      id: 41898282,
      type: options.identity?.type ?? 'Bot',
    };
    this.tokenKind = options.identity?.tokenKind ?? 'installation';
    this.#server = createServer((request, response) => {
      this.#serve(request, response).catch((error: unknown) => {
        this.violations.push(`the fake itself failed: ${String(error)}`);
        if (!response.headersSent) response.writeHead(500);
        response.end();
      });
    });
  }

  /** The base URL to give Octokit (`baseUrl`). */
  get url(): string {
    return this.#url;
  }

  get #urls(): Urls {
    return { api: this.#url, web: 'https://github.example' };
  }

  async listen(): Promise<void> {
    this.#server.listen(0, '127.0.0.1');
    await once(this.#server, 'listening');
    this.#url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    this.#server.close();
    await once(this.#server, 'close');
  }

  user(login: string, type: FakeUser['type'] = 'User'): FakeUser {
    return { login, id: this.#id(), type };
  }

  addRepository(
    fullName: string,
    options: { writable?: boolean; defaultBranch?: string } = {},
  ): FakeRepository {
    const [owner = '', name = ''] = fullName.split('/');
    const repository: FakeRepository = {
      owner: this.user(owner, 'Organization'),
      name,
      fullName,
      id: this.#id(),
      writable: options.writable ?? true,
      commits: new Set(),
      defaultBranch: options.defaultBranch ?? 'master',
    };
    this.repositories.set(fullName.toLowerCase(), repository);
    return repository;
  }

  /** An open pull request; its head commit exists in the base repository (as GitHub keeps PR heads). */
  addPullRequest(
    fullName: string,
    pull: {
      headRef: string;
      headSha: string;
      headRepository?: string;
      title?: string;
      state?: 'open' | 'closed';
    },
  ): FakePullRequest {
    const repository = this.#repository(fullName);
    const headRepository = pull.headRepository
      ? (this.repositories.get(pull.headRepository.toLowerCase()) ?? this.addRepository(pull.headRepository))
      : repository;
    repository.commits.add(pull.headSha);
    const created: FakePullRequest = {
      repository,
      number: this.#nextIssueNumber(repository),
      id: this.#id(),
      title: pull.title ?? `Change ${pull.headRef}`,
      state: pull.state ?? 'open',
      headRef: pull.headRef,
      headSha: pull.headSha,
      headRepository,
      baseRef: repository.defaultBranch,
      user: this.user('a-developer'),
      createdAt: this.#now(),
    };
    this.pullRequests.push(created);
    return created;
  }

  /** A comment written by someone (not through the API), e.g. a person or an older run. */
  addComment(fullName: string, issueNumber: number, comment: { body: string; user: FakeUser }): FakeComment {
    const created: FakeComment = {
      repository: this.#repository(fullName),
      issueNumber,
      id: this.#id(),
      body: comment.body,
      user: comment.user,
      createdAt: this.#now(),
      updatedAt: this.#clockString(),
    };
    this.comments.push(created);
    return created;
  }

  addCommit(fullName: string, sha: string): void {
    this.#repository(fullName).commits.add(sha);
  }

  commentsOn(fullName: string, issueNumber: number): FakeComment[] {
    const repository = this.#repository(fullName);
    return this.comments.filter(
      (comment) => comment.repository === repository && comment.issueNumber === issueNumber,
    );
  }

  statusesOf(fullName: string, sha: string): FakeStatus[] {
    const repository = this.#repository(fullName);
    return this.statuses.filter((status) => status.repository === repository && status.sha === sha);
  }

  /** Answers the next matching request(s) with a fault instead of serving them. */
  inject(fault: Fault): void {
    this.#faults.push({ ...fault, left: fault.times ?? 1 });
  }

  #id(): number {
    this.#nextId += 1;
    return this.#nextId;
  }

  #now(): string {
    this.#clock += 1000;
    return this.#clockString();
  }

  #clockString(): string {
    return new Date(this.#clock).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  #nextIssueNumber(repository: FakeRepository): number {
    return this.pullRequests.filter((pull) => pull.repository === repository).length + 1;
  }

  #repository(fullName: string): FakeRepository {
    const repository = this.repositories.get(fullName.toLowerCase());
    if (!repository) throw new Error(`the fake has no repository ${fullName}`);
    return repository;
  }

  async #serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const requestUrl = new URL(request.url ?? '/', this.#url);
    const method = (request.method ?? 'GET').toUpperCase();
    const seen: SeenRequest = {
      method,
      path: requestUrl.pathname,
      query: Object.fromEntries(requestUrl.searchParams),
      status: 0,
      at: Date.now(),
    };
    this.requests.push(seen);
    const raw = await readBody(request);
    const answer = this.#answer(method, requestUrl, request, raw, seen);
    seen.status = answer.status;
    if (seen.fault === 'hang') return;
    this.#send(response, answer);
  }

  #answer(method: string, requestUrl: URL, request: IncomingMessage, raw: Buffer, seen: SeenRequest): Answer {
    const where = `${method} ${requestUrl.pathname}`;
    const match = this.#description.match(method, requestUrl.pathname);
    if (!match) {
      this.violations.push(`${where}: no operation in GitHub's description has this method and path`);
      return { status: 404, body: { message: 'Not Found', documentation_url: DOCS } };
    }
    const { operation } = match;
    seen.operationId = operation.operationId;
    const problems: string[] = [];
    const auth = this.#checkAuth(request.headers.authorization);
    if (auth) {
      this.violations.push(`${where} (${operation.operationId}): ${auth}`);
      return this.#validated(operation, {
        status: 401,
        body: { message: 'Bad credentials', documentation_url: DOCS },
      });
    }
    const params = this.#pathParams(operation, match.pathParams, problems);
    const query = this.#queryParams(operation, requestUrl.searchParams, problems);
    const body = this.#requestBody(operation, request, raw, problems);
    seen.body = body;
    if (problems.length > 0) {
      this.violations.push(...problems.map((problem) => `${where} (${operation.operationId}): ${problem}`));
      return this.#validated(operation, {
        status: 422,
        body: {
          message: 'Validation Failed',
          documentation_url: DOCS,
          errors: problems.map((message) => ({ code: 'invalid', message })),
        },
      });
    }
    const fault = this.#takeFault(operation, requestUrl.pathname, body);
    if (fault) {
      seen.fault = fault.kind;
      return fault.kind === 'hang'
        ? this.#faultAnswer(fault)
        : this.#validated(operation, this.#faultAnswer(fault));
    }
    const handler = HANDLERS[operation.operationId];
    if (!handler) {
      this.violations.push(
        `${where}: ${operation.operationId} is described by GitHub, but the fake does not serve it`,
      );
      return { status: 501, body: { message: 'Not implemented by the fake', documentation_url: DOCS } };
    }
    let answer: Answer;
    try {
      answer = handler.call(this, { operation, params, query, body, requestUrl });
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      answer = error.answer;
    }
    return this.#validated(operation, answer);
  }

  #checkAuth(header: string | undefined): string | undefined {
    if (!header) return 'no authorization header';
    const match = /^(token|bearer) (.+)$/i.exec(header);
    if (!match) return `authorization header is not "token <token>" or "Bearer <token>"`;
    return match[2] === this.token ? undefined : 'authorization header has a token this server did not issue';
  }

  #pathParams(
    operation: Operation,
    raw: Record<string, string>,
    problems: string[],
  ): Record<string, string | number> {
    const params: Record<string, string | number> = {};
    for (const parameter of operation.parameters.filter((candidate) => candidate.in === 'path')) {
      const encoded = raw[parameter.name];
      if (encoded === undefined) {
        problems.push(`path parameter ${parameter.name} is missing`);
        continue;
      }
      const value = coerce(decodeURIComponent(encoded), parameter.schema);
      const errors = this.#description.validate(
        `${operation.operationId} path ${parameter.name}`,
        parameter.schema,
        value,
      );
      problems.push(
        ...errors.map((error) => `path parameter ${parameter.name}=${JSON.stringify(encoded)}: ${error}`),
      );
      params[parameter.name] = value as string | number;
    }
    return params;
  }

  #queryParams(
    operation: Operation,
    search: URLSearchParams,
    problems: string[],
  ): Record<string, string | number | boolean> {
    const declared = new Map(
      operation.parameters
        .filter((parameter) => parameter.in === 'query')
        .map((parameter) => [parameter.name, parameter]),
    );
    const query: Record<string, string | number | boolean> = {};
    for (const name of new Set(search.keys())) {
      const parameter = declared.get(name);
      const values = search.getAll(name);
      if (!parameter) {
        problems.push(`query parameter ${name} is not described for this operation`);
        continue;
      }
      if (values.length > 1) problems.push(`query parameter ${name} is given ${values.length} times`);
      const value = coerce(values[0] ?? '', parameter.schema);
      const errors = this.#description.validate(
        `${operation.operationId} query ${name}`,
        parameter.schema,
        value,
      );
      problems.push(
        ...errors.map((error) => `query parameter ${name}=${JSON.stringify(values[0])}: ${error}`),
      );
      query[name] = value as string | number | boolean;
    }
    for (const parameter of declared.values()) {
      if (parameter.required && !search.has(parameter.name))
        problems.push(`query parameter ${parameter.name} is required`);
    }
    return query;
  }

  #requestBody(operation: Operation, request: IncomingMessage, raw: Buffer, problems: string[]): unknown {
    if (raw.length === 0) {
      if (operation.requestBody?.required)
        problems.push('the request has no body, and this operation requires one');
      return undefined;
    }
    if (!operation.requestBody) {
      problems.push('the request has a body, and this operation takes none');
      return undefined;
    }
    const type = request.headers['content-type'] ?? '';
    if (!/^application\/json\b/i.test(type))
      problems.push(`content-type is ${JSON.stringify(type)}, not application/json`);
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      problems.push('the body is not JSON');
      return undefined;
    }
    const errors = this.#description.validate(
      `${operation.operationId} body`,
      operation.requestBody.schema,
      body,
    );
    problems.push(...errors.map((error) => `body ${error}`));
    return body;
  }

  #takeFault(operation: Operation, path: string, body: unknown): FaultAnswer | undefined {
    const fault = this.#faults.find(
      (candidate) =>
        candidate.left > 0 &&
        candidate.operationId === operation.operationId &&
        (candidate.when?.({ path, body }) ?? true),
    );
    if (!fault) return undefined;
    fault.left -= 1;
    return fault.answer;
  }

  #faultAnswer(fault: FaultAnswer): Answer {
    switch (fault.kind) {
      case 'forbidden':
        return {
          status: 403,
          body: {
            message: fault.message ?? 'Resource not accessible by integration',
            documentation_url: DOCS,
            status: '403',
          },
        };
      case 'secondary-rate-limit':
        return {
          status: fault.status,
          headers: { 'retry-after': String(fault.retryAfterSeconds) },
          body: {
            message:
              'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.',
            documentation_url: `${DOCS}/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits`,
            status: String(fault.status),
          },
        };
      case 'primary-rate-limit':
        return {
          status: fault.status,
          headers: {
            'x-ratelimit-remaining': '0',
            'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + fault.resetInSeconds),
          },
          body: {
            message: `API rate limit exceeded for installation ID ${this.identity.id}.`,
            documentation_url: `${DOCS}/overview/rate-limits-for-the-rest-api`,
            status: String(fault.status),
          },
        };
      case 'server-error':
        return { status: fault.status, body: { message: 'Server Error', documentation_url: DOCS } };
      case 'hang':
        return { status: 0 };
    }
  }

  /** Checks the fake's own answer against the description; a mismatch is a violation too. */
  #validated(operation: Operation, answer: Answer): Answer {
    const status = String(answer.status);
    let schema = operation.responses.get(status);
    if (schema === undefined) {
      if (answer.status < 400) {
        this.violations.push(
          `the fake answered ${status} to ${operation.operationId}, which GitHub does not describe`,
        );
        return answer;
      }
      // GitHub answers 401/403/429/5xx on every operation, described or not, with its basic error.
      schema = { $ref: '#/components/schemas/basic-error' };
    }
    if (schema === null) {
      if (answer.body !== undefined)
        this.violations.push(`the fake's ${status} to ${operation.operationId} has a body`);
      return answer;
    }
    const errors = this.#description.validate(
      `${operation.operationId} response ${status}`,
      schema,
      answer.body,
    );
    this.violations.push(
      ...errors.map(
        (error) =>
          `the fake's ${status} answer to ${operation.operationId} breaks GitHub's description: ${error}`,
      ),
    );
    return answer;
  }

  #send(response: ServerResponse, answer: Answer): void {
    this.#remaining = Math.max(0, this.#remaining - 1);
    const headers: Record<string, string> = {
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': String(this.#remaining),
      'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 3600),
      'x-ratelimit-used': String(5000 - this.#remaining),
      'x-ratelimit-resource': 'core',
      'x-github-media-type': 'github.v3; format=json',
      'x-github-api-version-selected': '2022-11-28',
      ...answer.headers,
    };
    if (answer.body === undefined) {
      response.writeHead(answer.status, headers);
      response.end();
      return;
    }
    const text = JSON.stringify(answer.body);
    response.writeHead(answer.status, {
      ...headers,
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(text)),
    });
    response.end(text);
  }

  // The operations, as GitHub answers them (list, create, update).

  #page<T>(context: HandlerContext, items: T[]): { page: T[]; headers: Record<string, string> } {
    const perPage = Math.min(Number(context.query.per_page ?? 30), 100);
    const page = Number(context.query.page ?? 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const link = (target: number, rel: string) => {
      const url = new URL(context.requestUrl.href);
      url.searchParams.set('page', String(target));
      return `<${url.href}>; rel="${rel}"`;
    };
    const links = [
      ...(page > 1 ? [link(page - 1, 'prev')] : []),
      ...(page < last ? [link(page + 1, 'next'), link(last, 'last')] : []),
      ...(page > 1 ? [link(1, 'first')] : []),
    ];
    return {
      page: items.slice((page - 1) * perPage, page * perPage),
      headers: links.length > 0 ? { link: links.join(', ') } : {},
    };
  }

  #repositoryOf(context: HandlerContext): FakeRepository {
    const repository = this.repositories.get(`${context.params.owner}/${context.params.repo}`.toLowerCase());
    return repository ?? refuse(404, 'Not Found');
  }

  #mustWrite(repository: FakeRepository): void {
    if (!repository.writable) refuse(403, 'Resource not accessible by integration', { status: '403' });
  }

  getAuthenticatedUser(): Answer {
    if (this.tokenKind === 'installation') {
      return refuse(403, 'Resource not accessible by integration', { status: '403' });
    }
    return { status: 200, body: privateUser(this.identity, this.#urls) };
  }

  listPulls(context: HandlerContext): Answer {
    const repository = this.#repositoryOf(context);
    const state = String(context.query.state ?? 'open');
    const head = context.query.head === undefined ? undefined : String(context.query.head);
    if (head !== undefined && !head.includes(':')) {
      this.violations.push(
        `pulls/list: head=${JSON.stringify(head)} is not user:ref-name as GitHub documents`,
      );
    }
    const [headOwner, headRef] = head?.split(/:(.*)/s) ?? [];
    const pulls = this.pullRequests
      .filter((pull) => pull.repository === repository)
      .filter((pull) => state === 'all' || pull.state === state)
      .filter(
        (pull) =>
          head === undefined ||
          (pull.headRepository.owner.login.toLowerCase() === headOwner?.toLowerCase() &&
            pull.headRef === headRef),
      )
      .sort((a, b) => b.number - a.number);
    const { page, headers } = this.#page(context, pulls);
    return { status: 200, body: page.map((pull) => pullRequestSimple(pull, this.#urls)), headers };
  }

  #issueOf(context: HandlerContext, repository: FakeRepository): number {
    const number = Number(context.params.issue_number);
    const exists = this.pullRequests.some((pull) => pull.repository === repository && pull.number === number);
    return exists ? number : refuse(404, 'Not Found');
  }

  listComments(context: HandlerContext): Answer {
    const repository = this.#repositoryOf(context);
    const number = this.#issueOf(context, repository);
    const comments = this.comments
      .filter((comment) => comment.repository === repository && comment.issueNumber === number)
      .sort((a, b) => a.id - b.id);
    const { page, headers } = this.#page(context, comments);
    return { status: 200, body: page.map((comment) => issueComment(comment, this.#urls)), headers };
  }

  createComment(context: HandlerContext): Answer {
    const repository = this.#repositoryOf(context);
    const number = this.#issueOf(context, repository);
    this.#mustWrite(repository);
    const body = (context.body as { body: string }).body;
    this.#checkCommentLength(body);
    const created = this.addComment(repository.fullName, number, { body, user: this.identity });
    const answer = issueComment(created, this.#urls);
    return { status: 201, body: answer, headers: { location: answer.url } };
  }

  updateComment(context: HandlerContext): Answer {
    const repository = this.#repositoryOf(context);
    const comment = this.comments.find(
      (candidate) =>
        candidate.repository === repository && candidate.id === Number(context.params.comment_id),
    );
    if (!comment) return refuse(404, 'Not Found');
    this.#mustWrite(repository);
    const body = (context.body as { body: string }).body;
    this.#checkCommentLength(body);
    comment.body = body;
    comment.updatedAt = this.#now();
    return { status: 200, body: issueComment(comment, this.#urls) };
  }

  #checkCommentLength(body: string): void {
    if ([...body].length > COMMENT_BODY_LIMIT) {
      refuse(422, 'Validation Failed', {
        errors: [
          {
            resource: 'IssueComment',
            code: 'custom',
            field: 'body',
            message: `body is too long (maximum is ${COMMENT_BODY_LIMIT} characters)`,
          },
        ],
      });
    }
  }

  createStatus(context: HandlerContext): Answer {
    const repository = this.#repositoryOf(context);
    this.#mustWrite(repository);
    const sha = String(context.params.sha);
    if (!repository.commits.has(sha)) return refuse(422, `No commit found for SHA: ${sha}`);
    const body = context.body as {
      state: FakeStatus['state'];
      target_url?: string | null;
      description?: string | null;
      context?: string;
    };
    if (body.description && [...body.description].length > STATUS_DESCRIPTION_LIMIT) {
      return refuse(422, 'Validation Failed', {
        errors: [
          {
            resource: 'Status',
            code: 'custom',
            field: 'description',
            message: 'description is too long (maximum is 140 characters)',
          },
        ],
      });
    }
    const created: FakeStatus = {
      repository,
      sha,
      id: this.#id(),
      state: body.state,
      context: body.context ?? 'default',
      description: body.description ?? null,
      targetUrl: body.target_url ?? null,
      creator: this.identity,
      createdAt: this.#now(),
    };
    this.statuses.push(created);
    const answer = commitStatus(created, this.#urls);
    return { status: 201, body: answer, headers: { location: answer.url } };
  }

  listStatusesForRef(context: HandlerContext): Answer {
    const repository = this.#repositoryOf(context);
    const statuses = this.statuses
      .filter((status) => status.repository === repository && status.sha === String(context.params.ref))
      .sort((a, b) => b.id - a.id);
    const { page, headers } = this.#page(context, statuses);
    return { status: 200, body: page.map((status) => commitStatus(status, this.#urls)), headers };
  }
}

const HANDLERS: Record<string, (this: FakeGitHub, context: HandlerContext) => Answer> = {
  'users/get-authenticated': FakeGitHub.prototype.getAuthenticatedUser,
  'pulls/list': FakeGitHub.prototype.listPulls,
  'issues/list-comments': FakeGitHub.prototype.listComments,
  'issues/create-comment': FakeGitHub.prototype.createComment,
  'issues/update-comment': FakeGitHub.prototype.updateComment,
  'repos/create-commit-status': FakeGitHub.prototype.createStatus,
  'repos/list-commit-statuses-for-ref': FakeGitHub.prototype.listStatusesForRef,
};

/** Path and query values arrive as strings; the description types them (integer, boolean). */
function coerce(value: string, schema: Record<string, unknown>): unknown {
  if ((schema.type === 'integer' || schema.type === 'number') && /^-?\d+(\.\d+)?$/.test(value))
    return Number(value);
  if (schema.type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error(`request body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Starts a fake on 127.0.0.1 with a free port. Close it in afterEach/afterAll. */
export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const fake = new FakeGitHub(gitHubDescription(), options);
  await fake.listen();
  return fake;
}
