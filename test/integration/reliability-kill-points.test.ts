/**
 * Kill points (issue 16): deploy, test (a Job of `<x>/exit-0` on kwok) and promote, each
 * SIGKILLed right after its nth API write for every n, then run again to its end. The
 * write gate of the fault proxy lets exactly n writes reach the API server and kills the
 * process group before the nth answer comes back (test/support/kill-points.ts).
 *
 * After the second run, read with kubectl from the API server itself: the group is sound
 * (every live Service on one color, that color's Deployments ready and on one release,
 * recorded promoted and not retired, every other release that went live retired, no
 * switch intent left, the lock free), the command's own result is there (the release
 * ready on standby, verified, or live), and the second run took the killed run's lock
 * only once its Lease had expired (its renewTime plus 15 s).
 *
 * Every trial starts from a fresh group brought to the command's starting point, so each
 * write position is the same write in every trial (Lease renewals, every 5 s, may add a
 * write in between; they count as writes too). Trials run four at a time: each mostly
 * waits the 15 s for the killed run's Lease to expire.
 */
import { describe, expect, inject } from 'vitest';
import { DEFAULT_LEASE_DURATION_MS } from '../../src/core/lock.ts';
import {
  cliProcess,
  type GroupSnapshot,
  groupProblems,
  groupWithSuite,
  type Prepared,
  prepareGroup,
  type Stage,
  snapshotGroup,
} from '../support/engine-runs.ts';
import type { RecordedRequest } from '../support/fault-proxy.ts';
import type { GroupFixture } from '../support/group-fixture.ts';
import { type CountedRun, countWrites, runKilledAfterWrite } from '../support/kill-points.ts';
import {
  reliabilityCase,
  reliabilityCaseById,
  type TrialContext,
  type TrialResult,
} from '../support/reliability.ts';
import { startApiServerProxy } from '../support/stack-proxies.ts';

const stack = inject('stack');
const SERVICES = ['hello-a', 'hello-b'];
const SWEEP = { concurrency: 4, timeoutMs: 900_000 };

interface Sweep {
  stage: Stage;
  /** Push a new image of every service after preparing (what the command then deploys). */
  newImages?: boolean;
  args(fx: GroupFixture, prepared: Prepared): string[];
  /** What the command must have done once run again to its end. */
  expectDone(snapshot: GroupSnapshot, prepared: Prepared): void;
}

const SWEEPS: Record<'deploy' | 'test' | 'promote', Sweep> = {
  deploy: {
    stage: 'live',
    newImages: true,
    args: (fx) => ['deploy', fx.group, '--registry', stack.registry, '--timeout', '60s'],
    expectDone(snapshot, prepared) {
      const release = onColor(snapshot, 'green');
      expect(release).not.toBe(prepared.live);
      expect(snapshot.records[release]).toMatchObject({ phase: 'ready', color: 'green' });
      expectReady(snapshot, 'green');
      expect(snapshot.live).toEqual({ 'hello-a': 'blue', 'hello-b': 'blue' });
    },
  },
  test: {
    stage: 'standby-ready',
    args: (fx) => ['test', fx.group, '--registry', stack.registry],
    expectDone(snapshot, prepared) {
      expect(snapshot.records[prepared.standby ?? '']).toMatchObject({
        phase: 'verified',
        verification: { passed: true, mode: 'job' },
      });
      expect(snapshot.live).toEqual({ 'hello-a': 'blue', 'hello-b': 'blue' });
    },
  },
  promote: {
    stage: 'standby-verified',
    // as the workflow runs it: the release the deploy put on standby, by id
    args: (fx, prepared) => [
      'promote',
      fx.group,
      '--release',
      prepared.standby ?? '',
      '--scale-down-delay',
      '1s',
    ],
    expectDone(snapshot, prepared) {
      expect(snapshot.live).toEqual({ 'hello-a': 'green', 'hello-b': 'green' });
      expect(onColor(snapshot, 'green')).toBe(prepared.standby);
      expectReady(snapshot, 'green');
      expect(snapshot.records[prepared.standby ?? '']).toMatchObject({ phase: 'promoted' });
      expect(snapshot.records[prepared.live ?? '']).toHaveProperty('retiredAt');
      // the old color went to zero after its 1 s scale-down delay
      for (const service of SERVICES) expect(snapshot.deployments[`${service}-blue`]?.replicas).toBe(0);
    },
  },
};

