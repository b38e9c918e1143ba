/** deploy-group's committed bundle, run as the runner runs it: validation happens first, and names the input. */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { REPO_ROOT, runActionBundle } from '../support/action-runner.ts';

const GROUPS = join(REPO_ROOT, 'groups');
const BAD = join(REPO_ROOT, 'test/fixtures/groups/bad');

describe('deploy-group bundle', () => {
  it('reports every bad override line, naming the input', () => {
    const run = runActionBundle('deploy-group', {
      group: 'login-feature',
      'groups-dir': GROUPS,
      overrides: 'hello-b=feature/ok\nhello-c=main\nhello-a=bad..name',
      'dry-run': 'true',
    });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(
      '::error::Input "overrides" line 2 ("hello-c=main"): unknown service "hello-c"; did you mean "hello-a"?%0A' +
        'Input "overrides" line 3 ("hello-a=bad..name"): expected a git branch name, got "bad..name" (it contains "..")',
    );
    expect(run.outputs).toEqual({ failure: 'input-invalid' });
  });

  it('reports the errors of the group file with their positions, before contacting anything', () => {
    const run = runActionBundle('deploy-group', {
      group: 'many-errors',
      'groups-dir': BAD,
      'dry-run': 'true',
    });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(
      `::error::${BAD}/many-errors.yaml:1:12: namespace: expected a Kubernetes namespace name`,
    );
    expect(run.stdout).toContain(
      `%0A${BAD}/many-errors.yaml:10:12: integration.timeout: expected a duration`,
    );
  });

  it('dry run with an unreachable registry names every service and the registry', async () => {
    const port = await closedPort();
    const kubeconfigDir = mkdtempSync(join(tmpdir(), 'greenlight-kubeconfig-'));
    onTestFinished(() => rmSync(kubeconfigDir, { recursive: true, force: true }));
    const kubeconfig = join(kubeconfigDir, 'config');
    writeFileSync(kubeconfig, unreachableKubeconfig(port));
    const run = runActionBundle(
      'deploy-group',
      { group: 'master', 'groups-dir': GROUPS, 'dry-run': 'true', registry: `127.0.0.1:${port}` },
      { KUBECONFIG: kubeconfig },
    );
    expect(run.exitCode).toBe(1);
    const where = `registry 127.0.0.1:${port}: could not reach the registry http://127.0.0.1:${port}: connect ECONNREFUSED`;
    expect(run.stdout).toContain(
      `::error::hello-a (branch master): could not resolve from repository hello-a in ${where}`,
    );
    expect(run.stdout).toContain(
      `%0Ahello-b (branch master): could not resolve from repository hello-b in ${where}`,
    );
    expect(run.outputs).toEqual({ failure: 'registry-error' });
    expect(run.summary).toContain('### Greenlight: registry-error');
  });

  it('dry run without any kubeconfig says so, before resolving anything', () => {
    const run = runActionBundle('deploy-group', {
      group: 'master',
      'groups-dir': GROUPS,
      'dry-run': 'true',
      registry: '127.0.0.1:5',
    });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(
      '::error::no kubeconfig found (KUBECONFIG unset, no ~/.kube/config, not in a cluster)',
    );
  });
});

/** A kubeconfig for an API server that is not there. */
function unreachableKubeconfig(port: number): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters: [{name: c, cluster: {server: "https://127.0.0.1:' +
      port +
      '", insecure-skip-tls-verify: true}}]',
    'users: [{name: u, user: {token: t}}]',
    'contexts: [{name: x, context: {cluster: c, user: u}}]',
    'current-context: x',
    '',
  ].join('\n');
}

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
