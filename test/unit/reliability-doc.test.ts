/**
 * docs/reliability.md cannot drift (see test/support/reliability-doc.ts): it equals the
 * (Biome-formatted) rendering of the case catalogue, and every case is run by exactly one test, in the file
 * the catalogue names, through `reliabilityCase` (which asserts its trials and outcome).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/action-runner.ts';
import { RELIABILITY_CASES } from '../support/reliability-cases.ts';
import { reliabilityDoc } from '../support/reliability-doc.ts';

/** Every `reliabilityCase('<id>'` call in the test files (a statement of its own line), with its file. */
function caseCalls(): { file: string; id: string }[] {
  const calls: { file: string; id: string }[] = [];
  const files = readdirSync(join(REPO_ROOT, 'test'), { recursive: true, encoding: 'utf8' }).filter((file) =>
    file.endsWith('.test.ts'),
  );
  for (const file of files) {
    const text = readFileSync(join(REPO_ROOT, 'test', file), 'utf8');
    for (const match of text.matchAll(/^\s*reliabilityCase\(\s*'([^']+)'/gm)) {
      calls.push({ file: `test/${file}`, id: match[1] ?? '' });
    }
  }
  return calls;
}

describe('docs/reliability.md', () => {
  it('is the rendering of test/support/reliability-cases.ts (npm run reliability:doc rewrites it)', () => {
    const committed = readFileSync(join(REPO_ROOT, 'docs', 'reliability.md'), 'utf8');
    expect(committed).toBe(reliabilityDoc(RELIABILITY_CASES));
  });

  it('lists only cases that exactly one test runs, in the file the catalogue names', () => {
    const calls = caseCalls();
    const ids = RELIABILITY_CASES.map((c) => c.id);
    expect(new Set(ids).size, 'case ids are unique').toBe(ids.length);
    for (const c of RELIABILITY_CASES) {
      expect(
        calls.filter((call) => call.id === c.id).map((call) => call.file),
        `reliabilityCase('${c.id}', ...) calls`,
      ).toEqual([c.test]);
    }
    const unknown = calls.filter((call) => !ids.includes(call.id));
    expect(unknown, 'tests naming cases the catalogue does not have').toEqual([]);
  });

  it('states a whole number of trials and an outcome for every case', () => {
    for (const c of RELIABILITY_CASES) {
      expect(Number.isInteger(c.trials) && c.trials >= 1, `${c.id}: trials`).toBe(true);
      expect(c.fault.length > 0 && c.client.length > 0 && c.checks.length > 0, `${c.id}: texts`).toBe(true);
    }
  });
});
