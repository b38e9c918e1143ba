/**
 * The engine's reliability tests (issue 16, phase 2) run the CLI as a separate process,
 * the way a person or a workflow step runs it, so a fault proxy can stand between it and
 * the API server and a kill point can SIGKILL it. This module builds those command lines
 * for a group fixture and reads back what a group must look like whatever happened to
 * the runs before: every check reads the cluster with kubectl, directly from the API
 * server (never through the proxy, never with Greenlight's own code).
 */
import { lastGoodTag } from '../../src/core/naming.ts';
import { kubectl, uniqueName } from '../stack/helpers.ts';
import type { StackInfo } from '../stack/types.ts';
import { NODE24, REPO_ROOT } from './action-runner.ts';
import { type GroupFixture, type GroupFixtureOptions, groupFixture } from './group-fixture.ts';
import type { CommandSpec } from './process-group.ts';
import { pushOciImage } from './registry.ts';

export const CLI_ENTRY = `${REPO_ROOT}src/cli/index.ts`;

export interface CliProcessOptions {
  /** default: the stack's admin kubeconfig (a proxy's kubeconfigFor(...) to go through it) */
  kubeconfig?: string;
  /** extra environment on top of PATH and HOME */
  env?: Record<string, string>;
  /** default 120 s */
  timeoutMs?: number;
  cwd?: string;
  /** default: the fixture's groups directory */
  groupsDir?: string;
  /** only ARGS: for commands that take neither --groups-dir nor --kubeconfig (junit) */
  bare?: boolean;
}

/** `node src/cli/index.ts ARGS --groups-dir DIR --kubeconfig KC` as a command for process-group / kill-points. */
export function cliProcess(
  stack: StackInfo,
  fx: GroupFixture,
  args: readonly string[],
  options: CliProcessOptions = {},
): CommandSpec {
  return {
    command: NODE24,
    args: options.bare
      ? [CLI_ENTRY, ...args]
      : [
          CLI_ENTRY,
          ...args,
          '--groups-dir',
          options.groupsDir ?? fx.dir,
          '--kubeconfig',
          options.kubeconfig ?? stack.kubeconfig,
        ],
    // A small, explicit environment: nothing of the test runner's (AWS, KUBECONFIG) leaks in.
    env: { PATH: process.env.PATH ?? '', HOME: fx.dir, ...options.env },
    cwd: options.cwd ?? fx.dir,
    timeoutMs: options.timeoutMs ?? 120_000,
  };
}

