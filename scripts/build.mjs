// Bundles each action and the CLI with ncc. Output must be byte-for-byte reproducible:
// CI rebuilds and fails when `git status --porcelain` is not empty afterwards.
import { spawn } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const ncc = join(root, 'node_modules/.bin/ncc');

const targets = [
  ...readdirSync(join(root, 'actions'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => ({ entry: `actions/${entry.name}/index.ts`, out: `actions/${entry.name}/dist` })),
  { entry: 'src/cli/index.ts', out: 'dist/cli' },
];

function bundle({ entry, out }) {
  rmSync(join(root, out), { recursive: true, force: true });
  return new Promise((resolve, reject) => {
    const child = spawn(ncc, ['build', entry, '--out', out, '--license', 'licenses.txt', '--quiet'], {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`ncc failed for ${entry} (exit ${code})`)),
    );
  });
}

// Two at a time: the machines this runs on have two cores.
const queue = [...targets];
async function worker() {
  for (let target = queue.shift(); target; target = queue.shift()) {
    await bundle(target);
    console.log(`built ${target.out}/index.js`);
  }
}
await Promise.all([worker(), worker()]);
