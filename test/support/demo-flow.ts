/**
 * The demo's steps, shared by `npm run demo` (scripts/demo.ts, which prints them for a
 * person) and test/e2e/demo.test.ts (which asserts on each): the sample apps built with
 * buildah and pushed to the stack's registry as build-push-ecr tags them (`sha-<commit>`,
 * then the branch's last-good tag), changes to them made as commits in scratch
 * repositories, the greenlight CLI run against the real-node stack, the apps' own answers
 * read through their live Services, and a steady load across a switch. No vitest here:
 * the demo runs it outside a test.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pLimit from 'p-limit';
import { parseDocument } from 'yaml';
import { commitTag, lastGoodTag } from '../../src/core/naming.ts';
import { loadGroup } from '../../src/disk/groups.ts';
import { run } from '../stack/real-nodes/host.ts';
import { describeLoad, type LoadReport, startLoad } from '../stack/real-nodes/load.ts';
import { requestInNode, serviceAddress } from '../stack/real-nodes/traffic.ts';
import { kubectlPath } from '../stack/tools.ts';
import type { StackInfo } from '../stack/types.ts';
import { REPO_ROOT } from './action-runner.ts';
import { type CliRun, runCli } from './cli.ts';
import { buildAndPushSampleApp, buildBaseImage, type SampleApp } from './sample-images.ts';

const exec = promisify(execFile);

export const DEMO_GROUP = 'master';
export const DEMO_BRANCH = 'master';
/** The steady load across a switch: requests a second, spread over the live Services. */
export const LOAD_RATE = 400;
/** The load's own bound; it is stopped once the old color is gone. */
const LOAD_LIMIT_MS = 5 * 60_000;
const LOAD_LEAD_MS = 3000;
const LOAD_TAIL_MS = 2000;
const SERVICES = ['hello-a', 'hello-b'] as const;
export type DemoService = (typeof SERVICES)[number];

/** Where the demo runs: the stack, the group files, a scratch dir, where its lines go. */
export interface DemoStage {
  stack: StackInfo;
  groupsDir: string;
  namespace: string;
  workDir: string;
  log(line: string): void;
  /** The CLI's output as it is written (the demo shows it; the test keeps it quiet). */
  echo?: (stream: 'stdout' | 'stderr', text: string) => void;
}

/**
 * The repository's groups/ (services.yaml and master.yaml), as they are, or copied into
 * `workDir` with another namespace (a test of its own beside others on one stack).
 */
export function demoGroups(workDir: string, namespace?: string): { groupsDir: string; namespace: string } {
  const source = join(REPO_ROOT, 'groups');
  if (namespace === undefined) {
    return {
      groupsDir: source,
      namespace: loadGroup({ cwd: REPO_ROOT, groupsDir: 'groups' }, DEMO_GROUP).group.namespace,
    };
  }
  const groupsDir = join(workDir, 'groups');
  mkdirSync(groupsDir, { recursive: true });
  cpSync(join(source, 'services.yaml'), join(groupsDir, 'services.yaml'));
  const group = parseDocument(readFileSync(join(source, `${DEMO_GROUP}.yaml`), 'utf8'));
  group.set('namespace', namespace);
  writeFileSync(join(groupsDir, `${DEMO_GROUP}.yaml`), group.toString());
  return { groupsDir, namespace };
}

/** The repositories the group files name: the catalog's, integration.image's and promotion.probe.image's. */
export function demoRepositories(groupsDir: string): Record<SampleApp, string> {
  const { group, catalog } = loadGroup({ cwd: '/', groupsDir }, DEMO_GROUP);
  const repositoryOf = (reference: string | undefined, field: string) => {
    if (!reference) throw new Error(`${group.file} has no ${field}: the demo needs it`);
    return reference.replace(/@.*$/, '').replace(/:[^/]*$/, '');
  };
  return {
    'hello-a': catalog.services.get('hello-a')?.repository ?? 'hello-a',
    'hello-b': catalog.services.get('hello-b')?.repository ?? 'hello-b',
    'integration-tests': repositoryOf(group.integration?.run, 'integration.image'),
    'switch-probe': repositoryOf(group.promotion.probe?.image, 'promotion.probe.image'),
  };
}

