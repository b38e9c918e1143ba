// `npm test`: everything that runs on this machine, in order of cost, stopping at the first failure.
// Extra arguments go to vitest (e.g. `npm test -- --project unit`).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const reportDir = mkdtempSync(join(tmpdir(), 'greenlight-test-'));
const report = join(reportDir, 'vitest.json');

const steps = [
  ['lint and format', 'node_modules/.bin/biome', ['check', '.']],
  ['typecheck', 'node_modules/.bin/tsc', ['--noEmit', '-p', 'tsconfig.json']],
  ['bundle and dist check', process.execPath, ['scripts/check-dist.mjs']],
  [
    'tests',
    'node_modules/.bin/vitest',
    ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)],
  ],
];

/** One plain closing line, `N passed, N failed, N skipped`, that any CI log reader understands. */
function printTotals() {
  try {
    const totals = JSON.parse(readFileSync(report, 'utf8'));
    const skipped = totals.numPendingTests + totals.numTodoTests;
    console.log(
      `tests: ${totals.numPassedTests} passed, ${totals.numFailedTests} failed, ${skipped} skipped`,
    );
  } catch {
    console.log('tests: no vitest report was written');
  }
}

let exitCode = 0;
for (const [name, command, args] of steps) {
  const started = Date.now();
  console.log(`\n== ${name}`);
  const result = spawnSync(command, args, { stdio: 'inherit' });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (name === 'tests') printTotals();
  if (result.status !== 0) {
    console.error(`\n== ${name} failed after ${seconds}s (exit ${result.status ?? result.signal})`);
    exitCode = result.status ?? 1;
    break;
  }
  console.log(`== ${name} passed in ${seconds}s`);
}
rmSync(reportDir, { recursive: true, force: true });
process.exit(exitCode);
