/**
 * Resolution against real registries: the local CNCF distribution registry (images pushed
 * over its HTTP API here) and moto's ECR API. Also the access-denied and bearer-challenge
 * paths, against small servers on 127.0.0.1 that answer as registries do.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Catalog, CatalogService, Group, ImageSelector } from '../../src/core/config/types.ts';
import { lastGoodTag } from '../../src/core/naming.ts';
import { ResolveError, resolveReleaseDigests } from '../../src/core/resolve.ts';
import { connectRegistry } from '../../src/wiring/connect.ts';
import { awsEnv, uniqueName } from '../stack/helpers.ts';
import '../stack/types.ts';
import { pushOciImage, putEcrImage, sha256 } from '../support/registry.ts';

const stack = inject('stack');

function catalogOf(repositories: Record<string, string>): Catalog {
  const services = new Map<string, CatalogService>();
  for (const [name, repository] of Object.entries(repositories)) {
    services.set(name, {
      name,
      repository,
      port: 8080,
      readinessPath: '/',
      livenessPath: '/',
      replicas: 1,
      resources: {},
      env: {},
      calls: [],
      serviceType: 'ClusterIP',
      preStopSleepSeconds: 5,
    });
  }
  return { file: 'services.yaml', services };
}

function groupOf(images: Record<string, ImageSelector>): Group {
  return {
    name: 'resolve',
    file: 'resolve.yaml',
    namespace: 'resolve',
    defaultBranch: 'master',
    services: Object.entries(images).map(([name, image]) => ({ name, image, source: 'group' as const })),
    promotion: { requireVerifiedIn: [] },
  };
}

async function resolveError(promise: Promise<unknown>): Promise<ResolveError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ResolveError);
  return error as ResolveError;
}

describe('the local OCI registry', () => {
  const source = connectRegistry({ registry: stack.registry, env: {} });
  const repoA = `resolve/${uniqueName('a')}`;
  const repoB = `resolve/${uniqueName('b')}`;
  const catalog = catalogOf({ 'hello-a': repoA, 'hello-b': repoB });
  const digests: Record<string, string> = {};

  beforeAll(async () => {
    digests.aMaster = await pushOciImage(stack.registry, repoA, [lastGoodTag('master'), 'v1.2.3']);
    digests.bLogin = await pushOciImage(stack.registry, repoB, [lastGoodTag('feature/login'), 'sha-1111']);
    digests.bMaster = await pushOciImage(stack.registry, repoB, [lastGoodTag('master')]);
  });

  it('resolves branches through their last-good tags, as the registry reports them', async () => {
    const resolved = await resolveReleaseDigests(
      groupOf({
        'hello-a': { kind: 'branch', branch: 'master' },
        'hello-b': { kind: 'branch', branch: 'feature/login' },
      }),
      catalog,
      source,
    );
    expect(resolved.map(({ service, tag, digest, image }) => ({ service, tag, digest, image }))).toEqual([
      {
        service: 'hello-a',
        tag: 'branch-master',
        digest: digests.aMaster,
        image: `${stack.registry}/${repoA}@${digests.aMaster}`,
      },
      {
        service: 'hello-b',
        tag: lastGoodTag('feature/login'),
        digest: digests.bLogin,
        image: `${stack.registry}/${repoB}@${digests.bLogin}`,
      },
    ]);
    // read back independently: the registry's own answer for the tag
    const head = await fetch(
      `http://${stack.registry}/v2/${repoB}/manifests/${lastGoodTag('feature/login')}`,
      {
        method: 'HEAD',
        headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' },
      },
    );
    expect(head.headers.get('docker-content-digest')).toBe(resolved[1]?.digest);
  });

  it('resolves a tag and a digest pin', async () => {
    const resolved = await resolveReleaseDigests(
      groupOf({
        'hello-a': { kind: 'tag', tag: 'v1.2.3' },
        'hello-b': { kind: 'digest', digest: digests.bMaster ?? '' },
      }),
      catalog,
      source,
    );
    expect(resolved.map((image) => image.digest)).toEqual([digests.aMaster, digests.bMaster]);
    expect(resolved[1]?.tag).toBeUndefined();
  });

  it('names the service, repository, tag looked for and the nearest branch tags when a branch has no image', async () => {
    const error = await resolveError(
      resolveReleaseDigests(
        groupOf({ 'hello-b': { kind: 'branch', branch: 'feature/logn' } }),
        catalog,
        source,
      ),
    );
    expect(error.failures).toEqual([
      `hello-b (branch feature/logn): tag ${lastGoodTag('feature/logn')} not found in repository ${repoB} in registry ${stack.registry}; nearest tags: ${lastGoodTag('feature/login')}, branch-master`,
    ]);
    expect(error.hint).toContain('build');
  });

  it('reports a missing digest and a missing repository, every failing service at once', async () => {
    const missingRepo = `resolve/${uniqueName('missing')}`;
    const absent = sha256('absent');
    const error = await resolveError(
      resolveReleaseDigests(
        groupOf({
          'hello-a': { kind: 'digest', digest: absent },
          'hello-b': { kind: 'branch', branch: 'master' },
        }),
        catalogOf({ 'hello-a': repoA, 'hello-b': missingRepo }),
        source,
      ),
    );
    expect(error.failures).toEqual([
      `hello-a (digest ${absent}): digest ${absent} not found in repository ${repoA} in registry ${stack.registry}; nearest tags: branch-master, v1.2.3`,
      `hello-b (branch master): repository ${missingRepo} in registry ${stack.registry} does not exist`,
    ]);
  });
});

describe("moto's ECR", () => {
  const ecr = new ECRClient({
    region: stack.region,
    endpoint: stack.ecrEndpoint,
    credentials: { accessKeyId: stack.awsAccessKeyId, secretAccessKey: stack.awsSecretAccessKey },
  });
  const source = connectRegistry({ registry: 'ecr', env: awsEnv(stack) });
  const repository = uniqueName('resolve-ecr');
  const catalog = catalogOf({ 'hello-a': repository });
  const digests: Record<string, string> = {};

  beforeAll(async () => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: repository }));
    digests.master = await putEcrImage(ecr, repository, ['sha-aaaa', lastGoodTag('master')]);
    digests.login = await putEcrImage(ecr, repository, ['sha-bbbb', lastGoodTag('feature/login')]);
  });

  it('resolves a branch to the digest ECR holds for its last-good tag', async () => {
    const [resolved] = await resolveReleaseDigests(
      groupOf({ 'hello-a': { kind: 'branch', branch: 'feature/login' } }),
      catalog,
      source,
    );
    expect(resolved?.digest).toBe(digests.login);
    expect(resolved?.digest).not.toBe(digests.master);
    expect(resolved?.image).toBe(
      `${stack.awsAccountId}.dkr.ecr.${stack.region}.amazonaws.com/${repository}@${digests.login}`,
    );
  });

  it('reports a missing branch tag with the nearest branch tags (sha- tags left out)', async () => {
    const error = await resolveError(
      resolveReleaseDigests(
        groupOf({ 'hello-a': { kind: 'branch', branch: 'feature/logon' } }),
        catalog,
        source,
      ),
    );
    expect(error.failures).toEqual([
      `hello-a (branch feature/logon): tag ${lastGoodTag('feature/logon')} not found in repository ${repository} in ECR (${stack.region}); nearest tags: ${lastGoodTag('feature/login')}, branch-master`,
    ]);
  });

  it('reports a missing repository', async () => {
    const missing = uniqueName('resolve-none');
    const error = await resolveError(
      resolveReleaseDigests(
        groupOf({ 'hello-a': { kind: 'tag', tag: 'v1' } }),
        catalogOf({ 'hello-a': missing }),
        source,
      ),
    );
    expect(error.failures).toEqual([
      `hello-a (tag v1): repository ${missing} in ECR (${stack.region}) does not exist`,
    ]);
    expect(error.hint).toContain('terraform');
  });
});

describe('registry authentication', () => {
  let server: Server;
  let host = '';
  const requests: string[] = [];
  const DIGEST = sha256('manifest');

  /** Answers like a registry behind a token service: 401 + challenge, tokens for "reader" only. */
  function handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', `http://${host}`);
    requests.push(`${request.method} ${url.pathname}${url.search} ${request.headers.authorization ?? '-'}`);
    if (url.pathname === '/token') {
      const basic =
        request.headers.authorization === `Basic ${Buffer.from('reader:secret').toString('base64')}`;
      response.writeHead(basic ? 200 : 401, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify(basic ? { token: `t-${url.searchParams.get('scope')}` } : {}));
      return;
    }
    if (url.pathname.startsWith('/v2/forbidden/')) {
      response.writeHead(403).end();
      return;
    }
    if (request.headers.authorization !== 'Bearer t-repository:team/app:pull') {
      response.writeHead(401, {
        'WWW-Authenticate': `Bearer realm="http://${host}/token",service="test-registry",scope="repository:team/app:pull"`,
      });
      response.end();
      return;
    }
    response.writeHead(200, { 'Docker-Content-Digest': DIGEST }).end();
  }

  beforeAll(async () => {
    server = createServer(handle);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('answers a bearer challenge with a token fetched with the credentials, and reuses it', async () => {
    const source = connectRegistry({
      registry: host,
      env: { REGISTRY_USERNAME: 'reader', REGISTRY_PASSWORD: 'secret' },
    });
    const group = groupOf({ app: { kind: 'tag', tag: 'v1' }, other: { kind: 'tag', tag: 'v2' } });
    const resolved = await resolveReleaseDigests(
      group,
      catalogOf({ app: 'team/app', other: 'team/app' }),
      source,
    );
    expect(resolved.map((image) => image.digest)).toEqual([DIGEST, DIGEST]);
    expect(requests.filter((line) => line.startsWith('GET /token'))).toHaveLength(1);
  });

  it('reports refused credentials as access denied', async () => {
    const source = connectRegistry({
      registry: host,
      env: { REGISTRY_USERNAME: 'reader', REGISTRY_PASSWORD: 'wrong' },
    });
    const error = await resolveError(
      resolveReleaseDigests(
        groupOf({ app: { kind: 'tag', tag: 'v1' } }),
        catalogOf({ app: 'team/app' }),
        source,
      ),
    );
    expect(error.failures).toEqual([
      `app (tag v1): access denied to repository team/app in registry ${host}: the token service of ${host} refused a pull token (HTTP 401)`,
    ]);
  });

  it('reports HTTP 403 as access denied', async () => {
    const source = connectRegistry({ registry: host, env: {} });
    const error = await resolveError(
      resolveReleaseDigests(
        groupOf({ app: { kind: 'tag', tag: 'v1' } }),
        catalogOf({ app: 'forbidden/app' }),
        source,
      ),
    );
    expect(error.failures).toEqual([
      `app (tag v1): access denied to repository forbidden/app in registry ${host}: could not read the manifest forbidden/app:v1 in ${host}: access denied (HTTP 403)`,
    ]);
  });
});
