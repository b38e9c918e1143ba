/**
 * Runs a case of the reliability catalogue as a vitest test (see reliability-doc.ts for
 * why the doc cannot drift):
 *
 *   reliabilityCase('harness.api.status-503', async (trial) => {
 *     ... inject the fault, run the client, check the state read back ...
 *     return { outcome: 'observed', output: result.stderr };
 *   });
 *
 * The trial runs `trials` times (its 0-based index is passed in); every trial's outcome
 * must be the catalogue's, and its output must contain the catalogue's message.
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

export function reliabilityCase(
  id: string,
  trial: (index: number) => Promise<TrialResult>,
  options: { timeoutMs?: number } = {},
): void {
  const c = reliabilityCaseById(id);
  it(
    `${c.fault} (${c.id}, ${c.trials} trial${c.trials === 1 ? '' : 's'})`,
    async () => {
      const testPath = expect.getState().testPath ?? '';
      expect(testPath.endsWith(c.test), `case ${c.id} belongs to ${c.test}, not ${testPath}`).toBe(true);
      for (let index = 0; index < c.trials; index++) {
        const result = await trial(index);
        const where = `case ${c.id}, trial ${index + 1} of ${c.trials}`;
        expect(result.outcome, `${where}: outcome (output: ${result.output})`).toBe(c.outcome);
        const expected = messages(c);
        if (expected.length > 0) {
          const found = expected.some((text) => result.output.includes(text));
          expect(found, `${where}: output should contain ${expected.join(' or ')}:\n${result.output}`).toBe(
            true,
          );
        }
      }
    },
    options.timeoutMs,
  );
}
