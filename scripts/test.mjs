// `npm test`: everything that runs on this machine, in order of cost, stopping at the first
// failure. Each vitest tier runs as a step of its own, so its duration shows in the log.
// Extra arguments go to every vitest step (e.g. `npm test -- -t promote`); `--project NAME`
// among them runs only that tier.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// e2e (the real-node tier: real pods, the demo's path, switches under load) runs last: it
// needs root and takes about 5 minutes warm, 7-8 cold (README, Testing); without root or its
// tools it is skipped with one line, and under CI that fails (test/support/tier.ts).
const TIERS = ['unit', 'tools', 'integration', 'e2e'];
const reportDir = mkdtempSync(join(tmpdir(), 'greenlight-test-'));
const extra = process.argv.slice(2);
const chosen = chosenTiers(extra);

/** `--project a --project b` (or `--project=a`) picks tiers; the flags are taken out of the vitest arguments. */
function chosenTiers(args) {
  const picked = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--project' && args[i + 1]) {
      picked.push(args[i + 1]);
      args.splice(i, 2);
      i--;
    } else if (arg.startsWith('--project=')) {
      picked.push(arg.slice('--project='.length));
      args.splice(i, 1);
      i--;
    }
  }
  const unknown = picked.filter((tier) => !TIERS.includes(tier));
  if (unknown.length > 0) {
    console.error(`unknown test tier ${unknown.join(', ')} (tiers: ${TIERS.join(', ')})`);
    process.exit(2);
  }
  return picked.length > 0 ? TIERS.filter((tier) => picked.includes(tier)) : TIERS;
}

const steps = [
  { name: 'lint and format', command: 'node_modules/.bin/biome', args: ['check', '.'] },
  { name: 'typecheck', command: 'node_modules/.bin/tsc', args: ['--noEmit', '-p', 'tsconfig.json'] },
  { name: 'bundle and dist check', command: process.execPath, args: ['scripts/check-dist.mjs'] },
  ...chosen.map((tier) => ({
    name: `tests: ${tier}`,
    report: join(reportDir, `${tier}.json`),
    command: 'node_modules/.bin/vitest',
    args: [
      'run',
      '--project',
      tier,
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${join(reportDir, `${tier}.json`)}`,
      ...extra,
    ],
  })),
];

const totals = { passed: 0, failed: 0, skipped: 0, missing: [] };

function addTotals(step) {
  try {
    const report = JSON.parse(readFileSync(step.report, 'utf8'));
    totals.passed += report.numPassedTests;
    totals.failed += report.numFailedTests;
    totals.skipped += report.numPendingTests + report.numTodoTests;
  } catch {
    totals.missing.push(step.name);
  }
}

/** One plain closing line, `N passed, N failed, N skipped`, that any CI log reader understands. */
function printTotals() {
  const missing = totals.missing.length ? ` (no vitest report from: ${totals.missing.join(', ')})` : '';
  console.log(
    `\ntests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped${missing}`,
  );
}

let exitCode = 0;
const durations = [];
for (const step of steps) {
  const started = Date.now();
  console.log(`\n== ${step.name}`);
  const result = spawnSync(step.command, step.args, { stdio: 'inherit' });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  durations.push(`${step.name} ${seconds}s`);
  if (step.report) addTotals(step);
  if (result.status !== 0) {
    console.error(`\n== ${step.name} failed after ${seconds}s (exit ${result.status ?? result.signal})`);
    exitCode = result.status ?? 1;
    break;
  }
  console.log(`== ${step.name} passed in ${seconds}s`);
}
if (steps.some((step) => step.report)) printTotals();
console.log(`durations: ${durations.join(', ')}`);
rmSync(reportDir, { recursive: true, force: true });
process.exit(exitCode);