export interface AppSource {
  app: SampleApp;
  /** The folder to build (sample-apps/<app>, or a changed copy). */
  dir: string;
  commit: string;
}

/** The repository's own sample apps at its HEAD commit. */
export async function repositorySources(apps: readonly SampleApp[]): Promise<AppSource[]> {
  const { stdout } = await exec('git', ['-C', REPO_ROOT, 'rev-parse', 'HEAD']);
  return apps.map((app) => ({ app, dir: join(REPO_ROOT, 'sample-apps', app), commit: stdout.trim() }));
}

/** A change to an app's source: each `from` must occur exactly `count` (default 1) times. */
export interface AppChange {
  app: SampleApp;
  message: string;
  edits: { file: string; from: string; to: string; count?: number }[];
}

/** hello-a 1.1.0: a harmless change, visible in /version. */
export const HELLO_A_RELEASE: AppChange = {
  app: 'hello-a',
  message: 'hello-a 1.1.0',
  edits: [
    { file: 'package.json', from: '"version": "1.0.0"', to: '"version": "1.1.0"' },
    { file: 'package-lock.json', from: '"version": "1.0.0"', to: '"version": "1.1.0"', count: 2 },
  ],
};

/** hello-b calls a path hello-a does not have: its answer turns 502, and its integration test fails. */
export const HELLO_B_BREAKS: AppChange = {
  app: 'hello-b',
  message: 'hello-b: ask hello-a for /greeting',
  edits: [
    {
      file: 'src/server.js',
      from: "new URL('./', config.helloAUrl",
      to: "new URL('./greeting', config.helloAUrl",
    },
  ],
};

/**
 * The app's folder copied into a scratch git repository, changed and committed there: a
 * real commit id for the image's revision label, as a push to the service's repository
 * would give.
 */
export async function commitChange(workDir: string, change: AppChange): Promise<AppSource> {
  const dir = mkdtempSync(join(workDir, `${change.app}-`));
  cpSync(join(REPO_ROOT, 'sample-apps', change.app), dir, {
    recursive: true,
    filter: (path) => !path.includes('node_modules'),
  });
  for (const edit of change.edits) {
    const file = join(dir, edit.file);
    const text = readFileSync(file, 'utf8');
    const found = text.split(edit.from).length - 1;
    if (found !== (edit.count ?? 1)) {
      throw new Error(
        `${change.message}: expected ${edit.count ?? 1} of ${JSON.stringify(edit.from)} in ${edit.file}, found ${found}`,
      );
    }
    writeFileSync(file, text.replaceAll(edit.from, edit.to));
  }
  const git = (...args: string[]) =>
    exec('git', [
      '-C',
      dir,
      '-c',
      'user.name=Greenlight demo',
      '-c',
      'user.email=demo@greenlight.invalid',
      ...args,
    ]);
  await git('init', '-q', '-b', DEMO_BRANCH);
  await git('add', '-A');
  await git('commit', '-q', '-m', change.message);
  const { stdout } = await git('rev-parse', 'HEAD');
  return { app: change.app, dir, commit: stdout.trim() };
}

let baseBuilt = false;

/**
 * Builds each source with buildah (two at a time: two cores) from the local base and
 * pushes it to the stack's registry as `sha-<commit>`, then as the branch's last-good tag.
 * Returns the pushed references (by the last-good tag).
 */
export async function buildAndPush(
  stage: DemoStage,
  sources: readonly AppSource[],
): Promise<Record<string, string>> {
  if (!baseBuilt)
    stage.log('the base image: debootstrap and Node from npm (about 2 minutes the first time, then cached)');
  const baseImage = await buildBaseImage();
  baseBuilt = true;
  const repositories = demoRepositories(stage.groupsDir);
  const limit = pLimit(2);
  const built = await Promise.all(
    sources.map((source) =>
      limit(async () => {
        const started = Date.now();
        const reference = await buildAndPushSampleApp({
          app: source.app,
          baseImage,
          registry: stage.stack.registry,
          repository: repositories[source.app],
          tag: commitTag(source.commit),
          extraTags: [lastGoodTag(DEMO_BRANCH)],
          revision: source.commit,
          contextDir: source.dir,
        });
        stage.log(
          `built ${source.app} at ${source.commit.slice(0, 7)} and pushed ${repositories[source.app]}:${commitTag(source.commit).slice(0, 11)}... and :${lastGoodTag(DEMO_BRANCH)} in ${((Date.now() - started) / 1000).toFixed(0)}s`,
        );
        return [source.app, reference] as const;
      }),
    ),
  );
  return Object.fromEntries(built);
}

