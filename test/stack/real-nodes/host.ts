/**
 * What the real node changes on the machine, and how each change is undone:
 * one network namespace (`ip netns`), one cgroup in every hierarchy, and a
 * record file under $GREENLIGHT_CACHE/real-nodes/ written before either exists.
 * Everything else (iptables rules, routes, the bridge, mounts, kernel settings
 * kubelet writes) lives inside that namespace or the node's own mount
 * namespace, and goes away with them.
 *
 * A run killed with SIGKILL leaves its record behind; the next start of a
 * real-node stack (or `stack:down`, or the reaper) tears down every record
 * whose owner is gone, and anything named like ours that no record claims.
 */
import { execFile, execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { sleep, stopGroups } from '../process.ts';
import { cacheDir } from '../tools.ts';
import { guardRules, type NodePlan } from './config.ts';

/** Prefix of the namespace and cgroup names: `glnode-<8 hex>`. Nothing else on the machine uses it. */
export const NAME_PREFIX = 'glnode-';
const OURS = /^glnode-[0-9a-f]{8}$/;

export interface ProcessIdentity {
  pid: number;
  /** start time in clock ticks since boot (/proc/PID/stat field 22): tells a reused pid apart */
  startTime: number;
}

/** What a real node left on the machine: enough for any process to tear it down. */
export interface RealNodeRecord {
  id: string;
  netns: string;
  cgroup: string;
  /** the stack's temp dir (holds the node's files, containerd's images, logs) */
  stackDir: string;
  /** the process that owns the stack, or null once a detached stack (`stack:up`) is up */
  owner: ProcessIdentity | null;
  /** the node's mount-namespace holder, once started */
  holder: ProcessIdentity | null;
  createdAt: string;
}

export function recordsDir(): string {
  return join(cacheDir(), 'real-nodes');
}

function recordPath(id: string): string {
  return join(recordsDir(), `${id}.json`);
}

export function writeRecord(record: RealNodeRecord): void {
  mkdirSync(recordsDir(), { recursive: true });
  writeFileSync(recordPath(record.id), `${JSON.stringify(record, null, 2)}\n`);
}

export function readRecords(): RealNodeRecord[] {
  if (!existsSync(recordsDir())) return [];
  const records: RealNodeRecord[] = [];
  for (const entry of readdirSync(recordsDir())) {
    if (!entry.endsWith('.json')) continue;
    try {
      records.push(JSON.parse(readFileSync(join(recordsDir(), entry), 'utf8')) as RealNodeRecord);
    } catch {
      // a record cut short by a kill while being written: its names still match OURS for the sweep
      rmSync(join(recordsDir(), entry), { force: true });
    }
  }
  return records;
}

export function identityOf(pid: number): ProcessIdentity | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // pid (comm) state ppid ...: comm may hold spaces, so count fields after the last ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // a zombie has ended; only its parent has not collected it yet
    if (fields[0] === 'Z') return null;
    return { pid, startTime: Number(fields[19]) };
  } catch {
    return null;
  }
}

function isAlive(identity: ProcessIdentity): boolean {
  return identityOf(identity.pid)?.startTime === identity.startTime;
}

/** A node is in use while its owner runs (or, for a detached stack, while its holder does). */
export function recordInUse(record: RealNodeRecord): boolean {
  if (record.owner) return isAlive(record.owner);
  return record.holder !== null && isAlive(record.holder);
}

// ------------------------------------------------------------------ commands

