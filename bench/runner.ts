/**
 * Runs one contender on one group size, the same way for every contender: a fresh
 * namespace, prepare (not measured), the observer, then deploy and promote, each timed,
 * with its API requests counted from the audit log, then the namespace deleted.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StackInfo } from '../test/stack/types.ts';
import { type AuditLog, countRequests, type RequestCounts } from './audit.ts';
import type { Contender, ContenderContext, ContenderName } from './contender.ts';
import { kubectl, sleep } from './exec.ts';
import { type BenchGroup, serviceNames } from './groups.ts';
import type { Identity } from './identities.ts';
import { liveSwitchWindow } from './mixed-window.ts';
import type { ObservedServiceEvent } from './observer.ts';

const OBSERVER = join(dirname(fileURLToPath(import.meta.url)), 'observer.ts');
/** after a promote returns, how long the observer keeps watching for late switches */
const OBSERVER_SETTLE_MS = 1500;

export interface ContenderRun {
  contender: ContenderName;
  services: number;
  deploySeconds?: number;
  promoteSeconds?: number;
  mixedWindowMs?: number;
  /** from the start of promote to the first and to the last live Service switch the observer saw */
  firstSwitchAfterMs?: number;
  lastSwitchAfterMs?: number;
  deployRequests?: RequestCounts;
  promoteRequests?: RequestCounts;
  /** the larger of the deploy's and the promote's */
  peakRssBytes?: number;
  error?: string;
}

export interface RunnerEnvironment {
  stack: StackInfo;
  audit: AuditLog;
  identities: ReadonlyMap<string, Identity>;
  kubectlCache: string;
  workRoot: string;
  registry: string;
  log(line: string): void;
}

/** Upper bound of one phase: the one-at-a-time baseline takes about 3 s a service. */
export function phaseTimeoutMs(services: number): number {
  return 120_000 + services * 15_000;
}

export function benchGroup(contender: ContenderName, size: number, env: RunnerEnvironment): BenchGroup {
  return {
    name: `bench-n${size}`,
    namespace: `bench-${contender}-n${size}`,
    services: serviceNames(size),
    groupsDir: join(env.workRoot, contender, `n${size}`, 'groups'),
    registry: env.registry,
  };
}

export function contextFor(contender: Contender, size: number, env: RunnerEnvironment): ContenderContext {
  const workDir = join(env.workRoot, contender.name, `n${size}`);
  mkdirSync(workDir, { recursive: true });
  return {
    stack: env.stack,
    identities: env.identities,
    adminKubeconfig: env.stack.kubeconfig,
    kubectlCache: env.kubectlCache,
    workDir,
    timeoutMs: phaseTimeoutMs(size),
    log: (line) => env.log(`[${contender.name} n=${size}] ${line}`),
  };
}

export async function runContender(
  contender: Contender,
  size: number,
  env: RunnerEnvironment,
): Promise<ContenderRun> {
  const group = benchGroup(contender.name, size, env);
  const ctx = contextFor(contender, size, env);
  const users = new Set(contender.identities.map((name) => env.identities.get(name)?.user ?? name));
  const result: ContenderRun = { contender: contender.name, services: size };
  await createNamespace(env, group.namespace);
  let observer: Observer | undefined;
  try {
    ctx.log('prepare: live at v1');
    await contender.prepare(group, ctx);

    observer = await startObserver(env, group.namespace, join(ctx.workDir, 'observed-services.jsonl'));
    ctx.log('deploy: v2 to standby');
    let mark = env.audit.mark();
    let started = performance.now();
    const deployed = await contender.deploy(group, ctx);
    result.deploySeconds = (performance.now() - started) / 1000;
    result.deployRequests = countRequests(env.audit.since(mark), users);

    ctx.log('promote');
    mark = env.audit.mark();
    const promoteStartedAt = Date.now();
    started = performance.now();
    const promoted = await contender.promote(group, ctx);
    result.promoteSeconds = (performance.now() - started) / 1000;
    await sleep(OBSERVER_SETTLE_MS);
    result.promoteRequests = countRequests(env.audit.since(mark), users);
    result.peakRssBytes = Math.max(deployed.peakRssBytes, promoted.peakRssBytes);

    const events = await observer.stop();
    observer = undefined;
    const window = liveSwitchWindow(events, group.services, promoteStartedAt);
    if (window.notSwitched.length > 0) {
      throw new Error(
        `the observer saw ${window.switched} of ${size} live Services switch (not: ${window.notSwitched.slice(0, 5).join(', ')})`,
      );
    }
    result.mixedWindowMs = window.windowMs ?? 0;
    if (window.first !== undefined) result.firstSwitchAfterMs = window.first - promoteStartedAt;
    if (window.last !== undefined) result.lastSwitchAfterMs = window.last - promoteStartedAt;
    ctx.log(
      `deploy ${result.deploySeconds.toFixed(2)} s, promote ${result.promoteSeconds.toFixed(2)} s, mixed window ${window.windowMs?.toFixed(0)} ms`,
    );
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error);
    ctx.log(`FAILED: ${result.error}`);
  } finally {
    await observer?.stop();
    await deleteNamespace(env, group.namespace);
  }
  return result;
}

async function createNamespace(env: RunnerEnvironment, namespace: string): Promise<void> {
  await kubectl(env.stack.kubeconfig, env.kubectlCache, ['create', 'namespace', namespace]);
  const deadline = Date.now() + 30_000;
  const args = ['get', 'serviceaccount', 'default', '-n', namespace];
  while ((await kubectl(env.stack.kubeconfig, env.kubectlCache, args, { allowFailure: true })).code !== 0) {
    if (Date.now() > deadline)
      throw new Error(`namespace ${namespace}: no default ServiceAccount within 30s`);
    await sleep(200);
  }
}

/** Deletes the namespace and waits until it is gone, so the next run starts on a quiet cluster. */
async function deleteNamespace(env: RunnerEnvironment, namespace: string): Promise<void> {
  await kubectl(
    env.stack.kubeconfig,
    env.kubectlCache,
    ['delete', 'namespace', namespace, '--ignore-not-found', '--wait=true', '--timeout=600s'],
    { timeoutMs: 660_000 },
  );
}

interface Observer {
  stop(): Promise<ObservedServiceEvent[]>;
}

async function startObserver(env: RunnerEnvironment, namespace: string, out: string): Promise<Observer> {
  const child = spawn(
    process.execPath,
    [OBSERVER, `--kubeconfig=${env.stack.kubeconfig}`, `--namespace=${namespace}`, `--out=${out}`],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the observer did not start watching within 30s: ${output}`)),
      30_000,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('watching\n')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the observer exited with ${code} before watching: ${output}`));
    });
  });
  let stopped = false;
  return {
    stop: async () => {
      if (!stopped) {
        stopped = true;
        child.kill('SIGTERM');
        await Promise.race([exited, sleep(5000)]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      return readFileSync(out, 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as ObservedServiceEvent);
    },
  };
}
