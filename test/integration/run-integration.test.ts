/**
 * run-integration against the local stack. Job mode: kwok finishes the test pod with the
 * exit code its image is named for (exit-0, exit-3) or never (hang). The stack serves no pod
 * logs (its node is a loopback address), so the verdict comes from the exit code and says
 * so. Command mode: real commands on this machine that see the standby's URLs. The record's
 * phase and the promote gate read back the outcome.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { lastGoodTag } from '../../src/core/naming.ts';
import { kubectl, uniqueName } from '../stack/helpers.ts';
import { runCli } from '../support/cli.ts';
import { type GroupFixture, groupFixture } from '../support/group-fixture.ts';
import { pushOciImage } from '../support/registry.ts';

const stack = inject('stack');

/** A group whose test image is `<repo>/<behaviour>` at its master branch, deployed to standby (blue). */
async function deployedWithSuite(behaviour: 'exit-0' | 'exit-3' | 'hang', timeout = '30s') {
  const repository = `${uniqueName('suite')}/${behaviour}`;
  const fx = await groupFixture(stack, {
    groupYaml: `integration:\n  image: ${repository}:${lastGoodTag('master')}\n  timeout: ${timeout}\n  env:\n    SUITE_MODE: smoke`,
  });
  await pushOciImage(stack.registry, repository, [lastGoodTag('master')]);
  await fx.push('hello-a');
  await fx.push('hello-b');
  const release = await fx.deployJson();
  return { fx, release };
}

async function testJson(fx: GroupFixture, ...extra: string[]) {
  const run = await fx.cli(['test', fx.group, '--registry', stack.registry, '--json', ...extra]);
  return { run, result: JSON.parse(run.stdout) as Record<string, unknown> };
}

async function jobsOf(fx: GroupFixture) {
  const result = await kubectl(stack, [
    'get',
    'jobs,pods',
    '-n',
    fx.namespace,
    '-l',
    'greenlight.dev/test-run',
    '-o',
    'json',
  ]);
  return (
    JSON.parse(result.stdout) as {
      items: {
        kind: string;
        metadata: { name: string; labels: Record<string, string> };
        spec?: Record<string, unknown>;
      }[];
    }
  ).items;
}

describe('run-integration, job mode', () => {
  it('a passing suite: the Job runs with the standby URLs, the release is verified, and promote needs no force', async () => {
    const { fx, release } = await deployedWithSuite('exit-0');
    const { run, result } = await testJson(fx);
    expect(run.code, run.stderr).toBe(0);
    expect(result).toMatchObject({ passed: true, releaseId: release.releaseId, mode: 'job', recorded: true });
    expect(result.notes).toContainEqual(
      expect.stringMatching(/^the cluster serves no pod logs .*; judged by the exit code \(0\)$/),
    );

    const [job] = (await jobsOf(fx)).filter((item) => item.kind === 'Job');
    expect(job?.metadata.labels).toMatchObject({
      'greenlight.dev/release': release.releaseId,
      'greenlight.dev/group': fx.group,
    });
    const spec = job?.spec as {
      backoffLimit: number;
      activeDeadlineSeconds: number;
      template: { spec: { containers: { env: { name: string; value: string }[] }[] } };
    };
    expect(spec.backoffLimit).toBe(0);
    expect(spec.activeDeadlineSeconds).toBe(30);
    const env = Object.fromEntries(spec.template.spec.containers[0]?.env.map((e) => [e.name, e.value]) ?? []);
    expect(env).toMatchObject({
      GREENLIGHT_URL_HELLO_A: `http://hello-a-blue.${fx.namespace}.svc.cluster.local:8080`,
      GREENLIGHT_URL_HELLO_B: `http://hello-b-blue.${fx.namespace}.svc.cluster.local:8080`,
      GREENLIGHT_RELEASE: release.releaseId,
      SUITE_MODE: 'smoke',
    });

    const record = (await fx.records())[release.releaseId];
    expect(record).toMatchObject({ phase: 'verified', verification: { passed: true, mode: 'job' } });
    const promote = await fx.cli(['promote', fx.group, '--scale-down-delay', 'keep']);
    expect(promote.code, promote.stderr).toBe(0);
    expect(await fx.liveSelectors()).toEqual({ 'hello-a': 'blue', 'hello-b': 'blue' });
  });

  it('a failing suite: exit code reported, the release is failed, and promote is refused', async () => {
    const { fx, release } = await deployedWithSuite('exit-3');
    const { run, result } = await testJson(fx);
    expect(run.code).toBe(1);
    expect(result).toMatchObject({ passed: false, failure: 'test-failed' });
    expect(result.notes).toContainEqual('the tests exited with code 3');
    expect((await fx.records())[release.releaseId]).toMatchObject({
      phase: 'failed',
      verification: { passed: false },
    });
    const promote = await fx.cli(['promote', fx.group]);
    expect(promote.code).toBe(1);
    expect(promote.stderr).toContain(`release ${release.releaseId} failed its tests`);
  });

  it('a suite that hangs past its timeout: the Job and its pods are deleted, the release is failed', async () => {
    const { fx, release } = await deployedWithSuite('hang', '3s');
    const { run, result } = await testJson(fx);
    expect(run.code).toBe(1);
    expect(result, JSON.stringify(result)).toMatchObject({ passed: false, failure: 'test-timeout' });
    expect(await jobsOf(fx)).toEqual([]);
    expect((await fx.records())[release.releaseId]).toMatchObject({ phase: 'failed' });
  });
});

