// Bundles each action and the CLI with ncc. Output must be byte-for-byte reproducible:
// the dist check builds into a temporary directory and compares with the committed bundles.
// Usage: node scripts/build.mjs [--out-root DIR]   (default: the repository itself)
import { spawn } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const root = new URL('..', import.meta.url).pathname;
const ncc = join(root, 'node_modules/.bin/ncc');

/** Every bundle: its entry and its output directory, relative to the repository. */
export function bundleTargets() {
  return [
    ...readdirSync(join(root, 'actions'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => ({ entry: `actions/${entry.name}/index.ts`, out: `actions/${entry.name}/dist` })),
    { entry: 'src/cli/index.ts', out: 'dist/cli' },
  ];
}

function bundle({ entry, out }, outRoot) {
  const outDir = join(outRoot, out);
  rmSync(outDir, { recursive: true, force: true });
  return new Promise((resolvePromise, reject) => {
    const child = spawn(ncc, ['build', entry, '--out', outDir, '--license', 'licenses.txt', '--quiet'], {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolvePromise() : reject(new Error(`ncc failed for ${entry} (exit ${code})`)),
    );
  });
}

export async function buildAll(outRoot = root) {
  // Two at a time: the machines this runs on have two cores.
  const queue = bundleTargets();
  async function worker() {
    for (let target = queue.shift(); target; target = queue.shift()) {
      await bundle(target, outRoot);
      console.log(`built ${join(outRoot, target.out)}/index.js`);
    }
  }
  await Promise.all([worker(), worker()]);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { 'out-root': { type: 'string' } } });
  await buildAll(values['out-root'] ? resolve(values['out-root']) : root);
}
