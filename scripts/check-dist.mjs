// The committed bundles must equal a fresh build. The fresh build goes to a temporary
// directory, so the check never rewrites the working tree and two runs cannot collide.
// In CI the working tree must also equal the commit (`git status --porcelain`, which also
// catches a bundle that was never committed at all).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAll, DIST } from './build.mjs';

const root = new URL('..', import.meta.url).pathname;

function listFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
}

function compareBundles(freshRoot) {
  const problems = [];
  const fresh = listFiles(join(freshRoot, DIST));
  const committed = listFiles(join(root, DIST));
  for (const file of new Set([...fresh, ...committed])) {
    const path = `${DIST}/${file}`;
    if (!committed.includes(file)) problems.push(`missing: ${path}`);
    else if (!fresh.includes(file)) problems.push(`not produced by the build: ${path}`);
    else if (!readFileSync(join(freshRoot, DIST, file)).equals(readFileSync(join(root, DIST, file)))) {
      problems.push(`differs: ${path}`);
    }
  }
  return problems;
}

const freshRoot = mkdtempSync(join(tmpdir(), 'greenlight-dist-'));
try {
  await buildAll(freshRoot);
  const problems = compareBundles(freshRoot);
  if (process.env.CI) {
    const status = execFileSync('git', ['status', '--porcelain', '--', DIST], {
      cwd: root,
      encoding: 'utf8',
    });
    if (status) problems.push(`not committed:\n${status}`);
  }
  if (problems.length > 0) {
    console.error('dist check: the bundles differ from a fresh build (run `npm run build` and commit):');
    for (const problem of problems) console.error(`  ${problem}`);
    process.exit(1);
  }
  console.log('dist check: the bundles equal a fresh build');
} finally {
  rmSync(freshRoot, { recursive: true, force: true });
}