describe('run-integration, command mode', () => {
  /** A group tested by a real command on this machine; it checks its URLs and writes a JUnit file. */
  async function commandGroup(options: { fail?: boolean } = {}) {
    const fx = await groupFixture(stack, {
      groupYaml: [
        'integration:',
        '  command: node check-urls.mjs',
        '  urls: in-cluster',
        '  timeout: 30s',
        '  env:',
        `    SUITE_FAIL: "${options.fail ? '1' : '0'}"`,
      ].join('\n'),
    });
    const want = `http://hello-a-blue.${fx.namespace}.svc.cluster.local:8080`;
    writeFileSync(
      join(fx.dir, 'check-urls.mjs'),
      [
        "import { writeFileSync } from 'node:fs';",
        `const ok = process.env.GREENLIGHT_URL_HELLO_A === ${JSON.stringify(want)} && process.env.GREENLIGHT_RELEASE?.length === 16;`,
        "const fail = process.env.SUITE_FAIL === '1';",
        'const extra = fail ? \'<testcase name="hello-b"><failure message="hello-b is down"/></testcase>\' : \'\';',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the test script's own template literal
        'writeFileSync(process.env.GREENLIGHT_JUNIT_FILE, `<testsuite name="s"><testcase name="urls"/>${extra}</testsuite>`);',
        'process.exit(ok && !fail ? 0 : 1);',
        '',
      ].join('\n'),
    );
    await fx.push('hello-a');
    await fx.push('hello-b');
    const release = await fx.deployJson();
    return { fx, release };
  }

  /** The command runs from the group directory, as it would from a checkout. */
  const testIn = (fx: GroupFixture) =>
    runCli(['test', fx.group, '--json', '--groups-dir', fx.dir, '--kubeconfig', stack.kubeconfig], {
      cwd: fx.dir,
      env: { PATH: process.env.PATH ?? '' },
    });

  it('a command that passes sees the standby URLs; its JUnit file is the report', async () => {
    const { fx, release } = await commandGroup();
    const run = await testIn(fx);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      passed: true,
      mode: 'command',
      tests: 1,
      failures: 0,
      releaseId: release.releaseId,
    });
    expect((await fx.records())[release.releaseId]).toMatchObject({
      phase: 'verified',
      verification: { tests: 1, mode: 'command' },
    });
  });

  it('a command whose report holds a failure fails, with the failed case counted', async () => {
    const { fx, release } = await commandGroup({ fail: true });
    const run = await testIn(fx);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ passed: false, tests: 2, failures: 1 });
    expect((await fx.records())[release.releaseId]).toMatchObject({ phase: 'failed' });
  });

  it('a command with shell syntax is refused unless the group asks for a shell', async () => {
    const fx = await groupFixture(stack, {
      groupYaml: 'integration:\n  command: echo $HOME; false\n  urls: in-cluster',
    });
    await fx.push('hello-a');
    await fx.push('hello-b');
    await fx.deployJson();
    const run = await fx.cli(['test', fx.group, '--json']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout).error.message).toContain('expected a command that runs without a shell');
  });
});
