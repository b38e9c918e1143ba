/**
 * Waiting for the cluster to reach a state, by watch: every standby Deployment Available,
 * current and with exactly its ready pods behind its Services (or, after a switch, the live
 * Services behind the new color). Ends at the first hard failure, at the timeout, or when
 * the lock is lost; progress lines say who is still waiting, and why.
 */
import { EngineError } from '../core/errors.ts';
import type { Clock, ClusterReader, ProgressLog } from '../core/ports.ts';
import { judgeRollout, type RolloutTarget, type RolloutVerdict } from '../core/rollout.ts';

export interface WaitInput {
  targets: readonly RolloutTarget[];
  timeoutMs: number;
  /** `the standby (green)`: what the messages call it. */
  what: string;
  signal?: AbortSignal | undefined;
}

const PROGRESS_EVERY_MS = 5_000;

export async function waitForRollout(
  input: WaitInput,
  deps: { cluster: ClusterReader; clock: Clock; log: ProgressLog },
): Promise<RolloutVerdict> {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), input.timeoutMs);
  const signal = AbortSignal.any([timeout.signal, ...(input.signal ? [input.signal] : [])]);
  let last: RolloutVerdict | undefined;
  let lastProgress = 0;
  let lastLine = '';
  try {
    for await (const snapshot of deps.cluster.watchRollout(signal)) {
      last = judgeRollout(input.targets, snapshot);
      if (last.done || last.failed.length > 0) return settle(last, input);
      const line = progressLine(last, input.targets.length);
      const now = deps.clock.now();
      if (line !== lastLine && now - lastProgress >= PROGRESS_EVERY_MS) {
        deps.log.info(`${input.what}: ${line}`);
        lastProgress = now;
        lastLine = line;
      }
    }
  } finally {
    clearTimeout(timer);
  }
  if (input.signal?.aborted) throw input.signal.reason;
  throw timedOut(last, input);
}

function settle(verdict: RolloutVerdict, input: WaitInput): RolloutVerdict {
  if (verdict.failed.length === 0) return verdict;
  const lines = verdict.failed.map((failed) => `${failed.service}: ${failed.reason}`);
  throw new EngineError('rollout-failed', `${input.what} cannot become ready:\n  ${lines.join('\n  ')}`, {
    detail: {
      services: verdict.failed.map((failed) => failed.service),
      pods: verdict.failed.flatMap((f) => f.pods),
    },
  });
}

function timedOut(verdict: RolloutVerdict | undefined, input: WaitInput): EngineError {
  const waiting =
    verdict?.waiting ??
    input.targets.map((target) => ({ service: target.service, reason: 'no answer from the cluster' }));
  const lines = waiting.map((entry) => `${entry.service}: ${entry.reason}`);
  return new EngineError(
    'rollout-timeout',
    `${input.what} was not ready within ${Math.round(input.timeoutMs / 1000)}s:\n  ${lines.join('\n  ')}`,
    { detail: { services: waiting.map((entry) => entry.service) } },
  );
}

function progressLine(verdict: RolloutVerdict, total: number): string {
  const ready = total - verdict.waiting.length;
  const pending = verdict.waiting
    .slice(0, 5)
    .map((entry) => `${entry.service} (${entry.reason})`)
    .join(', ');
  const more = verdict.waiting.length > 5 ? ` and ${verdict.waiting.length - 5} more` : '';
  return `${ready}/${total} ready; waiting for ${pending}${more}`;
}
