/**
 * Greenlight's deploy, test and promote under API server faults (issue 16): the CLI runs
 * as its own process through the fault proxy (test/support/fault-proxy.ts) in front of
 * the local stack's kube-apiserver. Each case injects one fault, asserts that it fired,
 * and reads the end state back with kubectl directly from the API server: a recovered
 * run left exactly what a run without the fault leaves; a failed one named its cause,
 * ended within its timeout and left the group sound (test/support/engine-runs.ts).
 */
import { describe, expect, inject } from 'vitest';
import { kubectl } from '../stack/helpers.ts';
import {
  cliProcess,
  type GroupSnapshot,
  groupProblems,
  groupWithSuite,
  prepareGroup,
  type Stage,
  snapshotGroup,
} from '../support/engine-runs.ts';
import type { RecordedRequest } from '../support/fault-proxy.ts';
import type { FaultRule } from '../support/fault-rules.ts';
import type { GroupFixture } from '../support/group-fixture.ts';
import { type CountedRun, countWrites } from '../support/kill-points.ts';
import {
  type CaseOptions,
  reliabilityCase,
  type TrialContext,
  type TrialResult,
} from '../support/reliability.ts';
import { type ApiServerProxy, startApiServerProxy } from '../support/stack-proxies.ts';

const stack = inject('stack');
const SERVICES = ['hello-a', 'hello-b'];

interface FaultRun {
  fx: GroupFixture;
  api: ApiServerProxy;
  run: CountedRun;
  fired: number;
  snapshot: GroupSnapshot;
  before: { live?: string; standby?: string };
  output: string;
}

type Command = 'deploy' | 'test' | 'promote';

const ARGS: Record<Command, (fx: GroupFixture) => string[]> = {
  deploy: (fx) => ['deploy', fx.group, '--registry', stack.registry, '--timeout', '60s'],
  test: (fx) => ['test', fx.group, '--registry', stack.registry],
  promote: (fx) => ['promote', fx.group, '--scale-down-delay', 'keep'],
};

/** Where each command starts from: a first deploy, a deployed standby, a verified standby with a live release. */
const STAGE: Record<Command, Stage> = {
  deploy: 'images',
  test: 'standby-ready',
  promote: 'standby-verified',
};

/** Every case runs concurrently with the others of this file: each has its own group, proxy and process. */
const CONCURRENT: CaseOptions = { concurrent: true, timeoutMs: 180_000 };

/** Runs `command` through a proxy of its own with `rules`, then reads the group back. */
async function runUnder(
  context: TrialContext,
  command: Command,
  rules: (fx: GroupFixture) => FaultRule[],
  extraArgs: string[] = [],
  timeoutMs = 120_000,
): Promise<FaultRun> {
  const fx = await groupWithSuite(stack, { onFinished: context.onFinished });
  const before = await prepareGroup(stack, fx, STAGE[command]);
  const api = await startApiServerProxy(stack);
  context.onFinished(() => api.close());
  const handles = rules(fx).map((rule) => api.addRule(rule));
  const run = await countWrites(
    api,
    cliProcess(stack, fx, [...ARGS[command](fx), ...extraArgs], {
      kubeconfig: api.kubeconfigFor(stack.kubeconfig),
      timeoutMs,
    }),
  );
  const fired = handles.reduce((sum, handle) => sum + handle.fired(), 0);
  const snapshot = await snapshotGroup(stack, fx.namespace);
  return { fx, api, run, fired, snapshot, before, output: `${run.stderr}${run.stdout}` };
}

/** The release the run put on standby (or found there), from the Deployments of `color`. */
function releaseOn(snapshot: GroupSnapshot, color: string): string {
  const releases = new Set(SERVICES.map((service) => snapshot.deployments[`${service}-${color}`]?.release));
  expect(releases.size, `one release on ${color}: ${JSON.stringify(snapshot.deployments)}`).toBe(1);
  return [...releases][0] ?? '';
}

/** A deploy that recovered: exit 0, the fault fired, standby ready with one record, live untouched, group sound. */
function expectDeployed(result: FaultRun, color = 'blue'): string {
  expect(result.run.code, result.output).toBe(0);
  expect(result.fired, 'the fault fired').toBeGreaterThan(0);
  const release = releaseOn(result.snapshot, color);
  for (const service of SERVICES) {
    const deployment = result.snapshot.deployments[`${service}-${color}`];
    expect(deployment?.ready, `${service}-${color} ready`).toBe(deployment?.replicas);
  }
  expect(result.snapshot.records[release]).toMatchObject({ phase: 'ready', deploys: 1, color });
  expect(groupProblems(result.snapshot, SERVICES)).toEqual([]);
  return release;
}

