/**
 * The one GitHub client: @actions/github's Octokit with @octokit/plugin-throttling (GitHub's
 * primary and secondary rate limits: x-ratelimit-* headers and Retry-After) and
 * @octokit/plugin-retry (5xx and network errors). Waits are bounded: a rate limit that lasts
 * longer than `maxRateLimitWaitSeconds` is not waited for, and each request is retried at
 * most `retries` times, so reporting can never hold a deploy for long.
 */
import { getOctokit } from '@actions/github';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import BottleneckLight from 'bottleneck/light.js';
import type { ReportLogger } from '../core/report/ports.ts';

export type GitHubClient = ReturnType<typeof getOctokit>;

export interface GitHubClientOptions {
  token: string;
  /** The REST API: `GITHUB_API_URL` on a runner (https://api.github.com, or GHES's). */
  baseUrl: string;
  log: ReportLogger;
  /** Rate limits that end later than this are not waited for (default 60 s). */
  maxRateLimitWaitSeconds?: number;
  /** Retries of one request after a rate limit or a server error (default 2). */
  retries?: number;
  /**
   * Time between two writes (default 1 s, GitHub's advice for content-creating requests, to
   * stay clear of secondary rate limits). Writes that notify people (comments) are spaced
   * three times as far, as plugin-throttling does by default.
   */
  writeSpacingMs?: number;
  /** Each attempt of a request is abandoned after this long (default 30 s). */
  requestTimeoutMs?: number;
}

const DEFAULTS = { maxRateLimitWaitSeconds: 60, retries: 2, writeSpacingMs: 1000, requestTimeoutMs: 30_000 };

export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const settings = { ...DEFAULTS, ...withoutUndefined(options) };
  const { log } = options;
  const onLimit =
    (kind: string) =>
    (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
      const what = `${request.method} ${request.url}`;
      if (retryCount >= settings.retries) {
        log.warning(`GitHub ${kind} on ${what}: giving up after ${retryCount} retries`);
        return false;
      }
      if (retryAfter > settings.maxRateLimitWaitSeconds) {
        log.warning(
          `GitHub ${kind} on ${what}: it lifts in ${retryAfter} s, longer than the ${settings.maxRateLimitWaitSeconds} s Greenlight waits`,
        );
        return false;
      }
      log.info(`GitHub ${kind} on ${what}: retrying in ${retryAfter} s`);
      return true;
    };
  const client = getOctokit(
    options.token,
    {
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
      log: {
        debug: () => {},
        info: () => {},
        warn: (message: string) => log.warning(`GitHub client: ${message}`),
        error: (message: string) => log.warning(`GitHub client: ${message}`),
      },
      throttle: {
        onRateLimit: onLimit('rate limit'),
        onSecondaryRateLimit: onLimit('secondary rate limit'),
        write: new BottleneckLight.Group({ maxConcurrent: 1, minTime: settings.writeSpacingMs }),
        notifications: new BottleneckLight.Group({ maxConcurrent: 1, minTime: 3 * settings.writeSpacingMs }),
      },
      retry: {
        retries: settings.retries,
        // 403 and 429 are rate limits (the throttling plugin's) or refusals: never retried blindly.
        doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451],
      },
    },
    retry,
    throttling,
  );
  // Each attempt gets its own deadline: the fetch is wrapped, so retries start a fresh clock.
  client.hook.before('request', (request) => {
    const fetchOnce = (request.request?.fetch as typeof fetch | undefined) ?? fetch;
    request.request = {
      ...request.request,
      fetch: (url: string | URL | Request, init?: RequestInit) =>
        fetchOnce(url, { ...init, signal: AbortSignal.timeout(settings.requestTimeoutMs) }),
    };
  });
  return client;
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}
