/**
 * The one place Greenlight talks to an OCI registry over the distribution API (the local
 * stack's registry, GHCR, Harbor, ...): manifest digests by HEAD and tag lists, with the
 * bearer-token challenge most registries answer with. Errors are RegistryErrors, as for ECR.
 */
import pRetry from 'p-retry';
import {
  ACCEPTED_MANIFEST_TYPES,
  type FoundImage,
  type ImageRegistry,
  RegistryError,
} from '../core/registry.ts';

export interface OciConnection {
  /** `ghcr.io`, `127.0.0.1:5000`, or with a scheme: `http://registry.local:5000`. */
  registry: string;
  credentials?: { username: string; password: string };
  timeoutMs?: number;
  /** At most this many pages of tags (a registry with huge repositories cannot loop us forever). */
  maxTagPages?: number;
}

export interface OciRegistry {
  /** Host (and port) as used in image references. */
  host: string;
  baseUrl: string;
  connection: OciConnection;
  /** Bearer tokens by scope, from the registry's auth challenge; shared while being fetched. */
  tokens: Map<string, Promise<string>>;
}

/** Loopback registries speak plain HTTP (as Docker assumes for localhost); others HTTPS unless told. */
export function openOciRegistry(connection: OciConnection): OciRegistry {
  const explicit = /^(https?):\/\/(.+?)\/?$/.exec(connection.registry);
  const host = explicit?.[2] ?? connection.registry.replace(/\/+$/, '');
  const loopback = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/.test(host);
  const scheme = explicit?.[1] ?? (loopback ? 'http' : 'https');
  return { host, baseUrl: `${scheme}://${host}`, connection, tokens: new Map() };
}

/** The digest a tag (or digest) points at, or undefined when the registry has no such manifest. */
export async function manifestDigest(
  registry: OciRegistry,
  repository: string,
  reference: string,
): Promise<string | undefined> {
  const response = await request(registry, repository, `/v2/${repository}/manifests/${reference}`, {
    method: 'HEAD',
    headers: { Accept: ACCEPTED_MANIFEST_TYPES.join(', ') },
  });
  if (response.status === 404) return undefined;
  expectOk(response, registry, `read the manifest ${repository}:${reference}`);
  const digest = response.headers.get('docker-content-digest');
  if (!digest) {
    throw new RegistryError(
      'invalid',
      `${registry.host} answered for ${repository}:${reference} without a Docker-Content-Digest header`,
    );
  }
  return digest;
}

/** Every tag of a repository; RegistryError `repository-not-found` when the registry does not know it. */
export async function listTags(registry: OciRegistry, repository: string): Promise<string[]> {
  const tags: string[] = [];
  let path: string | undefined = `/v2/${repository}/tags/list?n=1000`;
  for (let page = 0; path && page < (registry.connection.maxTagPages ?? 20); page++) {
    const response = await request(registry, repository, path, { method: 'GET' });
    if (response.status === 404) {
      throw new RegistryError(
        'repository-not-found',
        `the repository ${repository} does not exist in ${registry.host}`,
        {
          hint: 'push an image to it first (build-push-ecr, or skopeo/docker push), or check the repository name in groups/services.yaml',
        },
      );
    }
    expectOk(response, registry, `list the tags of ${repository}`);
    const body = (await jsonOf(response, `${registry.host} answered the tag list of ${repository}`)) as {
      tags?: unknown;
    };
    if (Array.isArray(body.tags))
      tags.push(...body.tags.filter((tag): tag is string => typeof tag === 'string'));
    path = nextPage(response.headers.get('link'));
  }
  return tags;
}

/** An OCI registry as an ImageRegistry; the commit comes from the image's revision label. */
export function ociImageRegistry(registry: OciRegistry): ImageRegistry {
  return {
    description: `registry ${registry.host}`,
    async lookup(repository, reference): Promise<FoundImage | undefined> {
      const digest = await manifestDigest(registry, repository, reference);
      if (digest === undefined) return undefined;
      const commit = await revisionLabel(registry, repository, digest);
      return { digest, host: registry.host, ...(commit === undefined ? {} : { commit }) };
    },
    listTags: (repository) => listTags(registry, repository),
  };
}

const REVISION_LABEL = 'org.opencontainers.image.revision';

/**
 * The `org.opencontainers.image.revision` label of an image (build-push-ecr sets it to the
 * commit), through manifest -> config blob; an index is read through its first manifest.
 * Only provenance for annotations: any failure is "unknown", never an error.
 */
