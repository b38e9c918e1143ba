/**
 * Started (detached) by startStack for a stack owned by a test run:
 * `node reaper.ts <owner pid> <stack dir>`. If the owner dies while the stack's
 * state.json still exists (it was killed, or crashed before teardown), stop
 * every process recorded there and remove the dir. Exits by itself as soon as
 * state.json is gone (normal teardown).
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { sleep, stopGroups } from './process.ts';
import { type RealNodeRecord, teardownRealNode } from './real-nodes/host.ts';

const [ownerArg, dir] = process.argv.slice(2);
const owner = Number(ownerArg);
if (!Number.isInteger(owner) || owner <= 0 || !dir) {
  console.error('usage: reaper.ts <owner pid> <stack dir>');
  process.exit(2);
}
const stateFile = join(dir, 'state.json');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

for (;;) {
  if (!existsSync(stateFile)) process.exit(0);
  if (!alive(owner)) {
    let pids: number[] = [];
    let realNode: RealNodeRecord | null = null;
    try {
      const state = JSON.parse(readFileSync(stateFile, 'utf8')) as {
        processes?: { pid: number }[];
        realNode?: RealNodeRecord | null;
      };
      pids = (state.processes ?? []).map((p) => p.pid);
      realNode = state.realNode ?? null;
    } catch (error) {
      console.error(`reaper: cannot read ${stateFile}: ${String(error)}`);
    }
    console.error(`reaper: owner ${owner} is gone; stopping ${pids.length} processes and removing ${dir}`);
    await stopGroups(pids);
    // the real node's containers, cgroup and network namespace (the next start would otherwise)
    if (realNode)
      await teardownRealNode(realNode).catch((error) => console.error(`reaper: ${String(error)}`));
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  }
  await sleep(500);
}
