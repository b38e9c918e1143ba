// Bundles every action and the CLI into one shared bundle with esbuild: one entry file per
// action and one for the CLI, over shared chunks, so the Kubernetes and AWS clients are
// carried once (as github/codeql-action points each action.yml at a small entry over shared
// code). Output is byte-for-byte reproducible: the dist check builds into a temporary
// directory and compares with the committed bundle.
// Usage: node scripts/build.mjs [--out-root DIR]   (default: the repository itself)
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
export const DIST = 'dist';

/** Every entry: its source and its output name under dist/. */
export function bundleEntries() {
  const actions = readdirSync(join(root, 'actions'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return {
    ...Object.fromEntries(actions.map((name) => [`actions/${name}`, join(root, `actions/${name}/index.ts`)])),
    cli: join(root, 'src/cli/index.ts'),
  };
}

// CommonJS dependencies call require() for Node's built-ins; an ESM bundle has no require of its own.
const BANNER =
  "import { createRequire as __greenlightRequire } from 'node:module';\nconst require = __greenlightRequire(import.meta.url);";

export async function buildAll(outRoot = root) {
  const outdir = join(outRoot, DIST);
  rmSync(outdir, { recursive: true, force: true });
  const result = await build({
    entryPoints: bundleEntries(),
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    chunkNames: 'chunks/[name]-[hash]',
    banner: { js: BANNER },
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
    absWorkingDir: root,
  });
  writeFileSync(join(outdir, 'package.json'), '{\n  "type": "module"\n}\n');
  writeFileSync(join(outdir, 'licenses.txt'), licenses(result.metafile));
  console.log(`built ${Object.keys(result.metafile.outputs).length} files in ${outdir}`);
}

/** The license of every package whose code is in the bundle, as ncc's licenses.txt had it. */
function licenses(metafile) {
  const packages = new Map();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (!match) continue;
    const dir = input.slice(0, match.index + match[0].length - 1);
    if (!packages.has(match[1])) packages.set(match[1], dir);
  }
  return [...packages.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, dir]) => `${name}\n${licenseOf(join(root, dir))}\n`)
    .join('\n');
}

function licenseOf(dir) {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const file = readdirSync(dir).find((entry) => /^(licen[cs]e|copying)(\.|$)/i.test(entry));
  const text = file ? readFileSync(join(dir, file), 'utf8').trim() : '';
  return `${manifest.license ?? 'UNKNOWN'}${text ? `\n${text}` : ''}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { 'out-root': { type: 'string' } } });
  const outRoot = values['out-root'] ? resolve(values['out-root']) : root;
  mkdirSync(dirname(join(outRoot, DIST)), { recursive: true });
  await buildAll(outRoot);
}
