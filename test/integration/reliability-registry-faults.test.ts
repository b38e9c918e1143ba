/**
 * Resolution under registry and ECR faults (issue 16): `greenlight deploy` resolves every
 * service's branch through a fault proxy in front of the stack's OCI registry or of
 * moto's ECR API, while its Kubernetes traffic goes through an API server proxy that
 * counts its writes. Reads the registry may be asked again are retried (the registry
 * client's own retries, the AWS SDK's); a registry that keeps failing or answers garbage
 * fails the deploy naming the service and the cause, before anything is written.
 */
import { describe, expect, inject } from 'vitest';
import { lastGoodTag } from '../../src/core/naming.ts';
import { cliProcess, groupProblems, snapshotGroup } from '../support/engine-runs.ts';
import type { FaultProxy } from '../support/fault-proxy.ts';
import type { FaultRule } from '../support/fault-rules.ts';
import { type GroupFixture, groupFixture } from '../support/group-fixture.ts';
import { type CountedRun, countWrites } from '../support/kill-points.ts';
import { motoAccountForTest } from '../support/moto-account.ts';
import { putEcrImage } from '../support/registry.ts';
import {
  type CaseOptions,
  reliabilityCase,
  type TrialContext,
  type TrialResult,
} from '../support/reliability.ts';
import {
  type ApiServerProxy,
  startApiServerProxy,
  startEcrProxy,
  startRegistryProxy,
} from '../support/stack-proxies.ts';

const stack = inject('stack');
const SERVICES = ['hello-a', 'hello-b'];
const CONCURRENT: CaseOptions = { concurrent: true, timeoutMs: 120_000 };

interface Resolved {
  fx: GroupFixture;
  api: ApiServerProxy;
  registry: FaultProxy;
  run: CountedRun;
  fired: number;
  output: string;
}

/** A deploy whose images come through a registry proxy with `rules`; `push` says which services have an image. */
async function deployThroughRegistry(
  context: TrialContext,
  rules: (fx: GroupFixture) => FaultRule[],
  push: readonly string[] = SERVICES,
): Promise<Resolved> {
  const fx = await groupFixture(stack, { onFinished: context.onFinished });
  for (const service of push) await fx.push(service);
  const registry = await startRegistryProxy(stack);
  context.onFinished(() => registry.close());
  const api = await startApiServerProxy(stack);
  context.onFinished(() => api.close());
  const handles = rules(fx).map((rule) => registry.addRule(rule));
  const run = await countWrites(
    api,
    cliProcess(stack, fx, ['deploy', fx.group, '--registry', registry.host, '--timeout', '60s', '--json'], {
      kubeconfig: api.kubeconfigFor(stack.kubeconfig),
    }),
  );
  const fired = handles.reduce((sum, handle) => sum + handle.fired(), 0);
  return { fx, api, registry, run, fired, output: `${run.stderr}${run.stdout}` };
}

/** A deploy that resolves in moto's ECR, through an ECR proxy with `rules`. */
async function deployThroughEcr(context: TrialContext, rules: FaultRule[]): Promise<Resolved> {
  const fx = await groupFixture(stack, { onFinished: context.onFinished });
  const account = await motoAccountForTest(stack);
  const repositories = SERVICES.map((service) => fx.repositories[service] ?? service);
  await account.createRepositories(repositories);
  for (const repository of repositories) await putEcrImage(account.ecr, repository, [lastGoodTag('master')]);
  const ecr = await startEcrProxy(stack);
  context.onFinished(() => ecr.close());
  const api = await startApiServerProxy(stack);
  context.onFinished(() => api.close());
  const handles = rules.map((rule) => ecr.addRule(rule));
  const run = await countWrites(
    api,
    cliProcess(stack, fx, ['deploy', fx.group, '--timeout', '60s', '--json'], {
      kubeconfig: api.kubeconfigFor(stack.kubeconfig),
      env: {
        AWS_REGION: stack.region,
        AWS_ENDPOINT_URL_ECR: ecr.url,
        AWS_ACCESS_KEY_ID: account.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: account.credentials.secretAccessKey,
        AWS_SESSION_TOKEN: account.credentials.sessionToken,
      },
    }),
  );
  const fired = handles.reduce((sum, handle) => sum + handle.fired(), 0);
  return { fx, api, registry: ecr, run, fired, output: `${run.stderr}${run.stdout}` };
}

/** Resolved despite the fault: deployed to blue, every service at the digest the registry holds. */
async function expectDeployed(result: Resolved): Promise<TrialResult> {
  expect(result.run.code, result.output).toBe(0);
  expect(result.fired, 'the fault fired').toBeGreaterThan(0);
  const snapshot = await snapshotGroup(stack, result.fx.namespace);
  const release = JSON.parse(result.run.stdout).releaseId as string;
  expect(snapshot.records[release]).toMatchObject({ phase: 'ready' });
  expect(groupProblems(snapshot, SERVICES)).toEqual([]);
  return { outcome: 'recovered', output: result.output };
}