/** The greenlight CLI against the stage's groups and stack; throws with its output when it fails, unless told. */
export async function greenlight(
  stage: DemoStage,
  args: string[],
  options: { allowFailure?: boolean } = {},
): Promise<CliRun> {
  stage.echo?.('stdout', `$ greenlight ${args.join(' ')}\n`);
  const result = await runCli([...args, '--groups-dir', stage.groupsDir], {
    env: { KUBECONFIG: stage.stack.kubeconfig },
    cwd: REPO_ROOT,
    ...(stage.echo ? { echo: stage.echo } : {}),
  });
  if (result.code !== 0 && !options.allowFailure) {
    throw new Error(
      `greenlight ${args.join(' ')} exited ${result.code}:\n${result.stderr}\n${result.stdout}`,
    );
  }
  return result;
}

/** `--registry` for the stack's plain-HTTP registry on loopback. */
export function registryArgs(stage: DemoStage): string[] {
  return ['--registry', stage.stack.registry];
}

export interface StatusJson {
  liveColor: 'blue' | 'green' | null;
  liveReleaseId: string | null;
  phase: string;
  standby: { color: string; releaseId: string | null; phase: string | null };
  services: {
    service: string;
    live: { color: string; digest: string; commit: string | null; readyReplicas: number } | null;
    standby: {
      color: string;
      digest: string;
      commit: string | null;
      replicas: number;
      readyReplicas: number;
    } | null;
  }[];
  history: {
    releaseId: string;
    phase: string;
    verification: { passed: boolean; tests: number; failures: number } | null;
    switchProbe: Record<string, unknown> | null;
  }[];
}

export async function statusJson(stage: DemoStage): Promise<StatusJson> {
  const { echo: _shown, ...quiet } = stage;
  return JSON.parse((await greenlight(quiet, ['status', DEMO_GROUP, '--json'])).stdout) as StatusJson;
}

export interface VersionAnswer {
  service: string;
  color: string | null;
  commit: string | null;
  version: string;
  digest: string | null;
}

/**
 * What a service's live Service answers on /version, through kube-proxy from inside the
 * node. A Service just created (the first promotion) refuses connections until kube-proxy
 * has its rules: that is waited out (bounded); any answer is returned as it is.
 */
export async function liveVersion(stage: DemoStage, service: DemoService): Promise<VersionAnswer> {
  const { ip, port } = await serviceAddress(stage.stack, stage.namespace, service);
  const url = `http://${ip}:${port}/version`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const response = await requestInNode(stage.stack, url);
      if (response.status !== 200) {
        throw new Error(`${service}/version answered ${response.status}: ${response.body}`);
      }
      return JSON.parse(response.body) as VersionAnswer;
    } catch (error) {
      if (!String(error).includes('ECONNREFUSED') || Date.now() > deadline) throw error;
      await sleep(250);
    }
  }
}

/**
 * Two kinds of client at once, half the rate each: kept-alive connections (most HTTP
 * clients; after a switch they stay on the old pods until those ask them to reconnect), and
 * a new connection per request (each goes where kube-proxy's rules say at that moment).
 */
export const CLIENTS = [
  { name: 'kept-alive', keepalive: true },
  { name: 'new connection per request', keepalive: false },
] as const;

export interface LoadedSwitch<T> {
  result: T;
  /** One report per kind of client, in CLIENTS order. */
  loads: { client: string; report: LoadReport }[];
  sent: number;
  failed: number;
  /** When the last pod of the old color was gone (epoch ms). */
  oldColorGoneAt: number;
}