function recovered(result: FaultRun): TrialResult {
  return { outcome: 'recovered', output: result.output };
}

const requestsTo = (api: ApiServerProxy, method: string, path: RegExp) =>
  api.requests().filter((request) => request.method === method && path.test(request.path));

const deploymentsOf = /\/deployments\/hello-a-blue$/;

describe('deploy under API server faults', () => {
  reliabilityCase(
    'deploy.api.503-apply',
    async (_trial, context) => {
      const result = await runUnder(context, 'deploy', () => [
        {
          match: { method: 'PATCH', path: deploymentsOf },
          on: { nth: 1 },
          fault: { kind: 'status', status: 503 },
        },
      ]);
      expectDeployed(result);
      const applies = requestsTo(result.api, 'PATCH', deploymentsOf);
      expect(applies.map((r) => [r.status, r.forwarded])).toEqual([
        [503, false],
        [201, true],
      ]);
      return recovered(result);
    },
    CONCURRENT,
  );

  reliabilityCase(
    'deploy.api.500-list',
    async (_trial, context) => {
      const result = await runUnder(context, 'deploy', (fx) => [
        {
          match: {
            method: 'GET',
            path: `/apis/apps/v1/namespaces/${fx.namespace}/deployments`,
            watch: false,
          },
          on: { nth: [1, 2] },
          fault: { kind: 'status', status: 500 },
        },
      ]);
      expectDeployed(result);
      return recovered(result);
    },
    CONCURRENT,
  );

  reliabilityCase(
    'deploy.api.429-record-create',
    async (_trial, context) => {
      const result = await runUnder(context, 'deploy', () => [
        {
          match: { method: 'POST', path: /\/configmaps$/ },
          on: { nth: 1 },
          fault: { kind: 'throttle', retryAfterSeconds: 1 },
        },
      ]);
      expectDeployed(result);
      const [throttled, retried] = requestsTo(result.api, 'POST', /\/configmaps$/);
      expect(throttled?.status).toBe(429);
      expect(retried?.status).toBe(201);
      // the server's Retry-After, honoured: the retry came no sooner than 1 s later
      expect((retried?.at ?? 0) - (throttled?.at ?? 0)).toBeGreaterThanOrEqual(1_000);
      return recovered(result);
    },
    CONCURRENT,
  );

  reliabilityCase(
    'deploy.api.409-record-update',
    async (_trial, context) => {
      const result = await runUnder(context, 'deploy', () => [
        {
          match: { method: 'PUT', path: /\/configmaps\/greenlight-release-/ },
          on: { nth: 1 },
          fault: { kind: 'conflict' },
        },
      ]);
      expectDeployed(result);
      const updates = requestsTo(result.api, 'PUT', /\/configmaps\/greenlight-release-/);
      expect(updates.map((r) => r.status)).toEqual([409, 200]);
      return recovered(result);
    },
    CONCURRENT,
  );

  reliabilityCase(
    'deploy.api.409-lease-create',
    async (_trial, context) => {
      const result = await runUnder(context, 'deploy', () => [
        {
          match: { method: 'POST', path: /\/leases$/ },
          on: { nth: 1 },
          fault: { kind: 'conflict', reason: 'AlreadyExists' },
        },
      ]);
      expectDeployed(result);
      return recovered(result);
    },
    CONCURRENT,
  );

  reliabilityCase(
    'deploy.api.409-lease-renewal',
    async (_trial, context) => {
      // The first list of pods is slow, so the deploy is still running at its first renewal (5 s).
      const result = await runUnder(context, 'deploy', (fx) => [
        {
          match: { method: 'GET', path: `/api/v1/namespaces/${fx.namespace}/pods`, watch: false },
          on: { nth: 1 },
          fault: { kind: 'delay', ms: 7_000 },
        },
        {
          match: { method: 'PUT', path: /\/leases\/greenlight-lock$/ },
          on: { nth: 1 },
          fault: { kind: 'conflict' },
        },
      ]);
      expectDeployed(result);
      const renewals = requestsTo(result.api, 'PUT', /\/leases\/greenlight-lock$/);
      expect(renewals[0]?.status).toBe(409);
      // it read the Lease, saw its own name, and went on holding it: no loss, a later renewal or the release went through
      expect(renewals.slice(1).some((r) => r.status === 200)).toBe(true);
      expect(result.output).not.toContain('lost the namespace lock');
      return recovered(result);
    },
    CONCURRENT,
  );

  reliabilityCase(
    'deploy.api.reset-before-apply',
    async (_trial, context) => {
      const result = await runUnder(context, 'deploy', () => [
        {
          match: { method: 'PATCH', path: /\/services\/hello-a-blue$/ },
          on: { nth: 1 },
          fault: { kind: 'reset', when: 'before' },
        },
      ]);
      expectDeployed(result);
      const applies = requestsTo(result.api, 'PATCH', /\/services\/hello-a-blue$/);
      expect(applies.map((r) => [r.outcome, r.forwarded])).toEqual([
        ['reset', false],
        ['answered', true],
      ]);
      return recovered(result);
    },
    CONCURRENT,
  );

  reliabilityCase(
    'deploy.api.reset-after-apply',
    async (_trial, context) => {
      const result = await runUnder(context, 'deploy', () => [
        {
          match: { method: 'PATCH', path: deploymentsOf },
          on: { nth: 1 },
          fault: { kind: 'reset', when: 'after' },
        },
      ]);
      expectDeployed(result);
      const applies = requestsTo(result.api, 'PATCH', deploymentsOf);
      expect(applies.map((r) => [r.upstreamStatus, r.outcome])).toEqual([
        [201, 'reset'],
        [200, 'answered'],
      ]);
      // the same apply twice is one change: the Deployment's spec was written once
      const generation = await kubectl(stack, [
        'get',
        'deployment',
        'hello-a-blue',
        '-n',
        result.fx.namespace,
        '-o',
        'jsonpath={.metadata.generation}',
      ]);
      expect(generation.stdout).toBe('1');
      return recovered(result);
    },
    CONCURRENT,
  );

  reliabilityCase(
    'deploy.api.reset-after-namespace-create',
    (_trial, context) => resetAfterCreate(context, /^\/api\/v1\/namespaces$/),
    CONCURRENT,
  );

  reliabilityCase(
    'deploy.api.reset-after-lease-create',
    (_trial, context) => resetAfterCreate(context, /\/leases$/),
    CONCURRENT,
  );

  reliabilityCase(
    'deploy.api.reset-after-record-create',
    (_trial, context) => resetAfterCreate(context, /\/configmaps$/),
    CONCURRENT,
  );

  reliabilityCase(
    'deploy.api.503-lease-create',
    async (_trial, context) => {
      const result = await runUnder(context, 'deploy', () => [
        {
          match: { method: 'POST', path: /\/leases$/ },
          on: { nth: 1 },
          fault: { kind: 'status', status: 503 },
        },
      ]);
      expectDeployed(result);
      // read back (absent), then created
      expect(requestsTo(result.api, 'POST', /\/leases$/).map((r) => r.status)).toEqual([503, 201]);
      return recovered(result);
    },
    CONCURRENT,
  );

  reliabilityCase(
    'deploy.api.slow',
    async (_trial, context) => {
      const result = await runUnder(context, 'deploy', () => [
        { match: { write: false, watch: false }, fault: { kind: 'delay', ms: 1_500 }, on: { limit: 6 } },
        { match: { write: true }, fault: { kind: 'delay', ms: 1_500 }, on: { limit: 4 } },
      ]);
      expectDeployed(result);
      expect(result.fired).toBe(10);
      return recovered(result);
    },
    CONCURRENT,
  );

  reliabilityCase(
    'deploy.api.hang-apply',
    async (_trial, context) => {
      const result = await runUnder(context, 'deploy', () => [
        { match: { method: 'PATCH', path: deploymentsOf }, on: { nth: 1 }, fault: { kind: 'hang' } },
      ]);
      expectDeployed(result);
      const applies = requestsTo(result.api, 'PATCH', deploymentsOf);
      // the first never reached the server: the client gave up on it (cancelled), then sent it again
      expect(applies.map((r) => [r.forwarded, r.outcome])).toEqual([
        [false, 'held'],
        [true, 'answered'],
      ]);
      return recovered(result);
    },
    CONCURRENT,
  );

  reliabilityCase(
    'deploy.api.watch-cut-abort',
    (_trial, context) => watchCut(context, 'pods', 'abort'),
    CONCURRENT,
  );

  reliabilityCase(
    'deploy.api.watch-cut-end',
    (_trial, context) => watchCut(context, 'deployments', 'end'),
    CONCURRENT,
  );

  reliabilityCase(
    'deploy.api.watch-gone',
    async (_trial, context) => {
      const result = await runUnder(context, 'deploy', (fx) => [
        {
          match: { method: 'GET', path: `/api/v1/namespaces/${fx.namespace}/pods`, watch: true },
          on: { nth: 1 },
          fault: { kind: 'cut-watch', afterEvents: 1 },
        },
        {
          match: { method: 'GET', path: `/api/v1/namespaces/${fx.namespace}/pods`, watch: true },
          on: { nth: 2 },
          fault: {
            kind: 'status',
            status: 410,
            message: 'too old resource version (injected by the fault proxy)',
          },
        },
      ]);
      expectDeployed(result);
      // 410: the version is gone, so it listed again and watched from the new list
      const pods = `/api/v1/namespaces/${result.fx.namespace}/pods`;
      const ofPods = result.api.requests().filter((r) => r.method === 'GET' && r.path === pods);
      const gone = ofPods.find((r) => r.watch && r.status === 410);
      const after = ofPods.filter((r) => r.seq > (gone?.seq ?? Infinity));
      expect(after[0]?.watch, 'a list right after the 410').toBe(false);
      const versionOf = (r: RecordedRequest | undefined) =>
        new URLSearchParams(r?.query).get('resourceVersion');
      const stale = after.filter((r) => r.watch && versionOf(r) === versionOf(gone));
      expect(stale, 'no watch from the version that was gone').toEqual([]);
      return recovered(result);
    },
    CONCURRENT,
  );

  reliabilityCase(
    'deploy.api.watch-hang-timeout',
    async (_trial, context) => {
      const result = await runUnder(
        context,
        'deploy',
        () => [{ match: { watch: true }, fault: { kind: 'hang', maxMs: 60_000 } }],
        ['--timeout', '5s', '--json'],
        25_000,
      );
      // within bounded time: the run's 5 s, then its clean-up (no 30 s wait for the unanswered watches)
      expect(result.run.timedOut, 'ended on its own within 25 s').toBe(false);
      expect(result.run.code).toBe(1);
      expect(result.fired).toBeGreaterThan(0);
      expect(JSON.parse(result.run.stdout).error.kind).toBe('rollout-timeout');
      // failed, and said so: the standby went to zero and the record says why; nothing is live
      const release = releaseOn(result.snapshot, 'blue');
      expect(result.snapshot.records[release]).toMatchObject({
        phase: 'failed',
        failure: { kind: 'rollout-timeout' },
      });
      expect(result.snapshot.deployments['hello-a-blue']?.replicas).toBe(0);
      expect(result.snapshot.live).toEqual({});
      expect(groupProblems(result.snapshot, SERVICES)).toEqual([]);
      return { outcome: 'failed-clearly', output: result.output };
    },
    CONCURRENT,
  );
});

