/**
 * Runs a case of the reliability catalogue as a vitest test (see reliability-doc.ts for
 * why the doc cannot drift):
 *
 *   reliabilityCase('harness.api.status-503', async (trial) => {
 *     ... inject the fault, run the client, check the state read back ...
 *     return { outcome: 'observed', output: result.stderr };
 *   });
 *
 * The trial runs `trials` times (its 0-based index is passed in; `concurrency` of them at
 * once when asked); every trial's outcome must be the catalogue's, and its output must
 * contain the catalogue's message.
 */
import { expect, it } from 'vitest';
import { RELIABILITY_CASES } from './reliability-cases.ts';
import { messages, type Outcome, type ReliabilityCase } from './reliability-doc.ts';

export interface TrialResult {
  outcome: Outcome;
  /** what the client printed (or the error it threw), where the case's message must appear */
  output: string;
}

export function reliabilityCaseById(id: string): ReliabilityCase {
  const found = RELIABILITY_CASES.find((c) => c.id === id);
  if (!found) throw new Error(`no reliability case ${id} in test/support/reliability-cases.ts`);
  return found;
}

/** What a trial gets besides its index. */
export interface TrialContext {
  /** Registers clean-up for when the case's test ends (the test context's own hook, right for concurrent cases too). */
  onFinished(cleanup: () => Promise<void> | void): void;
}

export interface CaseOptions {
  timeoutMs?: number;
  /**
   * Runs the case's test concurrently with the other concurrent cases of its file
   * (vitest's it.concurrent, at most maxConcurrency at once). Its trials must register
   * clean-up through their TrialContext, never vitest's global onTestFinished.
   */
  concurrent?: boolean;
  /**
   * Trials run this many at a time (default 1). For trials that mostly wait (a Lease to
   * expire) and share nothing: each must make its own fixtures, proxies and processes.
   */
  concurrency?: number;
}

export function reliabilityCase(
  id: string,
  trial: (index: number, context: TrialContext) => Promise<TrialResult>,
  options: CaseOptions = {},
): void {
  const c = reliabilityCaseById(id);
  const concurrency = Math.max(1, options.concurrency ?? 1);
  (options.concurrent ? it.concurrent : it)(
    `${c.fault} (${c.id}, ${c.trials} trial${c.trials === 1 ? '' : 's'})`,
    async ({ onTestFinished }) => {
      const context: TrialContext = { onFinished: (cleanup) => onTestFinished(async () => cleanup()) };
      const testPath = expect.getState().testPath ?? '';
      expect(testPath.endsWith(c.test), `case ${c.id} belongs to ${c.test}, not ${testPath}`).toBe(true);
      for (let first = 0; first < c.trials; first += concurrency) {
        const batch = Array.from({ length: Math.min(concurrency, c.trials - first) }, (_, i) => first + i);
        const results = await Promise.all(batch.map((index) => trial(index, context)));
        for (const [i, result] of results.entries()) checkTrial(c, (batch[i] ?? 0) + 1, result);
      }
    },
    options.timeoutMs,
  );
}

function checkTrial(c: ReliabilityCase, trial: number, result: TrialResult): void {
  const where = `case ${c.id}, trial ${trial} of ${c.trials}`;
  expect(result.outcome, `${where}: outcome (output: ${result.output})`).toBe(c.outcome);
  const expected = messages(c);
  if (expected.length === 0) return;
  const found = expected.some((text) => result.output.includes(text));
  expect(found, `${where}: output should contain ${expected.join(' or ')}:\n${result.output}`).toBe(true);
}
