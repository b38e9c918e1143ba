/**
 * The namespace lock under contention and loss (issue 16), with every run a process of
 * its own behind a fault proxy of its own, so each run's writes carry timestamps:
 *
 * - a lost lock: a deploy whose Lease renewals are blocked until its Lease expires must
 *   stop writing before the next run takes the Lease over; the two never write to the
 *   group at once (every write of the old holder was answered before the new holder's
 *   first write arrived);
 * - five deploys of one group at once, and a promote racing a deploy: strictly one at a
 *   time, each waiting (naming the holder) or failing with the holder's name; the promote
 *   never switches to a standby the deploy is changing (`promote --release ID` refuses
 *   when standby runs another release).
 *
 * The end state is read with kubectl from the API server itself.
 */
import { describe, expect, inject } from 'vitest';
import {
  cliProcess,
  groupProblems,
  groupWithSuite,
  prepareGroup,
  snapshotGroup,
} from '../support/engine-runs.ts';
import type { RecordedRequest } from '../support/fault-proxy.ts';
import type { FaultRule } from '../support/fault-rules.ts';
import type { GroupFixture } from '../support/group-fixture.ts';
import { type CountedRun, countWrites } from '../support/kill-points.ts';
import { startGroup } from '../support/process-group.ts';
import { type CaseOptions, reliabilityCase, type TrialContext } from '../support/reliability.ts';
import { type ApiServerProxy, blockLeaseRenewals, startApiServerProxy } from '../support/stack-proxies.ts';

const stack = inject('stack');
const SERVICES = ['hello-a', 'hello-b'];
const CONCURRENT: CaseOptions = { concurrent: true, timeoutMs: 300_000 };

const isLease = (request: RecordedRequest) => /\/leases(\/greenlight-lock)?$/.test(request.path);
const holderIn = (request: RecordedRequest) =>
  (JSON.parse(request.requestBody?.toString('utf8') || '{}') as { spec?: { holderIdentity?: string } }).spec
    ?.holderIdentity;

/** One run through a proxy of its own: what it wrote, when, and under which holder name. */
interface Run {
  api: ApiServerProxy;
  run: CountedRun;
  /** the holder name it wrote into the Lease when it took it, if it did */
  holder: string | undefined;
  /** from its successful take of the Lease to the answer to its release */
  held: { from: number; to: number } | undefined;
  /** its writes other than the Lease's */
  groupWrites: RecordedRequest[];
}

async function proxyFor(context: TrialContext): Promise<{ api: ApiServerProxy; kubeconfig: string }> {
  const api = await startApiServerProxy(stack);
  context.onFinished(() => api.close());
  return { api, kubeconfig: api.kubeconfigFor(stack.kubeconfig) };
}

function describeRun(api: ApiServerProxy, run: CountedRun): Run {
  const writes = api.writes();
  const take = writes.find((write) => isLease(write) && holderIn(write) && (write.upstreamStatus ?? 0) < 300);
  const release = [...writes]
    .reverse()
    .find((write) => isLease(write) && !holderIn(write) && write.upstreamStatus === 200);
  const holder = take ? holderIn(take) : undefined;
  return {
    api,
    run,
    holder,
    held: take ? { from: take.at, to: release?.answeredAt ?? Number.POSITIVE_INFINITY } : undefined,
    groupWrites: writes.filter((write) => !isLease(write) && !/^\/api\/v1\/namespaces$/.test(write.path)),
  };
}

/** Strictly one at a time: each run's group writes inside its hold of the Lease, and no two holds overlap. */
function expectOneAtATime(runs: readonly Run[]): void {
  for (const run of runs) {
    for (const write of run.groupWrites) {
      expect(run.held, `a run that wrote ${write.method} ${write.path} held the lock`).toBeDefined();
      expect(write.at).toBeGreaterThanOrEqual(run.held?.from ?? 0);
      expect(write.answeredAt ?? 0).toBeLessThanOrEqual(run.held?.to ?? 0);
    }
  }
  const holds = runs.flatMap((run) => (run.held ? [run.held] : [])).sort((a, b) => a.from - b.from);
  for (let i = 1; i < holds.length; i++) {
    expect(holds[i]?.from, 'a run took the lock only after the one before released it').toBeGreaterThan(
      holds[i - 1]?.to ?? 0,
    );
  }
}

