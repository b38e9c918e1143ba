/**
 * A real-node run killed with SIGKILL, reaper and all (as when a machine ends
 * every process a session left running), leaves its network namespace, its
 * cgroup with the containers still running in it, its record and its temp dir.
 * The next start's sweep removes all of it, and leaves a stack that is in use
 * (this run's own) alone.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, inject, it } from 'vitest';
import { kubectl, waitFor } from '../stack/helpers.ts';
import { cgroupMounts, recordsDir, sweepStaleRealNodes } from '../stack/real-nodes/host.ts';
import './types.ts';

const context = inject('e2e');
const skipped = 'skipped' in context ? context.skipped : null;
const CHILD = fileURLToPath(new URL('./fixtures/real-stack-child.ts', import.meta.url));

interface ChildReport {
  dir: string;
  reaperPid: number;
  pids: number[];
  id: string;
  netns: string;
  cgroup: string;
}

/** Every process in the cgroup's pod tree, read from the pids hierarchy (independently of host.ts). */
function podProcesses(cgroup: string): number[] {
  const pids: number[] = [];
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    pids.push(...readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number));
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(dir, entry.name));
    }
  };
  walk(join('/sys/fs/cgroup/pids', cgroup, 'kubepods'));
  return pids;
}

/** Running (a zombie has ended: only its new parent has not collected it yet). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** The fixture: a real-node stack owned by another process, with one pod running. */
async function startChild(): Promise<{ child: ChildProcess; report: ChildReport }> {
  const child = spawn(process.execPath, [CHILD], { stdio: ['ignore', 'pipe', 'inherit'] });
  const report = await new Promise<ChildReport>((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('\n')) resolve(JSON.parse(output.split('\n')[0] ?? '') as ChildReport);
    });
    child.on('exit', (code) => reject(new Error(`the child stack exited with ${code} before it was up`)));
  });
  return { child, report };
}

function expectAllGone(report: ChildReport, containers: number[]): void {
  expect(existsSync(`/run/netns/${report.netns}`)).toBe(false);
  for (const mount of cgroupMounts()) expect(existsSync(join(mount, report.cgroup))).toBe(false);
  expect(containers.filter(alive)).toEqual([]);
  expect(existsSync(join(recordsDir(), `${report.id}.json`))).toBe(false);
  expect(existsSync(report.dir)).toBe(false);
}

it.skipIf(skipped !== null)(
  'a test run killed with SIGKILL is cleaned up by its reaper: containers, cgroup, namespace, record, temp dir',
  async () => {
    const { child, report } = await startChild();
    const containers = podProcesses(report.cgroup);
    expect(containers.filter(alive).length).toBeGreaterThan(0);
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
    await waitFor(
      'the reaper to tear the stack down',
      async () => (existsSync(report.dir) || existsSync(`/run/netns/${report.netns}`) ? undefined : true),
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    expectAllGone(report, containers);
  },
  180_000,
);

it.skipIf(skipped !== null)(
  'a run killed with SIGKILL, reaper and all, is cleaned up by the next start: containers, cgroup, namespace, record, temp dir',
  async () => {
    const { child, report } = await startChild();
    // kill the way a machine ends what was left: reaper first (else it would clean up), then the rest
    const childExited = once(child, 'exit');
    for (const pid of [report.reaperPid, child.pid ?? 0, ...report.pids]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await childExited;
    const containers = podProcesses(report.cgroup);
    // what was left: the namespace, the record, the dir, and the pod's processes still running
    expect(existsSync(`/run/netns/${report.netns}`)).toBe(true);
    expect(existsSync(join(recordsDir(), `${report.id}.json`))).toBe(true);
    expect(existsSync(report.dir)).toBe(true);
    expect(containers.filter(alive).length).toBeGreaterThan(0);

    const removed = await sweepStaleRealNodes(() => {});

    expect(removed).toContain(report.netns);
    expectAllGone(report, containers);

    // this run's own stack was in use: untouched, its node still Ready
    if ('stack' in context) {
      const own = context.stack;
      expect(existsSync(`/run/netns/${own.realNode?.netns}`)).toBe(true);
      const node = await kubectl(own, [
        'get',
        'node',
        own.nodeName,
        '-o',
        'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
      ]);
      expect(node.stdout).toBe('True');
    }
  },
  180_000,
);