function onColor(snapshot: GroupSnapshot, color: string): string {
  const releases = new Set(SERVICES.map((service) => snapshot.deployments[`${service}-${color}`]?.release));
  expect(releases.size, `one release on ${color}: ${JSON.stringify(snapshot.deployments)}`).toBe(1);
  return [...releases][0] ?? '';
}

function expectReady(snapshot: GroupSnapshot, color: string): void {
  for (const service of SERVICES) {
    const deployment = snapshot.deployments[`${service}-${color}`];
    expect(deployment?.replicas, `${service}-${color} up`).toBeGreaterThan(0);
    expect(deployment?.ready, `${service}-${color} ready`).toBe(deployment?.replicas);
  }
}

const isLeaseWrite = (request: RecordedRequest) =>
  request.path.endsWith('/leases/greenlight-lock') || request.path.endsWith('/leases');

interface LeaseBody {
  spec?: { holderIdentity?: string; acquireTime?: string; renewTime?: string };
}

const leaseBody = (request: RecordedRequest): LeaseBody =>
  JSON.parse(request.requestBody?.toString('utf8') || '{}') as LeaseBody;

/** A Lease write that only renews: it names the holder that took the Lease, with the same acquireTime. */
function isRenewal(request: RecordedRequest, writes: readonly RecordedRequest[]): boolean {
  if (!isLeaseWrite(request)) return false;
  const take = writes.find((write) => isLeaseWrite(write) && leaseBody(write).spec?.holderIdentity);
  const body = leaseBody(request);
  return (
    request !== take &&
    body.spec?.holderIdentity !== undefined &&
    body.spec.holderIdentity === leaseBody(take ?? request).spec?.holderIdentity &&
    body.spec.acquireTime === leaseBody(take ?? request).spec?.acquireTime
  );
}

/** `PATCH services/hello-a`: a write, short. */
const describeWrite = (request: RecordedRequest | undefined) =>
  request ? `${request.method} ${request.path.split('/').slice(-2).join('/')}` : 'nothing';

async function prepareFor(fx: GroupFixture, sweep: Sweep): Promise<Prepared> {
  const prepared = await prepareGroup(stack, fx, sweep.stage);
  if (sweep.newImages) await Promise.all(SERVICES.map((service) => fx.push(service)));
  return prepared;
}

/**
 * Counts the command's writes once on a group of its own (renewals aside, they must be
 * the catalogue's number of trials: a change in the engine's writes shows up here first).
 */
async function countedWrites(context: TrialContext, sweep: Sweep, id: string): Promise<void> {
  const fx = await groupWithSuite(stack, { onFinished: context.onFinished });
  const prepared = await prepareFor(fx, sweep);
  const api = await startApiServerProxy(stack);
  context.onFinished(() => api.close());
  const run = await countWrites(
    api,
    cliProcess(stack, fx, sweep.args(fx, prepared), { kubeconfig: api.kubeconfigFor(stack.kubeconfig) }),
  );
  expect(run.code, run.stderr).toBe(0);
  const writes = run.writes.filter((write) => !isRenewal(write, run.writes));
  expect(
    writes.map(describeWrite),
    `${id}: the number of write positions (update trials in reliability-cases-engine.ts when the engine writes differently)`,
  ).toHaveLength(reliabilityCaseById(id).trials);
}

