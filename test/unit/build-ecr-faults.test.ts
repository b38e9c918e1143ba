/**
 * ECR faults as the SDK sees them, from a local HTTP server speaking ECR's JSON protocol:
 * throttling is retried, a registry that never recovers or never answers is reported as
 * `unavailable` with what to check. (moto cannot be made to throttle.)
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { RegistryError } from '../../src/core/registry.ts';
import { createEcrClient, describeRepository } from '../../src/registry/ecr.ts';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** Answers the first `throttled` requests with ThrottlingException, later ones with a repository. */
async function ecrServer(throttled: number): Promise<{ endpoint: string; requests: () => number }> {
  let count = 0;
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      count++;
      const throttle = count <= throttled;
      response.writeHead(throttle ? 400 : 200, {
        'content-type': 'application/x-amz-json-1.1',
        ...(throttle ? { 'x-amzn-errortype': 'ThrottlingException' } : {}),
      });
      response.end(
        JSON.stringify(
          throttle
            ? { __type: 'ThrottlingException', message: 'Rate exceeded' }
            : {
                repositories: [
                  {
                    repositoryName: 'hello-a',
                    repositoryUri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/hello-a',
                    imageTagMutability: 'MUTABLE',
                  },
                ],
              },
        ),
      );
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => count };
}

const client = (endpoint: string) =>
  createEcrClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    maxAttempts: 3,
  });

describe('ECR faults', () => {
  test('throttling is retried until ECR answers', async () => {
    const ecr = await ecrServer(2);
    await expect(describeRepository(client(ecr.endpoint), 'hello-a')).resolves.toMatchObject({
      name: 'hello-a',
      tagMutability: 'MUTABLE',
    });
    expect(ecr.requests()).toBe(3);
  });

  test('throttling that does not stop is reported as unavailable after the retries', async () => {
    const ecr = await ecrServer(100);
    const error = await describeRepository(client(ecr.endpoint), 'hello-a').catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).registryKind).toBe('unavailable');
    expect((error as RegistryError).message).toBe(
      'could not describe repository hello-a: ThrottlingException: Rate exceeded',
    );
    expect(ecr.requests()).toBe(3);
  }, 60_000);

  test('an endpoint that refuses connections is unavailable, with what to check', async () => {
    const ecr = await ecrServer(0);
    const endpoint = ecr.endpoint;
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
    const error = await describeRepository(client(endpoint), 'hello-a').catch((caught: unknown) => caught);
    expect((error as RegistryError).registryKind).toBe('unavailable');
    expect((error as RegistryError).message).toMatch(
      /^could not describe repository hello-a: ECR did not answer \(connect ECONNREFUSED 127\.0\.0\.1:\d+\)$/,
    );
    expect((error as RegistryError).hint).toContain('AWS_ENDPOINT_URL_ECR');
  }, 60_000);
});