async function revisionLabel(
  registry: OciRegistry,
  repository: string,
  digest: string,
): Promise<string | undefined> {
  try {
    let manifest = await getJson(registry, repository, `/v2/${repository}/manifests/${digest}`, true);
    const first = (manifest.manifests as { digest?: unknown }[] | undefined)?.[0]?.digest;
    if (typeof first === 'string') {
      manifest = await getJson(registry, repository, `/v2/${repository}/manifests/${first}`, true);
    }
    const config = (manifest.config as { digest?: unknown } | undefined)?.digest;
    if (typeof config !== 'string') return undefined;
    const blob = await getJson(registry, repository, `/v2/${repository}/blobs/${config}`, false);
    const labels = (blob.config as { Labels?: Record<string, unknown> } | undefined)?.Labels;
    const revision = labels?.[REVISION_LABEL];
    return typeof revision === 'string' && /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(revision)
      ? revision
      : undefined;
  } catch {
    return undefined;
  }
}

const MAX_JSON_BYTES = 4 * 1024 * 1024;

async function getJson(
  registry: OciRegistry,
  repository: string,
  path: string,
  manifest: boolean,
): Promise<Record<string, unknown>> {
  const response = await request(registry, repository, path, {
    method: 'GET',
    ...(manifest ? { headers: { Accept: ACCEPTED_MANIFEST_TYPES.join(', ') } } : {}),
  });
  expectOk(response, registry, `read ${path}`);
  const text = await response.text();
  if (text.length > MAX_JSON_BYTES) throw new RegistryError('invalid', `${path} is larger than 4 MiB`);
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null)
    throw new RegistryError('invalid', `${path} is not JSON`);
  return parsed as Record<string, unknown>;
}

/** `</v2/x/tags/list?last=a&n=1000>; rel="next"` -> the path, or undefined on the last page. */
function nextPage(link: string | null): string | undefined {
  const match = link ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(link) : null;
  if (!match?.[1]) return undefined;
  return match[1].startsWith('/') ? match[1] : new URL(match[1]).pathname + new URL(match[1]).search;
}

function expectOk(response: Response, registry: OciRegistry, attempted: string): void {
  if (response.ok) return;
  if (response.status === 401 || response.status === 403) {
    throw new RegistryError(
      'access-denied',
      `could not ${attempted} in ${registry.host}: access denied (HTTP ${response.status})`,
      {
        hint: 'check the registry credentials (REGISTRY_USERNAME/REGISTRY_PASSWORD for the CLI) and that they may pull this repository',
      },
    );
  }
  const kind = response.status === 429 || response.status >= 500 ? 'unavailable' : 'invalid';
  throw new RegistryError(
    kind,
    `could not ${attempted} in ${registry.host}: HTTP ${response.status} ${response.statusText}`,
  );
}

/** One request, answering a bearer challenge once per scope. */
async function request(
  registry: OciRegistry,
  repository: string,
  path: string,
  init: RequestInit,
): Promise<Response> {
  const scope = `repository:${repository}:pull`;
  const known = registry.tokens.get(scope);
  const first = await send(registry, path, init, known ? await known : undefined);
  if (first.status !== 401) return first;
  const challenge = parseChallenge(first.headers.get('www-authenticate'));
  if (!challenge) return first;
  // A token that was refused has expired: fetch a new one.
  if (known && registry.tokens.get(scope) === known) registry.tokens.delete(scope);
  return send(registry, path, init, await tokenFor(registry, challenge, scope));
}

/** One token request per scope, even when several services ask at once; a failed one is forgotten. */
function tokenFor(registry: OciRegistry, challenge: BearerChallenge, scope: string): Promise<string> {
  const pending = registry.tokens.get(scope);
  if (pending) return pending;
  const token = fetchToken(registry, challenge, scope);
  registry.tokens.set(scope, token);
  token.catch(() => registry.tokens.delete(scope));
  return token;
}

/** A JSON body, or RegistryError `invalid` naming who answered what was not JSON (an object or array). */
async function jsonOf(response: Response, what: string): Promise<unknown> {
  const text = await response.text();
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null) return parsed;
  } catch {
    // reported below
  }
  throw new RegistryError('invalid', `${what} with something that is not JSON (${text.length} bytes)`);
}

const MAX_ATTEMPTS = 4;
const MAX_RETRY_AFTER_MS = 10_000;
const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);

/** A 429 or 5xx answer, thrown so p-retry tries again; the last one is handed back as the answer. */
class RetryableAnswer extends Error {
  readonly response: Response;
  constructor(response: Response) {
    super(`HTTP ${response.status}`);
    this.response = response;
  }
}

