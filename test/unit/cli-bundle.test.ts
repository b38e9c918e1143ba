/**
 * The CLI starts fast because its entry loads only the code every command needs; the
 * Kubernetes and AWS clients (most of the bundle) load when a command connects. One
 * static import of a wrapper from a command (as `promote --probe` once had) pulls them
 * back into every start: this walks the committed bundle's static imports and fails then.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/action-runner.ts';

/** Every file `entry` loads before it runs: its static imports, transitively. */
function staticGraph(entry: string): Map<string, string> {
  const files = new Map<string, string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    const text = readFileSync(file, 'utf8');
    files.set(file, text);
    for (const match of text.matchAll(/^import[^;]*?from\s*"(\.[^"]+)"/gms)) {
      visit(resolve(dirname(file), match[1] ?? ''));
    }
  };
  visit(entry);
  return files;
}

describe('the CLI bundle', () => {
  const graph = staticGraph(join(REPO_ROOT, 'dist', 'cli.js'));

  it('loads no client library before a command connects', () => {
    const sources = [...graph.values()].join('\n');
    // esbuild marks each module it bundles with a `// path` comment
    expect(sources).toContain('// src/cli/main.ts');
    for (const library of [
      'node_modules/@kubernetes/client-node/',
      'node_modules/@aws-sdk/',
      'src/kube/client.ts',
    ]) {
      expect(sources, library).not.toContain(`// ${library}`);
    }
  });

  it('reaches the clients through dynamic imports', () => {
    expect([...graph.values()].join('\n')).toMatch(
      /import\("\.\/chunks\/connect-[A-Z0-9]+\.js"\)|import\("\.\/connect-[A-Z0-9]+\.js"\)/,
    );
  });
});
