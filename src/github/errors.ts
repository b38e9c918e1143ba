/** GitHub API errors as one line a person can act on. Reporting turns them into warnings. */

interface RequestErrorLike {
  status: number;
  message: string;
  response?: { data?: unknown };
}

function isRequestError(error: unknown): error is RequestErrorLike {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { status?: unknown }).status === 'number' &&
    typeof (error as { message?: unknown }).message === 'string'
  );
}

/** GitHub's own message, and the field errors of a 422. */
function gitHubMessage(error: RequestErrorLike): string {
  const data = error.response?.data as { message?: unknown; errors?: unknown } | undefined;
  const message = typeof data?.message === 'string' ? data.message : error.message;
  const details = Array.isArray(data?.errors)
    ? data.errors
        .map((entry: { message?: unknown; field?: unknown; code?: unknown }) =>
          typeof entry?.message === 'string'
            ? entry.message
            : [entry?.field, entry?.code].filter(Boolean).join(' '),
        )
        .filter((text) => text !== '')
    : [];
  return details.length > 0 ? `${message}: ${details.join('; ')}` : message;
}

const PERMISSION_HINT =
  'a workflow run for a pull request from a fork gets a read-only token; otherwise give the job `pull-requests: write` and `statuses: write`, with a token that reaches that repository';

/** `what` says what was being done: `commenting on acme/hello-a#3`. */
export function describeGitHubError(error: unknown, what: string): string {
  if (!isRequestError(error)) {
    const reason = error instanceof Error ? error.message : String(error);
    return `${what}: ${reason}`;
  }
  // Octokit reports a request that got no answer at all (refused, reset, timed out) as a 500 without a response.
  if (error.response === undefined) return `${what}: GitHub could not be reached (${error.message})`;
  const message = gitHubMessage(error);
  const http = `HTTP ${error.status}: ${message}`;
  if (/rate limit/i.test(message)) return `${what}: GitHub's rate limit stopped it (${http})`;
  switch (error.status) {
    case 401:
      return `${what}: the token was refused (${http}); check the token input`;
    case 403:
      return `${what}: the token may not do this (${http}); ${PERMISSION_HINT}`;
    case 404:
      return `${what}: not found (${http}); the repository does not exist or the token cannot see it`;
    case 422:
      return `${what}: GitHub refused the request (${http})`;
    default:
      return `${what}: GitHub answered ${http}`;
  }
}