/** A run that waited named a holder that was another run's; one that gave up named it in its error. */
function expectWaitsNameTheHolder(runs: readonly Run[]): void {
  const holders = runs.map((run) => run.holder);
  for (const run of runs) {
    const others = holders.filter((holder) => holder !== run.holder);
    for (const [, named] of run.run.stderr.matchAll(/waiting for the lock of \S+, held by (.+)$/gm)) {
      expect(others, `the holder it waited for: ${named}`).toContain(named);
    }
    const error =
      run.run.code === 0
        ? undefined
        : (JSON.parse(run.run.stdout).error as { kind: string; detail?: { holder?: string } });
    if (error?.kind === 'lock-held') {
      expect(others).toContain(error.detail?.holder);
      expect(run.run.stderr).toContain(`is locked by ${error.detail?.holder}`);
    }
  }
}

describe('a lost lock', () => {
  /**
   * The old holder deploys through proxy A, which blocks its Lease renewals (as `mode`)
   * and delays its first list of pods past the margin (so it is still running when the
   * hold ends); `extra` adds faults of A's. The next run deploys newer images through
   * proxy B, waiting for the lock.
   */
  async function lostLock(
    context: TrialContext,
    mode: 'fail' | 'hang',
    extra: (fx: GroupFixture) => FaultRule[],
  ) {
    const fx = await groupWithSuite(stack, { onFinished: context.onFinished });
    await prepareGroup(stack, fx, 'live');
    await Promise.all(SERVICES.map((service) => fx.push(service)));
    const a = await proxyFor(context);
    const b = await proxyFor(context);
    a.api.addRule({
      match: { method: 'GET', path: `/api/v1/namespaces/${fx.namespace}/pods`, watch: false },
      on: { nth: 1 },
      fault: { kind: 'delay', ms: 12_000 },
    });
    for (const rule of extra(fx)) a.api.addRule(rule);
    const deploy = ['deploy', fx.group, '--registry', stack.registry, '--timeout', '60s', '--json'];
    const old = startGroup(cliProcess(stack, fx, deploy, { kubeconfig: a.kubeconfig }));
    let oldEnded = 0;
    const oldDone = old.done.then((run) => {
      oldEnded = Date.now();
      return run;
    });
    await a.api.waitForRequest((r) => isLease(r) && r.write && (r.upstreamStatus ?? 0) < 300, {
      what: 'the Lease taken',
    });
    // from its take on (a PUT too, of the Lease the earlier runs released), no renewal gets through
    blockLeaseRenewals(a.api, { namespace: fx.namespace, name: 'greenlight-lock' }, mode);
    // the next run resolves other images, so its release is a different one
    await Promise.all(SERVICES.map((service) => fx.push(service)));
    const next = await countWrites(
      b.api,
      cliProcess(stack, fx, [...deploy, '--lock-timeout', '60s'], { kubeconfig: b.kubeconfig }),
    );
    const oldRun = await oldDone;
    return {
      fx,
      a: describeRun(a.api, { ...oldRun, ...recordsOf(a.api) }),
      b: describeRun(b.api, next),
      oldEnded,
    };
  }

  const recordsOf = (api: ApiServerProxy) => ({ requests: api.requests(), writes: api.writes() });

  /** The old run stopped (lock-lost) and the next one deployed; the old run's last write before the next one's first. */
  function expectHandedOver(result: Awaited<ReturnType<typeof lostLock>>) {
    const { a, b } = result;
    expect(a.run.code, a.run.stderr).toBe(1);
    expect(JSON.parse(a.run.stdout).error.kind).toBe('lock-lost');
    expect(b.run.code, b.run.stderr).toBe(0);
    expect(b.run.stderr).toContain(
      `took over the lock of ${result.fx.namespace} from ${a.holder}: its Lease expired`,
    );
    const lastOld = Math.max(...a.api.writes().map((write) => write.answeredAt ?? write.at));
    const firstNew = Math.min(...b.api.writes().map((write) => write.at));
    expect(lastOld, 'every write of the old holder was answered before the new holder wrote').toBeLessThan(
      firstNew,
    );
    // and it stopped within its own margin: nothing written later than 10 s after it took the Lease
    expect(lastOld - (a.held?.from ?? 0)).toBeLessThan(10_000);
    return { lastOld, firstNew };
  }

  reliabilityCase(
    'lock.lost-renewals-fail',
    async (_trial, context) => {
      const result = await lostLock(context, 'fail', () => []);
      expectHandedOver(result);
      expect(result.a.run.stderr).toContain('lost the namespace lock: no renewal succeeded for 10s');
      const snapshot = await snapshotGroup(stack, result.fx.namespace);
      const released = JSON.parse(result.b.run.stdout).releaseId as string;
      expect(snapshot.records[released]).toMatchObject({ phase: 'ready', color: 'green' });
      expect(groupProblems(snapshot, SERVICES)).toEqual([]);
      return { outcome: 'recovered', output: `${result.a.run.stderr}\n${result.b.run.stderr}` };
    },
    CONCURRENT,
  );

  reliabilityCase(
    'lock.lost-write-in-flight',
    async (_trial, context) => {
      // the old holder's renewals never answered, and its last Deployment apply hangs across the loss
      const result = await lostLock(context, 'hang', () => [
        {
          match: { method: 'PATCH', path: /\/deployments\/hello-b-green$/ },
          on: { nth: 1 },
          fault: { kind: 'hang' },
        },
      ]);
      const { firstNew } = expectHandedOver(result);
      const hung = result.a.api
        .requests()
        .filter((r) => r.method === 'PATCH' && r.path.endsWith('/deployments/hello-b-green'));
      expect(
        hung.map((r) => r.forwarded),
        'the hung apply never reached the server, nor a retry of it',
      ).toEqual([false]);
      expect(result.oldEnded, 'the old run had ended before the new one wrote').toBeLessThan(firstNew);
      const snapshot = await snapshotGroup(stack, result.fx.namespace);
      const released = JSON.parse(result.b.run.stdout).releaseId as string;
      for (const service of SERVICES)
        expect(snapshot.deployments[`${service}-green`]?.release).toBe(released);
      expect(groupProblems(snapshot, SERVICES)).toEqual([]);
      return { outcome: 'recovered', output: `${result.a.run.stderr}\n${result.b.run.stderr}` };
    },
    CONCURRENT,
  );
});

