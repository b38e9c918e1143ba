/**
 * The fault proxy in front of the plain-HTTP servers of the stack (issue 16): skopeo
 * reads an image from the distribution registry through it, and the AWS SDK calls moto's
 * ECR API through it; each sees the injected 500, 429, reset or garbage as the real
 * server's.
 */
import { CreateRepositoryCommand, DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { runCommand, uniqueName } from '../stack/helpers.ts';
import { systemBinary } from '../stack/tools.ts';
import '../stack/types.ts';
import type { FaultProxy } from '../support/fault-proxy.ts';
import type { Fault } from '../support/fault-rules.ts';
import { pushOciImage } from '../support/registry.ts';
import { reliabilityCase } from '../support/reliability.ts';
import { startEcrProxy, startRegistryProxy } from '../support/stack-proxies.ts';

const stack = inject('stack');

async function registryProxyForTest(): Promise<FaultProxy> {
  const proxy = await startRegistryProxy(stack);
  onTestFinished(() => proxy.close());
  return proxy;
}

/** skopeo inspect of an image pushed straight to the registry, read through the proxy with `fault` on its manifest. */
async function inspectThrough(fault: Fault) {
  const proxy = await registryProxyForTest();
  const repository = uniqueName('faults/probe');
  await pushOciImage(stack.registry, repository, ['v1']);
  const rule = proxy.addRule({ match: { method: 'GET', path: `/v2/${repository}/manifests/v1` }, fault });
  const result = await runCommand(
    systemBinary('skopeo'),
    ['inspect', '--tls-verify=false', '--retry-times=0', `docker://${proxy.host}/${repository}:v1`],
    { allowFailure: true, timeoutMs: 60_000 },
  );
  const manifestReads = proxy.requests().filter((r) => r.path === `/v2/${repository}/manifests/v1`);
  return { result, rule, manifestReads };
}

describe('registry faults seen by skopeo', () => {
  it('carries a whole push: the upload locations lead back through the proxy, every write counted', async () => {
    const proxy = await registryProxyForTest();
    const repository = uniqueName('faults/push');
    const digest = await pushOciImage(proxy.host, repository, ['v1']);
    // two blobs (POST to start, PUT to finish each), then the manifest
    expect(
      proxy.writes().map((w) => `${w.method} ${w.path.replace(/uploads\/[^/]+$/, 'uploads/ID')}`),
    ).toEqual([
      `POST /v2/${repository}/blobs/uploads/`,
      `PUT /v2/${repository}/blobs/uploads/ID`,
      `POST /v2/${repository}/blobs/uploads/`,
      `PUT /v2/${repository}/blobs/uploads/ID`,
      `PUT /v2/${repository}/manifests/v1`,
    ]);
    // read back from the registry itself, not through the proxy
    const head = await fetch(`http://${stack.registry}/v2/${repository}/manifests/v1`, {
      method: 'HEAD',
      headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' },
    });
    expect(head.headers.get('docker-content-digest')).toBe(digest);
  });

  reliabilityCase('harness.registry.status-500', async () => {
    const { result, manifestReads } = await inspectThrough({ kind: 'status', status: 500 });
    expect(result.code).toBe(1);
    expect(manifestReads.map((r) => [r.status, r.forwarded])).toEqual([[500, false]]);
    return { outcome: 'observed', output: result.stderr };
  });

  reliabilityCase('harness.registry.throttle-429', async () => {
    const { result, rule, manifestReads } = await inspectThrough({ kind: 'throttle', retryAfterSeconds: 1 });
    expect(result.code).toBe(1);
    // containers/image retries a 429 by itself a few times, then gives up
    expect(manifestReads.length).toBeGreaterThan(1);
    expect(manifestReads.every((r) => r.status === 429 && !r.forwarded)).toBe(true);
    expect(rule.fired()).toBe(manifestReads.length);
    return { outcome: 'observed', output: result.stderr };
  });

  reliabilityCase('harness.registry.reset', async () => {
    const { result, manifestReads } = await inspectThrough({ kind: 'reset', when: 'before' });
    expect(result.code).toBe(1);
    expect(manifestReads.map((r) => r.outcome)).toEqual(['reset']);
    return { outcome: 'observed', output: result.stderr };
  });

  reliabilityCase('harness.registry.garbage', async () => {
    const { result, manifestReads } = await inspectThrough({ kind: 'garbage' });
    expect(result.code).toBe(1);
    expect(manifestReads.map((r) => [r.status, r.forwarded])).toEqual([[200, false]]);
    return { outcome: 'observed', output: result.stderr };
  });
});

/** DescribeRepositories through an ECR proxy with `fault` on its first call; the SDK's error text, or 'ok'. */
async function describeThrough(fault: Fault, maxAttempts: number) {
  const proxy = await startEcrProxy(stack);
  onTestFinished(() => proxy.close());
  const repositoryName = uniqueName('faults/ecr');
  const client = new ECRClient({
    endpoint: proxy.url,
    region: stack.region,
    maxAttempts,
    credentials: { accessKeyId: stack.awsAccessKeyId, secretAccessKey: stack.awsSecretAccessKey },
  });
  await client.send(new CreateRepositoryCommand({ repositoryName }));
  proxy.clearRecords(); // from here on, only the DescribeRepositories calls
  proxy.addRule({
    match: { method: 'POST', header: { 'x-amz-target': /\.DescribeRepositories$/ } },
    on: { nth: 1 },
    fault,
  });
  let output: string;
  try {
    const described = await client.send(
      new DescribeRepositoriesCommand({ repositoryNames: [repositoryName] }),
    );
    output = `ok: ${described.repositories?.map((r) => r.repositoryName).join(',')}`;
  } catch (error) {
    output = `${(error as Error).name}: ${(error as Error).message}`;
  }
  return { output, repositoryName, calls: proxy.requests() };
}

describe('ECR API faults seen by the AWS SDK', () => {
  reliabilityCase('harness.ecr.status-500', async () => {
    const { output, calls } = await describeThrough({ kind: 'status', status: 500 }, 1);
    expect(calls.map((r) => [r.status, r.forwarded])).toEqual([[500, false]]);
    return { outcome: 'observed', output };
  });

  reliabilityCase('harness.ecr.throttle-429', async () => {
    const { output, repositoryName, calls } = await describeThrough(
      { kind: 'throttle', retryAfterSeconds: 1 },
      3,
    );
    expect(output).toBe(`ok: ${repositoryName}`);
    expect(calls.map((r) => [r.status, r.forwarded])).toEqual([
      [429, false],
      [200, true],
    ]);
    return { outcome: 'recovered', output };
  });

  reliabilityCase('harness.ecr.reset', async () => {
    const { output, calls } = await describeThrough({ kind: 'reset', when: 'before' }, 1);
    expect(calls.map((r) => r.outcome)).toEqual(['reset']);
    return { outcome: 'observed', output };
  });

  reliabilityCase('harness.ecr.garbage', async () => {
    const { output, calls } = await describeThrough({ kind: 'garbage', body: 'not json at all' }, 1);
    expect(calls.map((r) => [r.status, r.forwarded])).toEqual([[200, false]]);
    return { outcome: 'observed', output };
  });
});