/** Refused before anything was written: exit 1 (an error, not a crash), no write reached the API server. */
async function expectNothingWritten(result: Resolved, service: string): Promise<TrialResult> {
  expect(result.run.code, result.output).toBe(1);
  expect(result.fired, 'the fault fired').toBeGreaterThan(0);
  expect(JSON.parse(result.run.stdout).error.message).toContain(service);
  expect(result.run.writes, 'writes to the API server').toEqual([]);
  const namespace = await snapshotGroup(stack, result.fx.namespace);
  expect(namespace.deployments).toEqual({});
  console.log('OUTPUT', result.output);
  return { outcome: 'failed-clearly', output: result.output };
}

const manifestOf = (fx: GroupFixture, service: string) => ({
  method: 'HEAD',
  path: `/v2/${fx.repositories[service]}/manifests/${lastGoodTag('master')}`,
});

describe('resolution under OCI registry faults', () => {
  reliabilityCase(
    'resolve.registry.503-manifest',
    async (_trial, context) =>
      expectDeployed(
        await deployThroughRegistry(context, (fx) => [
          { match: manifestOf(fx, 'hello-a'), on: { nth: 1 }, fault: { kind: 'status', status: 503 } },
        ]),
      ),
    CONCURRENT,
  );

  reliabilityCase(
    'resolve.registry.429-manifest',
    async (_trial, context) => {
      const result = await deployThroughRegistry(context, (fx) => [
        {
          match: manifestOf(fx, 'hello-b'),
          on: { nth: 1 },
          fault: { kind: 'throttle', retryAfterSeconds: 1 },
        },
      ]);
      const path = manifestOf(result.fx, 'hello-b').path;
      const [throttled, retried] = result.registry
        .requests()
        .filter((r) => r.path === path && r.method === 'HEAD');
      expect(throttled?.status).toBe(429);
      expect((retried?.at ?? 0) - (throttled?.at ?? 0)).toBeGreaterThanOrEqual(1_000);
      return expectDeployed(result);
    },
    CONCURRENT,
  );

  reliabilityCase(
    'resolve.registry.reset-manifest',
    async (_trial, context) =>
      expectDeployed(
        await deployThroughRegistry(context, (fx) => [
          { match: manifestOf(fx, 'hello-a'), on: { nth: 1 }, fault: { kind: 'reset', when: 'before' } },
        ]),
      ),
    CONCURRENT,
  );

  reliabilityCase(
    'resolve.registry.500-always',
    async (_trial, context) => {
      const result = await deployThroughRegistry(context, (fx) => [
        { match: manifestOf(fx, 'hello-b'), fault: { kind: 'status', status: 500 } },
      ]);
      expect(result.fired).toBe(4); // the registry client's attempts
      return expectNothingWritten(result, 'hello-b');
    },
    CONCURRENT,
  );

  reliabilityCase(
    'resolve.registry.garbage-manifest',
    async (_trial, context) =>
      expectNothingWritten(
        await deployThroughRegistry(context, (fx) => [
          { match: manifestOf(fx, 'hello-a'), fault: { kind: 'garbage' } },
        ]),
        'hello-a',
      ),
    CONCURRENT,
  );

  reliabilityCase(
    'resolve.registry.garbage-tags',
    async (_trial, context) =>
      // hello-b has no image yet, so resolution lists its tags (for nearby ones): answered with garbage
      expectNothingWritten(
        await deployThroughRegistry(
          context,
          (fx) => [
            {
              match: { method: 'GET', path: `/v2/${fx.repositories['hello-b']}/tags/list` },
              fault: { kind: 'garbage' },
            },
          ],
          ['hello-a'],
        ),
        'hello-b',
      ),
    CONCURRENT,
  );
});

describe('resolution under ECR API faults', () => {
  const describeImages = { method: 'POST', header: { 'x-amz-target': /\.DescribeImages$/ } };

  reliabilityCase(
    'resolve.ecr.500',
    async (_trial, context) =>
      expectDeployed(
        await deployThroughEcr(context, [
          { match: describeImages, on: { nth: 1 }, fault: { kind: 'status', status: 500 } },
        ]),
      ),
    CONCURRENT,
  );

  reliabilityCase(
    'resolve.ecr.throttle',
    async (_trial, context) =>
      expectDeployed(
        await deployThroughEcr(context, [
          { match: describeImages, on: { nth: 1 }, fault: { kind: 'throttle', retryAfterSeconds: 1 } },
        ]),
      ),
    CONCURRENT,
  );

  reliabilityCase(
    'resolve.ecr.reset',
    async (_trial, context) =>
      expectDeployed(
        await deployThroughEcr(context, [
          { match: describeImages, on: { nth: 1 }, fault: { kind: 'reset', when: 'before' } },
        ]),
      ),
    CONCURRENT,
  );

  reliabilityCase(
    'resolve.ecr.500-always',
    async (_trial, context) => {
      const result = await deployThroughEcr(context, [
        { match: describeImages, fault: { kind: 'status', status: 500 } },
      ]);
      // the SDK's own retries, for each of the two services, before it gave up
      expect(result.fired).toBeGreaterThanOrEqual(4);
      return expectNothingWritten(result, 'hello-a');
    },
    CONCURRENT,
  );

  reliabilityCase(
    'resolve.ecr.garbage',
    async (_trial, context) =>
      expectNothingWritten(
        await deployThroughEcr(context, [
          { match: describeImages, fault: { kind: 'garbage', body: 'not json at all' } },
        ]),
        'hello-a',
      ),
    CONCURRENT,
  );
});
