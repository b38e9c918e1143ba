/**
 * Kill points (issue 16): run a command through a fault proxy, count the writes it makes
 * to the server, and SIGKILL it right after its nth write, deterministically: the proxy's
 * write gate (write-gate.ts) lets exactly n writes reach the server, holds everything
 * after them, and kills the process group once the server has answered all n, before
 * the nth answer reaches the process. The caller then runs the command again and checks
 * the end state.
 *
 *   const kubeconfig = api.kubeconfigFor(stack.kubeconfig);
 *   const deploy = { command: NODE24, args: ['bin/greenlight.js', 'deploy', 'g'], env: { ...env, KUBECONFIG: kubeconfig } };
 *   const { writes } = await countWrites(api, deploy);
 *   for (const n of writePositions(writes.length)) {
 *     const run = await runKilledAfterWrite(api, deploy, n);   // run.killed, run.writes.length === n
 *     await countWrites(api, deploy);                           // the same command again
 *     ... assert the end state, read with kubectl against the API server itself ...
 *   }
 *
 * The command must be pointed at the proxy by its arguments or environment (a kubeconfig
 * from `kubeconfigFor`, or the proxy's url as the registry/ECR endpoint).
 */
import type { FaultProxy, RecordedRequest } from './fault-proxy.ts';
import { type CommandRun, type CommandSpec, startGroup } from './process-group.ts';

export type { CommandRun, CommandSpec } from './process-group.ts';

export interface CountedRun extends CommandRun {
  /** every request the proxy saw during the run, in order */
  requests: RecordedRequest[];
  /** the writes that reached the server, in order */
  writes: RecordedRequest[];
}

export interface KilledRun extends CountedRun {
  /** the process was killed after its nth write; false if it ended before making n writes */
  killed: boolean;
}

/** Only the records made after `seq`, so a proxy can serve several runs in turn. */
function recordsAfter(
  proxy: FaultProxy,
  seq: number,
): { requests: RecordedRequest[]; writes: RecordedRequest[] } {
  const requests = proxy.requests().filter((request) => request.seq > seq);
  return { requests, writes: requests.filter((request) => request.write && request.forwarded) };
}

function lastSeq(proxy: FaultProxy): number {
  return proxy.requests().reduce((max, request) => Math.max(max, request.seq), 0);
}

/** Runs the command to its end through the proxy and returns what it wrote. */
export async function countWrites(proxy: FaultProxy, command: CommandSpec): Promise<CountedRun> {
  const since = lastSeq(proxy);
  const run = await startGroup(command).done;
  return { ...run, ...recordsAfter(proxy, since) };
}

/**
 * Runs the command and SIGKILLs its process group right after its nth write has been
 * applied by the server. The process never sees the nth answer, and no later request of
 * it reaches the server.
 */
export async function runKilledAfterWrite(
  proxy: FaultProxy,
  command: CommandSpec,
  n: number,
): Promise<KilledRun> {
  const since = lastSeq(proxy);
  let group: ReturnType<typeof startGroup> | undefined;
  const gate = proxy.stopAfterWrites(n, async () => {
    await group?.kill();
  });
  try {
    group = startGroup(command);
    const run = await group.done;
    const killed = gate.fired();
    if (killed) await gate.whenStopped(); // the kill's own errors surface here
    return { ...run, killed, ...recordsAfter(proxy, since) };
  } finally {
    gate.remove();
  }
}

/**
 * The write positions to kill at: every one of 1..total, or `count` of them spread evenly
 * (always including the first and the last) when a full sweep would take too long.
 */
export function writePositions(total: number, count = total): number[] {
  if (total < 1) return [];
  if (count >= total) return Array.from({ length: total }, (_, i) => i + 1);
  if (count <= 1) return [total];
  const positions = new Set<number>();
  for (let i = 0; i < count; i++) positions.add(1 + Math.round((i * (total - 1)) / (count - 1)));
  return [...positions];
}
