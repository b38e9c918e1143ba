/**
 * Hostile input (issue 16), through the CLI (its own process, under /usr/bin/time for its
 * peak memory, its API traffic through a proxy that counts writes) and through the
 * action bundles as the runner runs them: names and values holding shell syntax, quotes,
 * newlines, unicode, 300 characters, leading dashes and `..`; YAML alias bombs, deep
 * nesting, a 50 MB file and wrong types; JUnit with entity expansion; a kubeconfig at a
 * closed port; a "registry" answering garbage.
 *
 * For every input: one clear error naming it (exit 1, or 2 for a usage error), nothing
 * executed (the marker file a `$(touch ...)` would create never appears), nothing written
 * (no write reached the API server, and the group deployed before is unchanged, read
 * back with kubectl), within the run's time bound and below a memory bound.
 */

import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject } from 'vitest';
import { runActionBundle } from '../support/action-runner.ts';
import { type CliProcessOptions, cliProcess, groupWithSuite, prepareGroup } from '../support/engine-runs.ts';
import type { GroupFixture } from '../support/group-fixture.ts';
import { countWrites } from '../support/kill-points.ts';
import { reliabilityCase, type TrialResult } from '../support/reliability.ts';
import { type ApiServerProxy, startApiServerProxy } from '../support/stack-proxies.ts';

const stack = inject('stack');

/** Peak resident memory any of these runs may reach (the CLI itself is about 100 MB). */
const MAX_RSS_KB = 400 * 1024;
const RUN_TIMEOUT_MS = 60_000;

const scratch = mkdtempSync(join(tmpdir(), 'greenlight-hostile-'));
const MARKER = join(scratch, 'executed');
const cleanups: (() => Promise<void> | void)[] = [];
let fx: GroupFixture;
let api: ApiServerProxy;
let kubeconfig: string;
/** The deployed group's objects and versions before any hostile run. */
let before: string[];

beforeAll(async () => {
  fx = await groupWithSuite(stack, { onFinished: async (cleanup) => void cleanups.push(cleanup) });
  await prepareGroup(stack, fx, 'live');
  api = await startApiServerProxy(stack);
  cleanups.push(() => api.close());
  kubeconfig = api.kubeconfigFor(stack.kubeconfig);
  before = await fx.resourceVersions();
}, 120_000);

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  rmSync(scratch, { recursive: true, force: true });
});

/** Every way a string could ask a shell (or a parser) to do something, and strings that are merely odd. */
const HOSTILE: readonly string[] = [
  `$(touch ${MARKER})`,
  `\`touch ${MARKER}\``,
  `main; touch ${MARKER}`,
  `main\ntouch ${MARKER}`,
  `it's "quoted"`,
  'feature/ünïcödé-🚀',
  `feature/${'x'.repeat(300)}`,
  '--kubeconfig=/etc/passwd',
  '-rf',
  '../../etc/passwd',
  'feature/../../x',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the shell's ${IFS}, sent as it is
  `$(touch${'${IFS}'}${MARKER})`,
];

interface HostileRun {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  peakRssKb: number;
  writes: number;
}

/** The CLI under /usr/bin/time, through the proxy; what it said, its peak memory, its writes. */
async function cli(
  args: readonly string[],
  options: Pick<CliProcessOptions, 'cwd' | 'env' | 'kubeconfig' | 'groupsDir' | 'bare'> = {},
): Promise<HostileRun> {
  const timeFile = join(scratch, `time-${randomBytes(4).toString('hex')}`);
  const spec = cliProcess(stack, fx, args, {
    kubeconfig: options.kubeconfig ?? kubeconfig,
    env: options.env ?? {},
    timeoutMs: RUN_TIMEOUT_MS,
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.groupsDir ? { groupsDir: options.groupsDir } : {}),
    ...(options.bare ? { bare: true } : {}),
  });
  const run = await countWrites(api, {
    ...spec,
    command: '/usr/bin/time',
    args: ['-f', '%M', '-o', timeFile, spec.command, ...spec.args],
  });
  const peakRssKb = Number(readFileSync(timeFile, 'utf8').trim().split('\n').pop());
  return {
    code: run.code,
    stdout: run.stdout,
    stderr: run.stderr,
    timedOut: run.timedOut,
    peakRssKb,
    writes: run.writes.length,
  };
}

/** One clear error, nothing executed, nothing written, bounded. */
async function expectRefused(run: HostileRun, codes: readonly number[] = [1]): Promise<TrialResult> {
  const output = `${run.stderr}${run.stdout}`;
  expect(run.timedOut, 'ended within its time bound').toBe(false);
  expect(codes, output).toContain(run.code);
  expect(run.peakRssKb, 'peak memory (KB)').toBeLessThan(MAX_RSS_KB);
  expect(existsSync(MARKER), 'nothing executed').toBe(false);
  expect(output, 'no other file read back into the output').not.toContain('root:x:0:0');
  expect(run.writes, 'no write reached the API server').toBe(0);
  expect(await fx.resourceVersions(), 'the deployed group unchanged').toEqual(before);
  // one error: the first line says it; no stack trace (that would be a crash, exit 70)
  expect(run.stderr).not.toMatch(/^\s+at /m);
  return { outcome: 'refused', output };
}

