/**
 * The direction of imports is a rule, not a habit: src/core imports no wrapper and no I/O,
 * src/engine imports no wrapper (biome.json's noRestrictedImports). These tests prove the
 * rule is live by feeding it forbidden imports, and that the tree obeys it.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/action-runner.ts';

const BIOME = join(REPO_ROOT, 'node_modules/.bin/biome');
// A scratch tree with the repository's own biome.json, so no test file lands in src/.
const scratch = mkdtempSync(join(tmpdir(), 'greenlight-imports-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const config = JSON.parse(readFileSync(join(REPO_ROOT, 'biome.json'), 'utf8')) as Record<string, unknown>;
writeFileSync(
  join(scratch, 'biome.json'),
  JSON.stringify({ ...config, $schema: undefined, vcs: { enabled: false } }),
);

function biomeLint(cwd: string, path: string) {
  return spawnSync(BIOME, ['lint', path], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function lint(path: string, source: string) {
  const file = join(scratch, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, source);
  try {
    return biomeLint(scratch, path);
  } finally {
    rmSync(file);
  }
}

describe('import rules', () => {
  it.each([
    ['src/core/x.ts', "import { kubeCall } from '../kube/client.ts';\nexport const x = kubeCall;\n"],
    [
      'src/core/config/x.ts',
      "import { connectKube } from '../../wiring/connect.ts';\nexport const x = connectKube;\n",
    ],
    ['src/core/x.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n"],
    ['src/core/x.ts', "import { CoreV1Api } from '@kubernetes/client-node';\nexport const x = CoreV1Api;\n"],
    ['src/core/x.ts', "import { deployGroup } from '../engine/deploy.ts';\nexport const x = deployGroup;\n"],
    [
      'src/engine/x.ts',
      "import { kubeGroupCluster } from '../kube/cluster.ts';\nexport const x = kubeGroupCluster;\n",
    ],
    ['src/engine/x.ts', "import * as core from '@actions/core';\nexport const x = core;\n"],
  ])('refuses in %s: %s', (path, source) => {
    const result = lint(path, source);
    expect(result.status).not.toBe(0);
    expect(result.stdout + result.stderr).toContain('noRestrictedImports');
  });

  it.each([
    ['src/core/x.ts', "import { otherColor } from './naming.ts';\nexport const x = otherColor;\n"],
    ['src/engine/x.ts', "import { otherColor } from '../core/naming.ts';\nexport const x = otherColor;\n"],
    ['src/kube/x.ts', "import { otherColor } from '../core/naming.ts';\nexport const x = otherColor;\n"],
  ])('allows in %s: %s', (path, source) => {
    expect(lint(path, source).status).toBe(0);
  });

  it('holds for the whole tree', () => {
    const result = biomeLint(REPO_ROOT, 'src');
    expect(result.stdout + result.stderr).not.toContain('noRestrictedImports');
    expect(result.status).toBe(0);
  });
});