interface Item {
  kind: string;
  metadata: {
    name: string;
    resourceVersion: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: {
    replicas?: number;
    selector?: Record<string, string> | { matchLabels?: Record<string, string> };
    holderIdentity?: string;
    renewTime?: string;
  };
  status?: { readyReplicas?: number; availableReplicas?: number; updatedReplicas?: number };
  data?: Record<string, string>;
}

export interface GroupSnapshot {
  /** live Service -> the color it selects */
  live: Record<string, string | undefined>;
  /** Deployment -> replicas, ready replicas, release label */
  deployments: Record<string, { replicas: number; ready: number; release: string }>;
  /** release id -> record */
  records: Record<string, Record<string, unknown>>;
  holder: string | undefined;
  /** the Lease's renewTime, as the API server holds it */
  renewTime: string | undefined;
}

/** Everything of the group's namespace an invariant needs, in one kubectl call. */
export async function snapshotGroup(stack: StackInfo, namespace: string): Promise<GroupSnapshot> {
  const result = await kubectl(
    stack,
    ['get', 'deployments,services,configmaps,leases', '-n', namespace, '-o', 'json'],
    { allowFailure: true },
  );
  const items = result.code === 0 ? (JSON.parse(result.stdout) as { items: Item[] }).items : [];
  const live: GroupSnapshot['live'] = {};
  const deployments: GroupSnapshot['deployments'] = {};
  const records: GroupSnapshot['records'] = {};
  let holder: string | undefined;
  let renewTime: string | undefined;
  for (const item of items) {
    const labels = item.metadata.labels ?? {};
    if (item.kind === 'Service' && labels['greenlight.dev/role'] === 'live') {
      live[item.metadata.name] = (item.spec?.selector as Record<string, string> | undefined)?.[
        'greenlight.dev/color'
      ];
    } else if (item.kind === 'Deployment') {
      deployments[item.metadata.name] = {
        replicas: item.spec?.replicas ?? 0,
        ready: item.status?.readyReplicas ?? 0,
        release: labels['greenlight.dev/release'] ?? '',
      };
    } else if (item.kind === 'ConfigMap' && labels['greenlight.dev/record'] === 'release') {
      const record = JSON.parse(item.data?.['release.json'] ?? '{}') as Record<string, unknown>;
      records[String(record.id)] = record;
    } else if (item.kind === 'Lease' && item.metadata.name === 'greenlight-lock') {
      holder = item.spec?.holderIdentity || undefined;
      renewTime = item.spec?.renewTime;
    }
  }
  return { live, deployments, records, holder, renewTime };
}

/**
 * What must hold of a group once the runs on it have ended, however they ended: the
 * problems found (empty when it is sound).
 *
 * - every live Service selects the same color, and that color's Deployments are up with
 *   every replica ready and all carry one release;
 * - that release has a record, promoted, with no switch intent left on it;
 * - no record is left with a switch intent at all, and every Deployment's release has a record;
 * - a record that says it is on standby (deploying, ready, verified) names the color the
 *   standby Deployments run it on;
 * - the lock is free (no holder), or held only by `deadHolder`: a run known to be gone,
 *   whose Lease frees itself when it expires (the caller checks nobody renewed it).
 */
export function groupProblems(
  snapshot: GroupSnapshot,
  services: readonly string[],
  options: { deadHolder?: string | undefined } = {},
): string[] {
  const problems: string[] = [];
  const colors = new Set(services.map((service) => snapshot.live[service]));
  const liveNames = Object.keys(snapshot.live).sort();
  if (liveNames.length > 0 && liveNames.join(',') !== [...services].sort().join(',')) {
    problems.push(`live Services ${liveNames.join(', ')}, expected ${services.join(', ')}`);
  }
  if (colors.size > 1) problems.push(`live Services split across colors: ${JSON.stringify(snapshot.live)}`);
  const [liveColor] = colors;
  if (liveColor) problems.push(...liveColorProblems(snapshot, services, liveColor));
  for (const [id, record] of Object.entries(snapshot.records)) {
    if (record.switch !== undefined) problems.push(`record ${id} still holds a switch intent`);
  }
  for (const [name, deployment] of Object.entries(snapshot.deployments)) {
    if (deployment.release && !snapshot.records[deployment.release]) {
      problems.push(`Deployment ${name} runs release ${deployment.release}, which has no record`);
    }
  }
  problems.push(...standbyRecordProblems(snapshot, services, liveColor));
  problems.push(...historyProblems(snapshot, services, liveColor));
  if (snapshot.holder && snapshot.holder !== options.deadHolder)
    problems.push(`the lock is still held by ${snapshot.holder}`);
  return problems;
}

/**
 * The history agrees with what is live: the live release is the one promoted last and
 * not retired; every other release that went live has been retired (or rolled back).
 */
function historyProblems(
  snapshot: GroupSnapshot,
  services: readonly string[],
  liveColor: string | undefined,
): string[] {
  const first = services[0];
  const live = liveColor && first ? snapshot.deployments[`${first}-${liveColor}`]?.release : undefined;
  const problems: string[] = [];
  const promoted = Object.values(snapshot.records).filter((record) => record.phase === 'promoted');
  for (const record of promoted) {
    if (record.id === live && record.retiredAt !== undefined)
      problems.push(`live release ${live} is recorded as retired`);
    if (record.id !== live && record.retiredAt === undefined)
      problems.push(
        `release ${String(record.id)} is recorded live (promoted, not retired) but ${live ?? 'nothing'} is live`,
      );
  }
  const newest = [...promoted].sort((a, b) => String(b.promotedAt).localeCompare(String(a.promotedAt)))[0];
  if (live && newest && newest.id !== live)
    problems.push(`release ${String(newest.id)} was promoted last, but ${live} is live`);
  return problems;
}

function liveColorProblems(snapshot: GroupSnapshot, services: readonly string[], color: string): string[] {
  const problems: string[] = [];
  const releases = new Set<string>();
  for (const service of services) {
    const deployment = snapshot.deployments[`${service}-${color}`];
    if (!deployment) {
      problems.push(`live color ${color} has no Deployment ${service}-${color}`);
      continue;
    }
    releases.add(deployment.release);
    if (deployment.replicas < 1 || deployment.ready !== deployment.replicas) {
      problems.push(
        `live Deployment ${service}-${color} is not ready: ${deployment.ready}/${deployment.replicas}`,
      );
    }
  }
  if (releases.size !== 1) {
    problems.push(`live color ${color} runs several releases: ${[...releases].join(', ')}`);
    return problems;
  }
  const [release = ''] = releases;
  const record = snapshot.records[release];
  if (record?.phase !== 'promoted') {
    problems.push(`live release ${release} is recorded as ${String(record?.phase ?? 'nothing')}`);
  }
  return problems;
}

/** A record that claims to be on standby must be what the standby Deployments run, on the color it names. */
function standbyRecordProblems(
  snapshot: GroupSnapshot,
  services: readonly string[],
  liveColor: string | undefined,
): string[] {
  const problems: string[] = [];
  for (const [id, record] of Object.entries(snapshot.records)) {
    if (!['deploying', 'ready', 'verified'].includes(String(record.phase))) continue;
    const color = String(record.color);
    if (color === liveColor) {
      problems.push(`record ${id} is ${String(record.phase)} on the live color ${color}`);
      continue;
    }
    const off = services.filter((service) => snapshot.deployments[`${service}-${color}`]?.release !== id);
    if (off.length > 0 && record.phase !== 'deploying') {
      problems.push(
        `record ${id} is ${String(record.phase)} on ${color}, but ${off.join(', ')} run other releases there`,
      );
    }
  }
  return problems;
}

/** A group whose integration tests are a Job of `<x>/exit-0` (kwok ends its pod with exit code 0). */
export async function groupWithSuite(
  stack: StackInfo,
  options: GroupFixtureOptions = {},
): Promise<GroupFixture> {
  const suite = `${uniqueName('suite')}/exit-0`;
  const fx = await groupFixture(stack, {
    ...options,
    groupYaml: [
      `integration:\n  image: ${suite}:${lastGoodTag('master')}\n  timeout: 30s`,
      options.groupYaml ?? '',
    ].join('\n'),
  });
  await pushOciImage(stack.registry, suite, [lastGoodTag('master')]);
  return fx;
}

export type Stage = 'images' | 'live' | 'standby-ready' | 'standby-verified';

export interface Prepared {
  /** the release live on blue (stages from `live` on) */
  live?: string;
  /** the release on green (stages from `standby-ready` on) */
  standby?: string;
}

/**
 * Brings a fixture's group to `stage` with the CLI run directly against the API server
 * (no proxy): `images` pushes an image of every service; `live` deploys and promotes it
 * (by force: its tests are not the point; blue, the old color kept up); `standby-ready`
 * deploys new images of every service to green; `standby-verified` tests them there.
 */
export async function prepareGroup(stack: StackInfo, fx: GroupFixture, stage: Stage): Promise<Prepared> {
  const step = async (args: string[]) => {
    const run = await fx.cli(args);
    if (run.code !== 0) throw new Error(`${args.join(' ')} exited ${run.code}:\n${run.stderr}${run.stdout}`);
    return run;
  };
  const pushAll = () => Promise.all(Object.keys(fx.repositories).map((service) => fx.push(service)));
  await pushAll();
  if (stage === 'images') return {};
  const live = (await fx.deployJson()).releaseId;
  // The first release's own tests are not what these runs are about: forced, with the reason on record.
  await step([
    'promote',
    fx.group,
    '--release',
    live,
    '--force',
    '--reason',
    'prepared by the test',
    '--scale-down-delay',
    'keep',
  ]);
  if (stage === 'live') return { live };
  await pushAll();
  const standby = (await fx.deployJson()).releaseId;
  if (stage === 'standby-verified') await step(['test', fx.group, '--registry', stack.registry]);
  return { live, standby };
}