/**
 * A steady load on every live Service (their ClusterIPs, through kube-proxy, from inside
 * the node) from a few seconds before `body` until the old color's pods are all gone, and
 * a little after. `body` is the switch.
 */
export async function underLoad<T>(
  stage: DemoStage,
  oldColor: 'blue' | 'green',
  body: () => Promise<T>,
): Promise<LoadedSwitch<T>> {
  const urls = await Promise.all(
    SERVICES.map(async (service) => {
      const { ip, port } = await serviceAddress(stage.stack, stage.namespace, service);
      return `http://${ip}:${port}/`;
    }),
  );
  await answeringFrom(stage, urls, oldColor);
  const running = CLIENTS.map((client) => ({
    client: client.name,
    load: startLoad({
      url: urls,
      rate: LOAD_RATE / CLIENTS.length,
      durationMs: LOAD_LIMIT_MS,
      timeoutMs: 2000,
      keepalive: client.keepalive,
      netns: stage.stack.realNode?.netns ?? '',
      workDir: stage.workDir,
      classify: colorOf,
    }),
  }));
  const stopAll = async () => {
    for (const { load } of running) load.stop();
    return Promise.all(running.map(async ({ client, load }) => ({ client, report: await load.done })));
  };
  try {
    await sleep(LOAD_LEAD_MS);
    const bodyAt = Date.now();
    const result = await body();
    const bodyDoneAt = Date.now();
    const oldColorGoneAt = await colorGone(stage, oldColor);
    await sleep(LOAD_TAIL_MS);
    const loads = await stopAll();
    for (const { client, report } of loads) {
      stage.log(`load (${client}): ${describeLoad(report)}`);
      if (report.failed === 0) continue;
      // when, against the steps, and where: what a failure needs to be understood
      const at = (time: number) => `${((time - report.startedAt) / 1000).toFixed(2)}s`;
      stage.log(
        `  failed by target ${JSON.stringify(report.failedByUrl)}, sent at ${report.failureTimes.map(at).join(', ')}; ` +
          `switch command ${at(bodyAt)}-${at(bodyDoneAt)}, ${oldColor} gone ${at(oldColorGoneAt)}, load end ${at(report.endedAt)}`,
      );
    }
    const sum = (pick: (report: LoadReport) => number) =>
      loads.reduce((total, { report }) => total + pick(report), 0);
    return { result, loads, sent: sum((r) => r.sent), failed: sum((r) => r.failed), oldColorGoneAt };
  } catch (error) {
    await stopAll().catch(() => undefined);
    throw error;
  }
}

/** kube-proxy follows a Service's changes a little late: wait until every URL answers from `color`. */
async function answeringFrom(stage: DemoStage, urls: readonly string[], color: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const answers = await Promise.all(
      urls.map((url) => requestInNode(stage.stack, url, { timeoutMs: 2000 }).catch(() => undefined)),
    );
    if (answers.every((answer) => answer?.status === 200 && colorOf(answer.body) === color)) return;
    if (Date.now() > deadline)
      throw new Error(`the live Services did not all answer from ${color} within 60 s`);
    await sleep(500);
  }
}

/** Waits (bounded) until no pod of `color` is left in the namespace; returns when. */
export async function colorGone(stage: DemoStage, color: string): Promise<number> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const pods = await kubectl(stage, [
      'get',
      'pods',
      '-n',
      stage.namespace,
      '-l',
      `greenlight.dev/color=${color}`,
      '-o',
      'name',
    ]);
    if (pods.trim() === '') return Date.now();
    if (Date.now() > deadline) throw new Error(`pods of ${color} still there after 120 s:\n${pods}`);
    await sleep(250);
  }
}

/** kubectl against the stage's stack (not Greenlight's client): its stdout. */
export async function kubectl(stage: DemoStage, args: string[]): Promise<string> {
  return (
    await run(kubectlPath(), [`--kubeconfig=${stage.stack.kubeconfig}`, ...args], { timeoutMs: 60_000 })
  ).stdout;
}

export function colorOf(body: string): string {
  try {
    return (JSON.parse(body) as { color?: string }).color ?? 'no color';
  } catch {
    return 'not JSON';
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
