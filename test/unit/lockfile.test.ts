/**
 * `npm ci` installs only what package-lock.json lists and refuses a lockfile that lacks a
 * package some dependency asks for. Platform packages (biome's per-OS binaries) are
 * optional dependencies: a lockfile written where the registry hid the other platforms
 * passes on this machine and fails everywhere else. Every optional dependency of every
 * package, read from the installed package.json files and from the lockfile itself, must
 * have its own entry.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/action-runner.ts';

interface LockEntry {
  version?: string;
  optional?: boolean;
  optionalDependencies?: Record<string, string>;
}

const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
  lockfileVersion: number;
  packages: Record<string, LockEntry>;
};

/** Node's lookup from a package's folder upwards: `a/node_modules/b/node_modules/c`, then `a/node_modules/c`, then `node_modules/c`. */
function lockedPath(from: string, name: string): string | undefined {
  const parts = from.split('/node_modules/');
  for (let depth = parts.length; depth >= 1; depth--) {
    const base = parts.slice(0, depth).join('/node_modules/');
    const candidate = base === '' ? `node_modules/${name}` : `${base}/node_modules/${name}`;
    if (lock.packages[candidate]) return candidate;
  }
  return lock.packages[`node_modules/${name}`] ? `node_modules/${name}` : undefined;
}

/** The top-level installed packages (`node_modules/x`, `node_modules/@scope/x`) with their manifests. */
function installedManifests(): { path: string; optionalDependencies: Record<string, string> }[] {
  const root = join(REPO_ROOT, 'node_modules');
  const names = readdirSync(root).flatMap((entry) =>
    entry.startsWith('@') ? readdirSync(join(root, entry)).map((name) => `${entry}/${name}`) : [entry],
  );
  return names
    .filter((name) => !name.startsWith('.'))
    .flatMap((name) => {
      try {
        const manifest = JSON.parse(readFileSync(join(root, name, 'package.json'), 'utf8')) as LockEntry;
        return [{ path: `node_modules/${name}`, optionalDependencies: manifest.optionalDependencies ?? {} }];
      } catch {
        return [];
      }
    });
}

describe('package-lock.json', () => {
  it('is a v3 lockfile', () => {
    expect(lock.lockfileVersion).toBe(3);
  });

  it("lists every optional dependency of every installed package, other platforms' too", () => {
    const manifests = installedManifests();
    // The check has something to check: biome ships its binaries this way.
    expect(
      manifests.find((m) => m.path === 'node_modules/@biomejs/biome')?.optionalDependencies,
    ).toHaveProperty('@biomejs/cli-win32-x64');
    const missing = manifests.flatMap(({ path, optionalDependencies }) =>
      Object.keys(optionalDependencies)
        .filter((name) => lockedPath(path, name) === undefined)
        .map((name) => `${name} (an optional dependency of ${path})`),
    );
    expect(missing).toEqual([]);
  });

  it("lists every optional dependency that the lockfile's own entries name", () => {
    const missing = Object.entries(lock.packages).flatMap(([path, entry]) =>
      Object.keys(entry.optionalDependencies ?? {})
        .filter((name) => lockedPath(path, name) === undefined)
        .map((name) => `${name} (an optional dependency of ${path || 'the root'})`),
    );
    expect(missing).toEqual([]);
  });

  it('pins a version for every entry it lists', () => {
    const unpinned = Object.entries(lock.packages)
      .filter(([path, entry]) => path !== '' && !entry.version)
      .map(([path]) => path);
    expect(unpinned).toEqual([]);
  });
});