/**
 * Every request here is a read (HEAD or GET), so sending it again is safe: a failed
 * connection, a 429 or a 5xx is retried, a few times with backoff, after the Retry-After
 * the registry asked for (capped). The last answer (or failure) is what the caller sees.
 */
async function send(
  registry: OciRegistry,
  path: string,
  init: RequestInit,
  token: string | undefined,
): Promise<Response> {
  try {
    return await pRetry(
      async () => {
        const response = await sendOnce(registry, path, init, token);
        if (!RETRYABLE_STATUS.has(response.status)) return response;
        throw new RetryableAnswer(response);
      },
      {
        retries: MAX_ATTEMPTS - 1,
        minTimeout: 200,
        maxTimeout: 2_000,
        randomize: true,
        onFailedAttempt: async ({ error, retriesLeft }) => {
          if (!(error instanceof RetryableAnswer) || retriesLeft === 0) return;
          await error.response.body?.cancel();
          const wait = retryAfterMs(error.response.headers.get('retry-after'));
          if (wait !== undefined) await new Promise((resolve) => setTimeout(resolve, wait));
        },
      },
    );
  } catch (error) {
    if (error instanceof RetryableAnswer) return error.response;
    throw error;
  }
}

/** `Retry-After: 3` (seconds) or an HTTP date, capped so a hostile registry cannot stall a deploy. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - now;
  if (!Number.isFinite(ms) || ms < 0) return undefined;
  return Math.min(ms, MAX_RETRY_AFTER_MS);
}

async function sendOnce(
  registry: OciRegistry,
  path: string,
  init: RequestInit,
  token: string | undefined,
): Promise<Response> {
  const headers = new Headers(init.headers);
  if (token) headers.set('Authorization', `Bearer ${token}`);
  else if (registry.connection.credentials)
    headers.set('Authorization', basicAuth(registry.connection.credentials));
  try {
    return await fetch(`${registry.baseUrl}${path}`, {
      ...init,
      headers,
      redirect: 'follow',
      signal: AbortSignal.timeout(registry.connection.timeoutMs ?? 15_000),
    });
  } catch (error) {
    throw new RegistryError(
      'unavailable',
      `could not reach the registry ${registry.baseUrl}: ${causeOf(error)}`,
      {
        cause: error,
      },
    );
  }
}

function causeOf(error: unknown): string {
  if (error instanceof Error && error.cause instanceof Error) return error.cause.message;
  return error instanceof Error ? error.message : String(error);
}

function basicAuth(credentials: { username: string; password: string }): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
}

export interface BearerChallenge {
  realm: string;
  service?: string;
  scope?: string;
}

/** `Bearer realm="https://auth.example/token",service="registry",scope="repository:x:pull"`. */
export function parseChallenge(header: string | null): BearerChallenge | undefined {
  if (!header || !/^bearer\s/i.test(header)) return undefined;
  const params = new Map<string, string>();
  for (const match of header.slice(7).matchAll(/(\w+)="([^"]*)"/g)) {
    if (match[1] && match[2] !== undefined) params.set(match[1].toLowerCase(), match[2]);
  }
  const realm = params.get('realm');
  if (!realm) return undefined;
  const service = params.get('service');
  const scope = params.get('scope');
  return { realm, ...(service === undefined ? {} : { service }), ...(scope === undefined ? {} : { scope }) };
}

async function fetchToken(registry: OciRegistry, challenge: BearerChallenge, scope: string): Promise<string> {
  const url = new URL(challenge.realm);
  if (challenge.service) url.searchParams.set('service', challenge.service);
  url.searchParams.set('scope', challenge.scope ?? scope);
  const headers: Record<string, string> = registry.connection.credentials
    ? { Authorization: basicAuth(registry.connection.credentials) }
    : {};
  let response: Response;
  try {
    response = await fetch(url, {
      headers,
      signal: AbortSignal.timeout(registry.connection.timeoutMs ?? 15_000),
    });
  } catch (error) {
    throw new RegistryError(
      'unavailable',
      `could not reach the token service ${url.origin}: ${causeOf(error)}`,
      {
        cause: error,
      },
    );
  }
  if (!response.ok) {
    throw new RegistryError(
      'access-denied',
      `the token service of ${registry.host} refused a pull token (HTTP ${response.status})`,
      {
        hint: 'check the registry credentials and that they may pull this repository',
      },
    );
  }
  const body = (await jsonOf(response, `the token service of ${registry.host} answered`)) as {
    token?: unknown;
    access_token?: unknown;
  };
  const token = typeof body.token === 'string' ? body.token : body.access_token;
  if (typeof token !== 'string')
    throw new RegistryError('invalid', `the token service of ${registry.host} returned no token`);
  return token;
}
