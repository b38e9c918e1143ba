/**
 * run-integration's command mode on the real-node tier, the way a runner outside the
 * cluster uses it: the group's test command runs on this machine and reaches the standby
 * through port-forwards via the API server (pods/portforward), to real pods. The command
 * asks each app's /version through its forwarded URL and writes a JUnit file; the verdict
 * and the release's verification read back the answers the apps gave.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { lastGoodTag } from '../../src/core/naming.ts';
import type { StackInfo } from '../stack/types.ts';
import { runCli } from '../support/cli.ts';
import { groupFixture } from '../support/group-fixture.ts';
import { buildAndPushSampleApp, buildBaseImage } from '../support/sample-images.ts';
import './types.ts';

const context = inject('e2e');
const skipped = 'skipped' in context ? context.skipped : null;
const stack = 'stack' in context ? context.stack : (null as unknown as StackInfo);
const COMMIT = 'feedface'.padEnd(40, '0');

// The command: each GREENLIGHT_URL_* is a forwarded 127.0.0.1 port; /version says which color answered.
const CHECK = `import { writeFileSync } from 'node:fs';
const cases = [];
for (const [name, url] of Object.entries(process.env).filter(([n]) => n.startsWith('GREENLIGHT_URL_'))) {
  let failure = '';
  try {
    const local = new URL(url).hostname === '127.0.0.1';
    const body = await (await fetch(url + '/version', { signal: AbortSignal.timeout(5000) })).json();
    if (!local) failure = 'not a forwarded local URL: ' + url;
    else if (body.color !== process.env.GREENLIGHT_COLOR) failure = 'answered by ' + body.color;
  } catch (error) {
    failure = String(error);
  }
  cases.push('<testcase name="' + name + '">' + (failure ? '<failure message="' + failure.replace(/"/g, "'") + '"/>' : '') + '</testcase>');
}
writeFileSync(process.env.GREENLIGHT_JUNIT_FILE, '<testsuite name="forwarded">' + cases.join('') + '</testsuite>');
`;

describe.skipIf(skipped !== null)('a test command through port-forwards', () => {
  it('reaches every standby service on real pods through the API server, and records the verification', async () => {
    const fx = await groupFixture(stack, {
      groupYaml: 'integration:\n  command: node check.mjs\n  timeout: 2m',
    });
    writeFileSync(join(fx.dir, 'check.mjs'), CHECK);
    const baseImage = await buildBaseImage();
    for (const app of ['hello-a', 'hello-b'] as const) {
      await buildAndPushSampleApp({
        app,
        baseImage,
        registry: stack.registry,
        repository: fx.repositories[app] ?? app,
        tag: lastGoodTag('master'),
        revision: COMMIT,
      });
    }
    const release = await fx.deployJson('--timeout', '4m');
    const run = await runCli(
      ['test', fx.group, '--json', '--groups-dir', fx.dir, '--kubeconfig', stack.kubeconfig],
      {
        cwd: fx.dir,
        env: { PATH: process.env.PATH ?? '' },
      },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      passed: true,
      mode: 'command',
      tests: 2,
      failures: 0,
      releaseId: release.releaseId,
    });
    expect((await fx.records())[release.releaseId]).toMatchObject({
      phase: 'verified',
      verification: { tests: 2, mode: 'command' },
    });
  }, 900_000);
});