/** A cut watch was resumed from where it stopped: a later watch from a newer resourceVersion, and no list again. */
function expectResumed(api: ApiServerProxy, collection: string): void {
  const ofCollection = api.requests().filter((r) => r.method === 'GET' && r.path === collection);
  const watches = ofCollection.filter((r) => r.watch);
  const [cut, resumed] = watches;
  expect(cut?.outcome).toBe('cut');
  expect(resumed, `a second watch of ${collection}`).toBeDefined();
  const versionOf = (r: RecordedRequest | undefined) => new URLSearchParams(r?.query).get('resourceVersion');
  expect(versionOf(resumed)).toBeTruthy();
  expect(versionOf(resumed)).not.toBe(versionOf(cut));
  const relists = ofCollection.filter(
    (r) => !r.watch && r.seq > (cut?.seq ?? 0) && r.seq < (resumed?.seq ?? 0),
  );
  expect(relists, 'no list between the cut and the resumed watch').toEqual([]);
}

/** The first create at `path` is applied by the server and its answer lost; the deploy must recognise its own object. */
async function resetAfterCreate(context: TrialContext, path: RegExp): Promise<TrialResult> {
  const result = await runUnder(context, 'deploy', () => [
    { match: { method: 'POST', path }, on: { nth: 1 }, fault: { kind: 'reset', when: 'after' } },
  ]);
  expect(requestsTo(result.api, 'POST', path)[0]).toMatchObject({ upstreamStatus: 201, outcome: 'reset' });
  expectDeployed(result);
  return recovered(result);
}