const deploy = (...extra: string[]) => [
  'deploy',
  fx.group,
  '--registry',
  stack.registry,
  '--timeout',
  '30s',
  ...extra,
];

describe('hostile names and values through the CLI', () => {
  reliabilityCase('hostile.cli.branch-override', async (trial) => {
    const value = HOSTILE[trial] ?? '';
    return expectRefused(await cli(deploy('--set', `hello-a=${value}`)), [1, 2]);
  });

  reliabilityCase('hostile.cli.service-override', async (trial) => {
    const value = HOSTILE[trial] ?? '';
    return expectRefused(await cli(deploy('--set', `${value}=master`)), [1, 2]);
  });

  reliabilityCase('hostile.cli.group-name', async (trial) => {
    const value = HOSTILE[trial] ?? '';
    return expectRefused(await cli(['deploy', value, '--registry', stack.registry]), [1, 2]);
  });
});

describe('hostile action inputs', () => {
  // straight to the API server: the bundle runs synchronously, so the proxy in this process could not serve it
  const env = () => ({ KUBECONFIG: stack.kubeconfig, PATH: process.env.PATH ?? '' });

  reliabilityCase('hostile.action.group', async (trial) => {
    const value = HOSTILE[trial] ?? '';
    const run = runActionBundle(
      'deploy-group',
      { group: value, 'groups-dir': fx.dir, registry: stack.registry },
      env(),
    );
    return expectAction(run, /Input "group"/);
  });

  reliabilityCase('hostile.action.overrides', async (trial) => {
    const value = HOSTILE[trial] ?? '';
    const run = runActionBundle(
      'deploy-group',
      { group: fx.group, 'groups-dir': fx.dir, registry: stack.registry, overrides: `hello-a=${value}` },
      env(),
    );
    return expectAction(run, /hello-a|Input "overrides"/);
  });

  /** The action's own error boundary: exit 1, `::error::` naming the input, the failure output set. */
  async function expectAction(run: ReturnType<typeof runActionBundle>, names: RegExp): Promise<TrialResult> {
    const output = `${run.stdout}${run.stderr}`;
    expect(run.exitCode, output).toBe(1);
    const errors = run.stdout.split('\n').filter((line) => line.startsWith('::error::'));
    expect(errors, 'one error').toHaveLength(1);
    expect(errors[0]).toMatch(names);
    expect(run.outputs.failure, 'the failure output').toMatch(
      /^(input-invalid|config-invalid|image-not-found|registry-error)$/,
    );
    expect(existsSync(MARKER), 'nothing executed').toBe(false);
    expect(await fx.resourceVersions(), 'the deployed group unchanged').toEqual(before);
    return { outcome: 'refused', output };
  }
});