export function run(
  command: string,
  args: string[],
  options: { input?: string; timeoutMs?: number; allowFailure?: boolean } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args,
      { timeout: options.timeoutMs ?? 30_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        if (error && !options.allowFailure) {
          reject(
            new Error(
              `${command} ${args.join(' ')} failed (exit ${code}): ${stderr.trim() || error.message}`,
            ),
          );
        } else {
          resolve({ code, stdout, stderr });
        }
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/**
 * A command line that runs `command` in the node's cgroup (`<cgroup>/node` in
 * every hierarchy): a shell writes its own pid there, then execs the command,
 * which keeps the pid and the cgroup. Everything started this way ends when
 * the node is torn down.
 */
export function inNodeCgroup(cgroup: string, command: string, args: string[]): [string, string[]] {
  const join =
    'cg=$1; shift; for h in /sys/fs/cgroup/*/; do if [ -d "$h$cg" ]; then echo $$ > "$h$cg/cgroup.procs"; fi; done; exec "$@"';
  return ['sh', ['-c', join, 'sh', `${cgroup}/node`, command, ...args]];
}

// ---------------------------------------------------------- network namespace

/**
 * The node's network namespace: loopback, the bridge with the node's address,
 * a route for the Service range (so that clients in the namespace have one
 * before kube-proxy's DNAT picks a pod), and the guard rules. No other
 * interface, no default route: nothing in it can reach anything outside.
 */
export async function createNodeNetwork(plan: NodePlan): Promise<void> {
  const prefixLength = plan.podCidr.split('/')[1];
  await run('ip', ['netns', 'add', plan.netns]);
  const ip = (...args: string[]) => run('ip', ['-n', plan.netns, ...args]);
  await ip('link', 'set', 'lo', 'up');
  await ip('link', 'add', plan.bridge, 'type', 'bridge');
  await ip('addr', 'add', `${plan.nodeIp}/${prefixLength}`, 'dev', plan.bridge);
  await ip('link', 'set', plan.bridge, 'up');
  await ip('route', 'add', plan.serviceCidr, 'dev', plan.bridge, 'src', plan.nodeIp);
  const rules = guardRules(plan);
  await run('nsenter', [`--net=/run/netns/${plan.netns}`, 'iptables-restore', '--noflush'], {
    input: rules.ipv4,
  });
  await run('nsenter', [`--net=/run/netns/${plan.netns}`, 'ip6tables-restore', '--noflush'], {
    input: rules.ipv6,
  });
}

export async function deleteNetns(name: string): Promise<void> {
  if (!existsSync(`/run/netns/${name}`)) return;
  const result = await run('ip', ['netns', 'delete', name], { allowFailure: true });
  // gone meanwhile (a concurrent sweep) is as good as deleted
  if (result.code !== 0 && existsSync(`/run/netns/${name}`)) {
    throw new Error(`ip netns delete ${name} failed: ${result.stderr.trim()}`);
  }
}

async function listNetns(): Promise<string[]> {
  if (!existsSync('/run/netns')) return [];
  return readdirSync('/run/netns');
}

// -------------------------------------------------------------------- cgroups

/** Every cgroup hierarchy mounted under /sys/fs/cgroup (v1 controllers, the named systemd one, the unified one). */
export function cgroupMounts(): string[] {
  const mounts: string[] = [];
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [before, after] = line.split(' - ');
    const mountPoint = before?.split(' ')[4];
    const fsType = after?.split(' ')[0];
    if (mountPoint?.startsWith('/sys/fs/cgroup') && (fsType === 'cgroup' || fsType === 'cgroup2')) {
      mounts.push(mountPoint);
    }
  }
  return mounts;
}

/**
 * `<name>/node` in every hierarchy (the node's own processes; kubelet puts the
 * pods in `<name>/kubepods`). A new cpuset cgroup starts with no CPUs and no
 * memory nodes: it gets its parent's.
 */
export function createNodeCgroup(name: string): void {
  for (const mount of cgroupMounts()) {
    let parent = mount;
    for (const dir of [join(mount, name), join(mount, name, 'node')]) {
      mkdirSync(dir, { recursive: true });
      for (const file of ['cpuset.cpus', 'cpuset.mems']) {
        if (existsSync(join(parent, file))) {
          writeFileSync(join(dir, file), readFileSync(join(parent, file), 'utf8').trim() || '\n');
        }
      }
      parent = dir;
    }
  }
}

/** Directories of one cgroup tree in one hierarchy, deepest first. */
function cgroupTree(root: string): string[] {
  if (!existsSync(root)) return [];
  const below = readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => cgroupTree(join(root, entry.name)));
  return [...below, root];
}

function pidsIn(name: string): number[] {
  const pids = new Set<number>();
  for (const mount of cgroupMounts()) {
    for (const dir of cgroupTree(join(mount, name))) {
      try {
        for (const pid of readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) {
          pids.add(Number(pid));
        }
      } catch {
        // removed meanwhile
      }
    }
  }
  return [...pids];
}

/**
 * Kills every process in the cgroup (the node's daemons, containerd's shims,
 * every container) and removes the cgroup from every hierarchy. Bounded: throws
 * if something is still there after `timeoutMs`.
 */