/** The first watch of `resource` cut after one event; the deploy must resume it, not start over. */
async function watchCut(
  context: TrialContext,
  resource: 'pods' | 'deployments',
  mode: 'abort' | 'end',
): Promise<TrialResult> {
  const base = resource === 'pods' ? '/api/v1' : '/apis/apps/v1';
  const result = await runUnder(context, 'deploy', (fx) => [
    {
      match: { method: 'GET', path: `${base}/namespaces/${fx.namespace}/${resource}`, watch: true },
      on: { nth: 1 },
      fault: { kind: 'cut-watch', afterEvents: 1, mode },
    },
  ]);
  expectDeployed(result);
  expectResumed(result.api, `${base}/namespaces/${result.fx.namespace}/${resource}`);
  return recovered(result);
}

describe('test under API server faults', () => {
  /** A test run that recovered: exit 0, the fault fired, the release verified by a passing Job, group sound. */
  function expectVerified(result: FaultRun): void {
    expect(result.run.code, result.output).toBe(0);
    expect(result.fired, 'the fault fired').toBeGreaterThan(0);
    const record = result.snapshot.records[result.before.standby ?? ''];
    expect(record).toMatchObject({ phase: 'verified', verification: { passed: true, mode: 'job' } });
    expect(groupProblems(result.snapshot, SERVICES)).toEqual([]);
  }

  const jobs = /\/jobs$/;

  reliabilityCase(
    'test.api.503-job-create',
    async (_trial, context) => {
      const result = await runUnder(context, 'test', () => [
        { match: { method: 'POST', path: jobs }, on: { nth: 1 }, fault: { kind: 'status', status: 503 } },
      ]);
      expectVerified(result);
      expect(requestsTo(result.api, 'POST', jobs).map((r) => r.status)).toEqual([503, 201]);
      return recovered(result);
    },
    CONCURRENT,
  );

  reliabilityCase(
    'test.api.reset-after-job-create',
    async (_trial, context) => {
      const result = await runUnder(context, 'test', () => [
        { match: { method: 'POST', path: jobs }, on: { nth: 1 }, fault: { kind: 'reset', when: 'after' } },
      ]);
      expectVerified(result);
      // read back as its own: one Job, created once
      expect(requestsTo(result.api, 'POST', jobs).map((r) => r.upstreamStatus)).toEqual([201]);
      const created = await kubectl(stack, ['get', 'jobs', '-n', result.fx.namespace, '-o', 'name']);
      // the group had no Job before (its standby was deployed, never tested): this run's, and no second
      expect(created.stdout.trim().split('\n')).toEqual([
        expect.stringMatching(/^job\.batch\/greenlight-test-.*-1$/),
      ]);
      return recovered(result);
    },
    CONCURRENT,
  );

  reliabilityCase(
    'test.api.watch-cut',
    async (_trial, context) => {
      const result = await runUnder(context, 'test', (fx) => [
        {
          match: { method: 'GET', path: `/apis/batch/v1/namespaces/${fx.namespace}/jobs`, watch: true },
          on: { nth: 1 },
          fault: { kind: 'cut-watch', afterEvents: 1 },
        },
      ]);
      expectVerified(result);
      expectResumed(result.api, `/apis/batch/v1/namespaces/${result.fx.namespace}/jobs`);
      return recovered(result);
    },
    CONCURRENT,
  );

  reliabilityCase(
    'test.api.409-verification',
    async (_trial, context) => {
      const result = await runUnder(context, 'test', () => [
        {
          match: { method: 'PUT', path: /\/configmaps\/greenlight-release-/ },
          on: { nth: 1 },
          fault: { kind: 'conflict' },
        },
      ]);
      expectVerified(result);
      return recovered(result);
    },
    CONCURRENT,
  );

  reliabilityCase(
    'test.api.429-lease',
    async (_trial, context) => {
      const result = await runUnder(context, 'test', () => [
        {
          match: { method: 'PUT', path: /\/leases\/greenlight-lock$/ },
          on: { nth: 1 },
          fault: { kind: 'throttle', retryAfterSeconds: 1 },
        },
      ]);
      expectVerified(result);
      const [throttled, retried] = requestsTo(result.api, 'PUT', /\/leases\/greenlight-lock$/);
      expect((retried?.at ?? 0) - (throttled?.at ?? 0)).toBeGreaterThanOrEqual(1_000);
      return recovered(result);
    },
    CONCURRENT,
  );
});