describe('hostile files', () => {
  /** A groups dir of its own: the fixture's catalog, with `file` replaced by `content`. */
  function groupsWith(file: string, content: string | Buffer): string {
    const dir = mkdtempSync(join(scratch, 'groups-'));
    writeFileSync(join(dir, 'services.yaml'), readFileSync(join(fx.dir, 'services.yaml')));
    writeFileSync(join(dir, `${fx.group}.yaml`), readFileSync(join(fx.dir, `${fx.group}.yaml`)));
    writeFileSync(join(dir, file), content);
    return dir;
  }

  /** "Billion laughs" in YAML: nine levels, each nine aliases of the one before (9^9 strings). */
  const level = (n: number) => `l${n}`;
  const aliasBomb = [
    `${level(0)}: &${level(0)} [lol, lol, lol, lol, lol, lol, lol, lol, lol]`,
    ...Array.from({ length: 8 }, (_, i) => {
      const refs = Array.from({ length: 9 }, () => `*${level(i)}`).join(', ');
      return `${level(i + 1)}: &${level(i + 1)} [${refs}]`;
    }),
  ].join('\n');

  const FILES: readonly { file: string; content: () => string | Buffer }[] = [
    { file: 'team.yaml', content: () => `namespace: x\n${aliasBomb}\n` },
    { file: 'services.yaml', content: () => `${aliasBomb}\n` },
    { file: 'team.yaml', content: () => `${'['.repeat(100_000)}${']'.repeat(100_000)}\n` },
    { file: 'team.yaml', content: () => `namespace: ${'{a: '.repeat(20_000)}1${'}'.repeat(20_000)}\n` },
    { file: 'team.yaml', content: () => Buffer.alloc(50 * 1024 * 1024, 'a: b\n') },
    { file: 'services.yaml', content: () => 'services: "all of them"\n' },
    {
      file: 'services.yaml',
      content: () => 'services:\n  hello-a:\n    repository: [1, 2]\n    port: "eighty"\n    replicas: -3\n',
    },
    { file: 'team.yaml', content: () => 'namespace: [not, a, name]\nservices: 7\n' },
  ];

  reliabilityCase('hostile.yaml', async (trial) => {
    const spec = FILES[trial];
    if (!spec) throw new Error(`no file for trial ${trial}`);
    const dir = groupsWith(spec.file, spec.content());
    const run = await cli(['deploy', fx.group, '--registry', stack.registry], { groupsDir: dir });
    expect(run.stderr, 'the error names the file').toContain(spec.file);
    return expectRefused(run);
  });

  const billionLaughs = [
    '<?xml version="1.0"?>',
    '<!DOCTYPE lolz [',
    '  <!ENTITY lol "lol">',
    ...Array.from(
      { length: 9 },
      (_, i) => `  <!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`,
    ),
    ']>',
    '<testsuite name="s"><testcase name="&lol9;"/></testsuite>',
  ].join('\n');
  const xxe = [
    '<?xml version="1.0"?>',
    '<!DOCTYPE r [<!ENTITY secret SYSTEM "file:///etc/passwd">]>',
    '<testsuite name="s"><testcase name="t"><failure message="&secret;"/></testcase></testsuite>',
  ].join('\n');
  const REPORTS = [
    billionLaughs,
    xxe,
    `<testsuite name="s">${'<testcase name="x"/>'.repeat(3_000_000)}</testsuite>`,
  ];

  reliabilityCase('hostile.junit.cli', async (trial) => {
    const file = join(scratch, `report-${trial}.xml`);
    writeFileSync(file, REPORTS[trial] ?? '');
    const run = await cli(['junit', file], { bare: true });
    expect(run.stdout + run.stderr).not.toContain('root:');
    return expectRefused(run);
  });

  reliabilityCase('hostile.junit.test-command', async (trial) => {
    // a group tested by a command that leaves a hostile report where Greenlight reads it
    const group = await groupWithSuite(stack, { onFinished: async (cleanup) => void cleanups.push(cleanup) });
    writeFileSync(join(group.dir, 'report.xml'), REPORTS[trial] ?? '');
    const file = join(group.dir, `${group.group}.yaml`);
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(
        /integration:\n {2}image: .*\n/,
        'integration:\n  command: cp report.xml "$GREENLIGHT_JUNIT_FILE"\n  shell: sh\n  urls: in-cluster\n',
      ),
    );
    await prepareGroup(stack, group, 'images');
    const release = (await group.deployJson()).releaseId;
    const spec = cliProcess(stack, group, ['test', group.group, '--json'], {
      cwd: group.dir,
      timeoutMs: RUN_TIMEOUT_MS,
    });
    const timeFile = join(scratch, `time-test-${trial}`);
    const run = await countWrites(api, {
      ...spec,
      command: '/usr/bin/time',
      args: ['-f', '%M', '-o', timeFile, spec.command, ...spec.args],
    });
    const peak = Number(readFileSync(timeFile, 'utf8').trim().split('\n').pop());
    const output = `${run.stderr}${run.stdout}`;
    expect(run.timedOut).toBe(false);
    expect(run.code, output).toBe(1);
    expect(peak, 'peak memory (KB)').toBeLessThan(MAX_RSS_KB);
    expect(output).not.toContain('root:');
    expect(JSON.parse(run.stdout)).toMatchObject({ passed: false, recorded: true });
    // an unreadable report is no pass: the release is recorded as failed its tests
    expect((await group.records())[release]).toMatchObject({
      phase: 'failed',
      verification: { passed: false },
    });
    return { outcome: 'failed-clearly', output };
  });
});

describe('hostile endpoints', () => {
  let closedPort = 0;
  let garbage: Server;
  let garbagePort = 0;

  beforeAll(async () => {
    // a port that was free a moment ago and that nothing listens on
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    closedPort = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
    garbage = createServer((socket) => {
      socket.on('error', () => {});
      // half-closing would leave the client's side open (and close() waiting on it): destroy
      socket.write(randomBytes(512), () => socket.destroy());
    });
    await new Promise<void>((resolve) => garbage.listen(0, '127.0.0.1', resolve));
    garbagePort = (garbage.address() as { port: number }).port;
  });
  afterAll(() => new Promise((resolve) => garbage.close(resolve)));

  reliabilityCase('hostile.kubeconfig-closed-port', async () => {
    const closed = join(scratch, 'closed.kubeconfig');
    writeFileSync(
      closed,
      readFileSync(stack.kubeconfig, 'utf8').replace(/server: .*/, `server: https://127.0.0.1:${closedPort}`),
    );
    const run = await cli(deploy(), { kubeconfig: closed });
    return expectRefused(run);
  });

  reliabilityCase('hostile.registry-garbage', async () => {
    const run = await cli(['deploy', fx.group, '--registry', `127.0.0.1:${garbagePort}`]);
    return expectRefused(run);
  });
});
