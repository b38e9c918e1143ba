/** docs/failures.md lists exactly the failure kinds of src/core/errors.ts, with the same words. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FAILURES } from '../../src/core/errors.ts';
import { REPO_ROOT } from '../support/action-runner.ts';

const doc = readFileSync(join(REPO_ROOT, 'docs/failures.md'), 'utf8');
const rows = doc
  .split('\n')
  .filter((line) => line.startsWith('| `'))
  .map((line) => {
    // Cells are padded to align the columns; none of them holds a pipe.
    const [kind, title, hint] = line
      .slice(1, -1)
      .split('|')
      .map((cell) => cell.trim());
    return { kind: kind?.replace(/^`|`$/g, ''), title, hint };
  });

describe('docs/failures.md', () => {
  it('has one row per failure kind, in the order of the code, with its title and hint', () => {
    expect(rows).toEqual(
      Object.entries(FAILURES).map(([kind, info]) => ({ kind, title: info.title, hint: info.hint })),
    );
  });

  it('gives every kind a hint that says what to do', () => {
    for (const info of Object.values(FAILURES)) expect(info.hint.length).toBeGreaterThan(20);
  });
});