describe('promote under API server faults', () => {
  /** A promote that recovered: exit 0, the fault fired, the verified release live on green, the old one retired. */
  function expectPromoted(result: FaultRun): void {
    expect(result.run.code, result.output).toBe(0);
    expect(result.fired, 'the fault fired').toBeGreaterThan(0);
    expect(result.snapshot.live).toEqual({ 'hello-a': 'green', 'hello-b': 'green' });
    expect(releaseOn(result.snapshot, 'green')).toBe(result.before.standby);
    expect(result.snapshot.records[result.before.standby ?? '']).toMatchObject({ phase: 'promoted' });
    expect(result.snapshot.records[result.before.live ?? '']).toHaveProperty('retiredAt');
    expect(groupProblems(result.snapshot, SERVICES)).toEqual([]);
  }

  const liveB = /\/services\/hello-b$/;

  reliabilityCase(
    'promote.api.503-live-service',
    async (_trial, context) => {
      const result = await runUnder(context, 'promote', () => [
        { match: { method: 'PATCH', path: liveB }, on: { nth: 1 }, fault: { kind: 'status', status: 503 } },
      ]);
      expectPromoted(result);
      return recovered(result);
    },
    CONCURRENT,
  );

  reliabilityCase(
    'promote.api.503-live-service-always',
    async (_trial, context) => {
      const result = await runUnder(context, 'promote', () => [
        { match: { method: 'PATCH', path: liveB }, fault: { kind: 'status', status: 503 } },
      ]);
      expect(result.run.code).toBe(1);
      expect(result.fired).toBe(5 + 5); // the switch's attempts, then the revert's
      // never split: every live Service back on blue, the intent gone, the failure on record
      expect(result.snapshot.live).toEqual({ 'hello-a': 'blue', 'hello-b': 'blue' });
      const record = result.snapshot.records[result.before.standby ?? ''];
      expect(record).toMatchObject({ phase: 'verified', failure: { kind: 'switch-failed' } });
      expect(record).not.toHaveProperty('switch');
      expect(groupProblems(result.snapshot, SERVICES)).toEqual([]);
      // and it can be promoted once the API answers again
      const again = await result.fx.cli(['promote', result.fx.group, '--scale-down-delay', 'keep']);
      expect(again.code, again.stderr).toBe(0);
      expect((await snapshotGroup(stack, result.fx.namespace)).live).toEqual({
        'hello-a': 'green',
        'hello-b': 'green',
      });
      return { outcome: 'failed-clearly', output: result.output };
    },
    CONCURRENT,
  );

  reliabilityCase(
    'promote.api.reset-after-live-service',
    async (_trial, context) => {
      const result = await runUnder(context, 'promote', () => [
        { match: { method: 'PATCH', path: liveB }, on: { nth: 1 }, fault: { kind: 'reset', when: 'after' } },
      ]);
      expectPromoted(result);
      return recovered(result);
    },
    CONCURRENT,
  );

  reliabilityCase(
    'promote.api.429-intent',
    async (_trial, context) => {
      const result = await runUnder(context, 'promote', () => [
        {
          match: { method: 'PUT', path: /\/configmaps\/greenlight-release-/ },
          on: { nth: 1 },
          fault: { kind: 'throttle', retryAfterSeconds: 2 },
        },
      ]);
      expectPromoted(result);
      const [throttled, retried] = requestsTo(result.api, 'PUT', /\/configmaps\/greenlight-release-/);
      expect((retried?.at ?? 0) - (throttled?.at ?? 0)).toBeGreaterThanOrEqual(2_000);
      return recovered(result);
    },
    CONCURRENT,
  );

  reliabilityCase(
    'promote.api.409-intent',
    async (_trial, context) => {
      const result = await runUnder(context, 'promote', () => [
        {
          match: { method: 'PUT', path: /\/configmaps\/greenlight-release-/ },
          on: { nth: 1 },
          fault: { kind: 'conflict' },
        },
      ]);
      expectPromoted(result);
      return recovered(result);
    },
    CONCURRENT,
  );
});