export async function removeNodeCgroup(name: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let pids = pidsIn(name); pids.length > 0; pids = pidsIn(name)) {
    if (Date.now() > deadline) {
      throw new Error(`cgroup ${name}: processes ${pids.join(', ')} still there after ${timeoutMs / 1000}s`);
    }
    for (const pid of pids) killNow(pid);
    await sleep(50);
  }
  for (const mount of cgroupMounts()) {
    for (const dir of cgroupTree(join(mount, name))) {
      for (;;) {
        try {
          rmdirSync(dir);
          break;
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') break; // another teardown (a concurrent start's sweep) got there first
          // a killed process may take a moment to leave its cgroup
          if (code !== 'EBUSY' || Date.now() > deadline) throw error;
          await sleep(50);
        }
      }
    }
  }
}

// ------------------------------------------------------------------- teardown

/**
 * Undoes everything a real node did, in an order that works from any state it
 * may have been left in: processes (by cgroup), mounts (they die with the
 * node's mount namespace, whose last process that was), the network namespace
 * (its interfaces, routes and iptables rules go with it), the record.
 */
export async function teardownRealNode(record: RealNodeRecord): Promise<void> {
  await removeNodeCgroup(record.cgroup);
  await deleteNetns(record.netns);
  rmSync(recordPath(record.id), { force: true });
}

/**
 * Tears down what killed runs left: every record not in use (its control plane
 * too, found by working directory, and its temp dir), and any namespace or
 * cgroup named like ours that no record in use claims. Returns what it removed.
 */
export async function sweepStaleRealNodes(log: (line: string) => void): Promise<string[]> {
  const removed: string[] = [];
  const inUse = new Set<string>();
  for (const record of readRecords()) {
    if (recordInUse(record)) {
      inUse.add(record.id);
      continue;
    }
    log(`[real-node] cleaning up ${record.netns}, left by a run that is gone (${record.stackDir})`);
    assertStackDir(record.stackDir);
    const leftovers = processesWorkingIn(record.stackDir);
    await stopGroups(leftovers, 1000);
    for (const pid of leftovers) killNow(pid);
    await teardownRealNode(record);
    removeStackDir(record.stackDir);
    removed.push(record.netns);
  }
  const claimed = (name: string) => inUse.has(name.slice(NAME_PREFIX.length));
  for (const name of await listNetns()) {
    if (OURS.test(name) && !claimed(name)) {
      log(`[real-node] removing network namespace ${name}, which no running stack claims`);
      await removeNodeCgroup(name);
      await deleteNetns(name);
      removed.push(name);
    }
  }
  for (const mount of cgroupMounts()) {
    if (!existsSync(mount)) continue;
    for (const name of readdirSync(mount)) {
      if (OURS.test(name) && !claimed(name) && !removed.includes(name)) {
        log(`[real-node] removing cgroup ${name}, which no running stack claims`);
        await removeNodeCgroup(name);
        removed.push(name);
      }
    }
  }
  return removed;
}

function killNow(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone already
  }
}

/** A stack's temp dir is named greenlight-*: never act on anything else (a record is only a file). */
function assertStackDir(dir: string): void {
  if (!/^\/.+\/greenlight-[^/]+$/.test(dir)) throw new Error(`refusing to clean up ${dir}: not a stack dir`);
}

/** Processes whose working directory is in `dir`: every process the stack started runs there. */
function processesWorkingIn(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cwd = readlinkSync(`/proc/${entry}/cwd`).replace(/ \(deleted\)$/, '');
      if (cwd === dir || cwd.startsWith(`${dir}/`)) pids.push(Number(entry));
    } catch {
      // gone, or a kernel thread
    }
  }
  return pids;
}

/**
 * Removes a stack's temp dir. Anything mounted under it would be in the node's
 * own mount namespace, gone by now; if the host still sees a mount there, it is
 * unmounted first, so that the removal never reaches into another filesystem.
 */
export function removeStackDir(dir: string): void {
  assertStackDir(dir);
  const mounted = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((point) => point === dir || point.startsWith(`${dir}/`))
    .sort()
    .reverse();
  for (const point of mounted) execFileSync('umount', ['-l', point], { timeout: 10_000 });
  rmSync(dir, { recursive: true, force: true });
}
