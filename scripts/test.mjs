// `npm test`: everything that runs on this machine, in order of cost, stopping at the first failure.
import { spawnSync } from 'node:child_process';

const steps = [
  ['lint and format', 'node_modules/.bin/biome', ['check', '.']],
  ['typecheck', 'node_modules/.bin/tsc', ['--noEmit', '-p', 'tsconfig.json']],
  ['bundle and dist check', process.execPath, ['scripts/check-dist.mjs']],
  ['tests', 'node_modules/.bin/vitest', ['run', ...process.argv.slice(2)]],
];

for (const [name, command, args] of steps) {
  const started = Date.now();
  console.log(`\n== ${name}`);
  const result = spawnSync(command, args, { stdio: 'inherit' });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) {
    console.error(`\n== ${name} failed after ${seconds}s (exit ${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
  console.log(`== ${name} passed in ${seconds}s`);
}
