/**
 * The OCI registry client under the faults the reliability tests found (issue 16): its
 * requests are all reads, so a 429 (after its Retry-After), a 5xx or a dropped
 * connection is retried a few times; an answer that is not JSON is one clear error, not
 * a crash. Against a small HTTP server on 127.0.0.1 that answers as a registry does.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryError } from '../../src/core/registry.ts';
import { listTags, manifestDigest, openOciRegistry, retryAfterMs } from '../../src/registry/oci.ts';

const DIGEST = `sha256:${'a'.repeat(64)}`;
type Answer = 'ok' | '503' | '429' | 'drop' | 'garbage';

/** path -> the answers to give, in order (then 'ok'); every request is recorded. */
const plans = new Map<string, Answer[]>();
const seen: { path: string; at: number }[] = [];

const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  const path = req.url ?? '';
  seen.push({ path, at: Date.now() });
  const answer = plans.get(path)?.shift() ?? 'ok';
  if (answer === 'drop') {
    req.socket.destroy();
    return;
  }
  if (answer === '503') {
    res.writeHead(503).end();
    return;
  }
  if (answer === '429') {
    res.writeHead(429, { 'retry-after': '1', 'content-type': 'application/json' });
    res.end('{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}');
    return;
  }
  if (answer === 'garbage') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('\u0000\u00ff<html>not json');
    return;
  }
  if (path.includes('/tags/list')) {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"tags":["v1"]}');
    return;
  }
  res.writeHead(200, { 'docker-content-digest': DIGEST }).end();
});

let registry: ReturnType<typeof openOciRegistry>;
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  registry = openOciRegistry({ registry: `127.0.0.1:${(server.address() as AddressInfo).port}` });
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const requestsTo = (path: string) => seen.filter((request) => request.path === path);

describe('OCI registry reads under faults', () => {
  it('retries a 503 and a dropped connection, then answers', async () => {
    const path = '/v2/team/a/manifests/v1';
    plans.set(path, ['503', 'drop']);
    expect(await manifestDigest(registry, 'team/a', 'v1')).toBe(DIGEST);
    expect(requestsTo(path)).toHaveLength(3);
  });

  it('waits the Retry-After of a 429 before asking again', async () => {
    const path = '/v2/team/b/manifests/v1';
    plans.set(path, ['429']);
    expect(await manifestDigest(registry, 'team/b', 'v1')).toBe(DIGEST);
    const [first, second] = requestsTo(path);
    expect(second, 'a second request').toBeDefined();
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it('gives up after a few tries with the status the registry kept answering', async () => {
    const path = '/v2/team/c/manifests/v1';
    plans.set(path, ['503', '503', '503', '503', '503']);
    const error = await manifestDigest(registry, 'team/c', 'v1').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RegistryError);
    expect(String(error)).toContain('HTTP 503');
    expect(requestsTo(path)).toHaveLength(4);
  });

  it('says a tag list that is not JSON is not JSON, as a RegistryError', async () => {
    plans.set('/v2/team/d/tags/list?n=1000', ['garbage']);
    const error = await listTags(registry, 'team/d').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RegistryError);
    expect(String(error)).toMatch(/answered the tag list of team\/d with something that is not JSON/);
  });

  it.each([
    ['3', 3_000],
    ['3600', 10_000],
    ['-1', undefined],
    ['soon', undefined],
  ])('reads Retry-After %s as %s ms (capped)', (value, expected) => {
    expect(retryAfterMs(value)).toBe(expected);
  });
});