describe('runs at once on one group', () => {
  reliabilityCase(
    'lock.five-deploys',
    async (_trial, context) => {
      const fx = await groupWithSuite(stack, { onFinished: context.onFinished });
      await prepareGroup(stack, fx, 'images');
      const branches = [1, 2, 3, 4, 5].map((k) => `feature/race-${k}`);
      for (const branch of branches) await fx.push('hello-a', branch);
      const proxies = await Promise.all(branches.map(() => proxyFor(context)));
      // three wait as long as it takes, two give up after 2 s
      const runs = await Promise.all(
        branches.map((branch, k) =>
          countWrites(
            proxies[k]?.api as ApiServerProxy,
            cliProcess(
              stack,
              fx,
              [
                'deploy',
                fx.group,
                '--registry',
                stack.registry,
                '--set',
                `hello-a=${branch}`,
                '--json',
                '--timeout',
                '60s',
                '--lock-timeout',
                k < 3 ? '120s' : '2s',
              ],
              { kubeconfig: proxies[k]?.kubeconfig ?? '' },
            ),
          ),
        ),
      );
      const described = runs.map((run, k) => describeRun(proxies[k]?.api as ApiServerProxy, run));
      expectOneAtATime(described);
      expectWaitsNameTheHolder(described);
      // every run that failed, failed waiting: lock-held
      for (const run of described.filter((r) => r.run.code !== 0)) {
        expect(JSON.parse(run.run.stdout).error.kind, run.run.stderr).toBe('lock-held');
      }
      const waited = described.filter((run) => /waiting for the lock of/.test(run.run.stderr));
      expect(waited.length, 'all but the first waited').toBeGreaterThanOrEqual(4);
      const deployed = described.filter((run) => run.run.code === 0);
      expect(deployed.length).toBeGreaterThanOrEqual(3);
      // the last to hold the lock is on standby; every earlier one was superseded by the next
      const byHold = [...deployed].sort((x, y) => (x.held?.from ?? 0) - (y.held?.from ?? 0));
      const ids = byHold.map((run) => JSON.parse(run.run.stdout).releaseId as string);
      const snapshot = await snapshotGroup(stack, fx.namespace);
      expect(snapshot.records[ids[ids.length - 1] ?? '']).toMatchObject({ phase: 'ready', color: 'blue' });
      for (let i = 0; i < ids.length - 1; i++) {
        expect(snapshot.records[ids[i] ?? '']).toMatchObject({ phase: 'rejected', supersededBy: ids[i + 1] });
      }
      expect(groupProblems(snapshot, SERVICES)).toEqual([]);
      return { outcome: 'recovered', output: described.map((run) => run.run.stderr).join('\n') };
    },
    CONCURRENT,
  );

  reliabilityCase(
    'lock.promote-races-deploy',
    async (trial, context) => {
      const fx = await groupWithSuite(stack, { onFinished: context.onFinished });
      const prepared = await prepareGroup(stack, fx, 'standby-verified');
      await Promise.all(SERVICES.map((service) => fx.push(service)));
      const p = await proxyFor(context);
      const d = await proxyFor(context);
      // each holds the lock 10 s at least (its first list of pods is slow), so the other one
      // waits even when a loaded machine takes seconds to start the second CLI (3 s was not enough)
      for (const { api } of [p, d]) {
        api.addRule({
          match: { method: 'GET', path: `/api/v1/namespaces/${fx.namespace}/pods`, watch: false },
          on: { nth: 1 },
          fault: { kind: 'delay', ms: 10_000 },
        });
      }
      const promote = cliProcess(
        stack,
        fx,
        ['promote', fx.group, '--release', prepared.standby ?? '', '--scale-down-delay', 'keep', '--json'],
        {
          kubeconfig: p.kubeconfig,
        },
      );
      const deploy = cliProcess(
        stack,
        fx,
        ['deploy', fx.group, '--registry', stack.registry, '--timeout', '60s', '--json'],
        {
          kubeconfig: d.kubeconfig,
        },
      );
      const takes = (r: RecordedRequest) => isLease(r) && r.write && (r.upstreamStatus ?? 0) < 300;
      // trial 0: the deploy holds the lock first; 1: the promote does; 2: both start at once
      let promoteRun: Promise<CountedRun>;
      let deployRun: Promise<CountedRun>;
      if (trial === 0) {
        deployRun = countWrites(d.api, deploy);
        await d.api.waitForRequest(takes, { what: 'the deploy holding the lock' });
        promoteRun = countWrites(p.api, promote);
      } else if (trial === 1) {
        promoteRun = countWrites(p.api, promote);
        await p.api.waitForRequest(takes, { what: 'the promote holding the lock' });
        deployRun = countWrites(d.api, deploy);
      } else {
        [promoteRun, deployRun] = [countWrites(p.api, promote), countWrites(d.api, deploy)];
      }
      const runs = {
        promote: describeRun(p.api, await promoteRun),
        deploy: describeRun(d.api, await deployRun),
      };
      expectOneAtATime([runs.promote, runs.deploy]);
      expectWaitsNameTheHolder([runs.promote, runs.deploy]);
      expect(runs.deploy.run.code, runs.deploy.run.stderr).toBe(0);
      const deployed = JSON.parse(runs.deploy.run.stdout).releaseId as string;
      const snapshot = await snapshotGroup(stack, fx.namespace);
      const promoteFirst = (runs.promote.held?.from ?? Infinity) < (runs.deploy.held?.from ?? Infinity);
      if (trial === 0) expect(promoteFirst).toBe(false);
      if (trial === 1) expect(promoteFirst).toBe(true);
      if (promoteFirst) {
        // promoted the tested release; the deploy then went to the other color
        expect(runs.promote.run.code, runs.promote.run.stderr).toBe(0);
        expect(snapshot.live).toEqual({ 'hello-a': 'green', 'hello-b': 'green' });
        expect(snapshot.deployments['hello-a-green']?.release).toBe(prepared.standby);
        expect(snapshot.records[deployed]).toMatchObject({ phase: 'ready', color: 'blue' });
      } else {
        // the deploy changed the standby first: the promote refused, live untouched
        expect(runs.promote.run.code).toBe(1);
        expect(JSON.parse(runs.promote.run.stdout).error.kind).toBe('release-not-on-standby');
        expect(runs.promote.run.stderr).toContain(
          `release ${prepared.standby} is not on standby: green runs release ${deployed}`,
        );
        expect(snapshot.live).toEqual({ 'hello-a': 'blue', 'hello-b': 'blue' });
        expect(snapshot.records[prepared.standby ?? '']).toMatchObject({
          phase: 'rejected',
          supersededBy: deployed,
        });
        expect(runs.promote.groupWrites).toEqual([]);
      }
      expect(groupProblems(snapshot, SERVICES)).toEqual([]);
      const output = `${runs.promote.run.stderr}\n${runs.deploy.run.stderr}`;
      return { outcome: 'recovered', output };
    },
    { ...CONCURRENT, concurrency: 3 },
  );
});