/** One kill point: a fresh group, the command killed after write `n`, then run again to its end; the end state checked. */
async function killAndRerun(context: TrialContext, sweep: Sweep, n: number): Promise<TrialResult> {
  const fx = await groupWithSuite(stack, { onFinished: context.onFinished });
  const prepared = await prepareFor(fx, sweep);
  const api = await startApiServerProxy(stack);
  context.onFinished(() => api.close());
  const command = cliProcess(stack, fx, sweep.args(fx, prepared), {
    kubeconfig: api.kubeconfigFor(stack.kubeconfig),
  });
  const killed = await runKilledAfterWrite(api, command, n);
  expect(killed.killed, `killed after write ${n}:\n${killed.stderr}`).toBe(true);
  expect(killed.writes).toHaveLength(n);
  const again = await countWrites(api, command);
  expect(again.code, `the second run:\n${again.stderr}${again.stdout}`).toBe(0);

  const snapshot = await snapshotGroup(stack, fx.namespace);
  const story = `killed after write ${n} (${describeWrite(killed.writes[n - 1])}) of pid ${killed.pid}; the second run, pid ${again.pid}:\n${again.stderr}`;
  const lease = killedLease(killed);
  expect(groupProblems(snapshot, SERVICES, { deadHolder: lease.holder }), story).toEqual([]);
  sweep.expectDone(snapshot, prepared);
  expectLockFreed(lease, again, snapshot);
  const last = killed.writes[n - 1];
  return {
    outcome: 'recovered',
    output: `killed after write ${n} (${describeWrite(last)})\n${again.stderr}`,
  };
}

interface KilledLease {
  /** the holder name the killed run wrote into the Lease */
  holder: string | undefined;
  /** the renewTime of its last Lease write, undefined when that write released it */
  renewTime: string | undefined;
}

function killedLease(killed: CountedRun): KilledLease {
  const leaseWrites = killed.writes.filter(isLeaseWrite);
  const last = leaseWrites[leaseWrites.length - 1];
  const holder = leaseWrites[0] ? leaseBody(leaseWrites[0]).spec?.holderIdentity : undefined;
  const held = last !== undefined && leaseBody(last).spec?.holderIdentity !== undefined;
  return { holder, renewTime: held && last ? leaseBody(last).spec?.renewTime : undefined };
}

/**
 * The killed run's lock is free once its Lease expires: either the second run took it
 * over, only after the killed run's last renewTime plus the Lease duration, naming it;
 * or the second run had nothing to do under the lock (the work was done) and the Lease
 * still names the dead run, untouched since, so it expires at that renewTime + 15 s.
 */
function expectLockFreed(lease: KilledLease, again: CountedRun, snapshot: GroupSnapshot): void {
  if (lease.renewTime === undefined) {
    expect(again.stderr, 'the killed run had released its Lease').not.toContain('took over the lock');
    return;
  }
  const takeOver = again.writes.find(isLeaseWrite);
  if (takeOver === undefined) {
    expect(snapshot.holder).toBe(lease.holder);
    expect(Date.parse(snapshot.renewTime ?? ''), "nobody renewed the dead run's Lease").toBe(
      Date.parse(lease.renewTime),
    );
    return;
  }
  expect(again.stderr).toContain(`from ${lease.holder}: its Lease expired`);
  expect(takeOver.at, 'the take-over came after the Lease expired').toBeGreaterThan(
    Date.parse(lease.renewTime) + DEFAULT_LEASE_DURATION_MS,
  );
}

/** promote without --release: "whatever stands on standby", the other way a person runs it. */
const PROMOTE_STANDBY: Sweep = {
  ...SWEEPS.promote,
  args: (fx) => ['promote', fx.group, '--scale-down-delay', '1s'],
};
/** After the first live Service, after the first preview, after the old release was retired. */
const MID_SWITCH = [3, 5, 7];

describe('killed after every write, then run again', () => {
  reliabilityCase(
    'kill.deploy',
    async (n, context) => {
      if (n === 0) await countedWrites(context, SWEEPS.deploy, 'kill.deploy');
      return killAndRerun(context, SWEEPS.deploy, n + 1);
    },
    SWEEP,
  );

  reliabilityCase(
    'kill.test',
    async (n, context) => {
      if (n === 0) await countedWrites(context, SWEEPS.test, 'kill.test');
      return killAndRerun(context, SWEEPS.test, n + 1);
    },
    SWEEP,
  );

  reliabilityCase(
    'kill.promote',
    async (n, context) => {
      if (n === 0) await countedWrites(context, SWEEPS.promote, 'kill.promote');
      return killAndRerun(context, SWEEPS.promote, n + 1);
    },
    SWEEP,
  );

  reliabilityCase(
    'kill.promote-standby',
    (n, context) => killAndRerun(context, PROMOTE_STANDBY, MID_SWITCH[n] ?? 0),
    SWEEP,
  );
});
