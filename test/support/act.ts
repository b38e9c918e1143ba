/**
 * Runs a workflow with nektos/act, the real workflow runner of the tests, and turns its
 * `--json` event lines into something to assert on (job results, step outputs, step
 * summaries, what the stand-ins were called with).
 *
 * How act runs here:
 * - host mode, no Docker: `-P ubuntu-latest=-self-hosted` (and ubuntu-24.04), `--no-cache-server`;
 *   steps run as processes on this machine, in a workspace act copies the repository to
 *   (plain `actions/checkout` is that copy).
 * - a machine of its own: HOME, XDG dirs, TMPDIR, act's cache and workspaces in a temp dir,
 *   removed at the end; the environment is built here (the test's own AWS, kube or CI
 *   variables do not leak in: steps inherit act's environment in host mode), with Node 24
 *   (node_modules/.bin) first on PATH.
 * - no internet: every remote action the workflows name must have a stand-in
 *   (test/support/act-standins) or a local copy (`localRepositories`), else the run is
 *   refused before act starts. HTTP(S)_PROXY points at a proxy that refuses everything
 *   (or at the caller's, e.g. the ECR registry bridge) and records what it refused, so
 *   anything that tries to leave the machine fails at once and shows up in `refused`.
 * - bounded: a run is killed after `timeoutMs`, with every process it started (found by a
 *   marker in their environment: act starts steps in sessions of their own).
 *
 * act ignores `concurrency`, `environment:` protections and job-level `continue-on-error`;
 * test those by reading the workflow files.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { toolPath } from '../stack/tools.ts';
import { REPO_ROOT } from './action-runner.ts';

export const ACT_STANDINS_DIR = join(REPO_ROOT, 'test/support/act-standins');
/** The AWS CLI of the runner, standing in for `aws eks update-kubeconfig` (see the file). */
export const AWS_CLI_STANDIN = join(REPO_ROOT, 'test/support/runner-tools/aws.ts');
const NODE24_BIN = join(REPO_ROOT, 'node_modules/.bin');

/** Remote actions replaced by a stand-in folder, by `owner/repo`. */
const STANDINS: Record<string, string> = {
  'aws-actions/configure-aws-credentials': 'configure-aws-credentials',
  'actions/setup-node': 'setup-node',
};

/** Credentials of a role the configure-aws-credentials stand-in may assume. */
export interface ActAwsRole {
  accountId: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

export interface ActAws {
  /** moto's URL: the stand-in sends every AWS service there (AWS_ENDPOINT_URL). */
  endpoint: string;
  /** Role ARN -> the credentials an OIDC exchange would have given. */
  roles: Record<string, ActAwsRole>;
}

/** The EKS clusters the AWS CLI stand-in knows: `aws eks update-kubeconfig --name` writes their kubeconfig. */
export interface ActEks {
  /** Cluster name -> a kubeconfig file that reaches it (the local stack's). */
  clusters: Record<string, string>;
}

export interface ActOptions {
  /** The repository act runs in: a git work tree (its HEAD is GITHUB_SHA, its branch GITHUB_REF). */
  repo: string;
  /** The workflow file, relative to `repo` (`.github/workflows/build.yml`). */
  workflow: string;
  /** The event that triggers it: push, delete, workflow_dispatch, schedule, ... */
  event: string;
  /** The event payload (GITHUB_EVENT_PATH, `github.event`). */
  payload?: Record<string, unknown>;
  /** Only this job (and what it needs). */
  job?: string;
  /** workflow_dispatch inputs. */
  inputs?: Record<string, string>;
  /** Repository variables (`vars.*`). */
  vars?: Record<string, string>;
  /** Secrets (`secrets.*`); written to a file for act, never put in argv or the environment. */
  secrets?: Record<string, string>;
  /** The runner machine's environment: every step inherits it. */
  env?: Record<string, string>;
  /** Tools the runner machine has, by command name -> binary: linked into one folder on PATH, after Node 24. */
  tools?: Record<string, string>;
  /** What the configure-aws-credentials stand-in may assume. */
  aws?: ActAws;
  /** Puts the AWS CLI stand-in on the runner's PATH, knowing these clusters. */
  eks?: ActEks;
  /** HTTP(S)_PROXY of the run; default a proxy of the harness that refuses everything. */
  proxyUrl?: string;
  /** More remote repositories replaced by local folders: `owner/repo@ref` -> dir. */
  localRepositories?: Record<string, string>;
  /** Default 10 minutes. */
  timeoutMs?: number;
}

/** One `--json` line of act. */
export interface ActEvent {
  level?: string;
  msg?: string;
  time?: string;
  job?: string;
  jobID?: string;
  matrix?: Record<string, unknown>;
  step?: string;
  stepID?: string[];
  /** act's own steps (`--setup-job`, `--complete-job`) use this spelling. */
  stepid?: string[];
  stage?: string;
  stepResult?: string;
  jobResult?: string;
  raw_output?: boolean;
  /** A workflow command's name (set-output, summary, error, add-mask, ...). */
  command?: string;
  /** The command line as the step printed it. Unmasked: act does not mask `arg` and `raw`. */
  raw?: string;
  name?: string;
  arg?: string;
  content?: string;
}

export interface ActStep {
  /** The step's `id:`, or its index when it has none. */
  id: string;
  name: string;
  /** success, failure, skipped; undefined when act reported none (the job stopped before it). */
  result: string | undefined;
  outputs: Record<string, string>;
  /** What the step wrote to GITHUB_STEP_SUMMARY. */
  summary: string;
  /** Its output lines. */
  log: string;
}

export interface ActJob {
  id: string;
  /** act's name for it: `<workflow>/<job name>` */
  name: string;
  matrix: Record<string, unknown>;
  /** success or failure; undefined when it never finished. A matrix job's own (see jobResultOf). */
  result: string | undefined;
  /** Its steps in order, act's own `--setup-job` and `--complete-job` included. */
  steps: ActStep[];
  /** The step with this id; throws listing the steps when there is none. */
  step(id: string): ActStep;
}

export interface StandinCall {
  action: string;
  job: string;
  inputs: Record<string, string>;
}

export interface ActRun {
  exitCode: number | null;
  timedOut: boolean;
  events: ActEvent[];
  /** Every job act started, in the order it started them. */
  jobs: ActJob[];
  standinCalls: StandinCall[];
  /** What the harness's proxy refused (empty when the caller gave its own proxy). */
  refused: string[];
  stderr: string;
  /** The job with this id (and matrix values, when given); throws listing the jobs when not exactly one. */
  job(id: string, matrix?: Record<string, unknown>): ActJob;
  /** Jobs, steps, results and output, for assertion messages. */
  transcript(): string;
}

export class ActSetupError extends Error {
  override name = 'ActSetupError';
}

/** Runs the workflow; resolves when act exited (or was killed after the timeout). */
export async function runAct(options: ActOptions): Promise<ActRun> {
  const localRepositories = resolveRemoteUses(options);
  const dir = mkdtempSync(join(tmpdir(), 'greenlight-act-'));
  const proxy = options.proxyUrl ? undefined : await startRefusingProxy();
  try {
    const files = writeRunFiles(dir, options);
    const marker = randomUUID();
    const args = actArgs(options, dir, files, localRepositories);
    const env = actEnvironment(options, dir, marker, options.proxyUrl ?? proxy?.url ?? '');
    const result = await spawnBounded(
      toolPath('act'),
      args,
      { env, cwd: dir },
      options.timeoutMs ?? 600_000,
      marker,
    );
    const events = parseEvents(result.stdout);
    return buildRun(result, events, readStandinCalls(files.record), proxy?.refused ?? []);
  } finally {
    await proxy?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ------------------------------------------------------------------ remote actions

/**
 * `--local-repository` arguments for every remote `uses:` of the workflows act may run
 * (the repository's, and those of the local copies given), or an ActSetupError naming one
 * that has neither a stand-in nor a local copy.
 */
function resolveRemoteUses(options: ActOptions): Map<string, string> {
  const mapped = new Map<string, string>();
  const pending = [options.repo];
  const scanned = new Set<string>();
  while (pending.length > 0) {
    const root = pending.pop() ?? '';
    if (scanned.has(root)) continue;
    scanned.add(root);
    for (const use of remoteUsesIn(root)) {
      const local = localFolderFor(use, options);
      if (!local) {
        throw new ActSetupError(
          `${use.file}: "uses: ${use.uses}" has no stand-in in ${relative(REPO_ROOT, ACT_STANDINS_DIR)} and no local copy: act would fetch it from github.com`,
        );
      }
      if (local === 'checkout') continue;
      mapped.set(`${use.repository}@${use.ref}`, local);
      if (!local.startsWith(ACT_STANDINS_DIR)) pending.push(local);
    }
  }
  return mapped;
}

interface RemoteUse {
  file: string;
  uses: string;
  /** owner/repo */
  repository: string;
  ref: string;
  with: Record<string, unknown>;
}

function localFolderFor(use: RemoteUse, options: ActOptions): string | undefined {
  const copy = options.localRepositories?.[`${use.repository}@${use.ref}`];
  if (copy) return copy;
  // act copies the working tree for a checkout of the same repository at the same ref.
  if (
    use.repository === 'actions/checkout' &&
    use.with.ref === undefined &&
    use.with.repository === undefined
  ) {
    return 'checkout';
  }
  const standin = STANDINS[use.repository];
  return standin ? join(ACT_STANDINS_DIR, standin) : undefined;
}

/** Every `uses: owner/repo[/path]@ref` of the workflows and composite actions under `root`. */
export function remoteUsesIn(root: string): RemoteUse[] {
  const uses: RemoteUse[] = [];
  for (const file of yamlFilesToScan(root)) {
    const document = parse(readFileSync(file, 'utf8')) as Record<string, unknown> | null;
    for (const step of usesEntries(document)) {
      const match = /^([^./][^/]*\/[^/@]+)(?:\/[^@]*)?@(.+)$/.exec(step.uses);
      if (!match?.[1] || !match[2]) continue; // ./local or docker://
      uses.push({
        file: relative(root, file),
        uses: step.uses,
        repository: match[1],
        ref: match[2],
        with: step.with,
      });
    }
  }
  return uses;
}

function yamlFilesToScan(root: string): string[] {
  const files: string[] = [];
  const workflows = join(root, '.github/workflows');
  if (existsSync(workflows)) {
    for (const name of readdirSync(workflows)) {
      if (/\.ya?ml$/.test(name)) files.push(join(workflows, name));
    }
  }
  for (const candidate of ['action.yml', 'action.yaml']) {
    if (existsSync(join(root, candidate))) files.push(join(root, candidate));
  }
  const actions = join(root, 'actions');
  if (existsSync(actions)) {
    for (const name of readdirSync(actions)) {
      const file = join(actions, name, 'action.yml');
      if (existsSync(file)) files.push(file);
    }
  }
  return files;
}

function usesEntries(
  document: Record<string, unknown> | null,
): { uses: string; with: Record<string, unknown> }[] {
  const entries: { uses: string; with: Record<string, unknown> }[] = [];
  const add = (item: unknown) => {
    const entry = item as { uses?: unknown; with?: unknown } | null;
    if (typeof entry?.uses === 'string') {
      entries.push({ uses: entry.uses, with: (entry.with as Record<string, unknown> | undefined) ?? {} });
    }
  };
  const jobs = (document?.jobs ?? {}) as Record<string, { steps?: unknown[] } & Record<string, unknown>>;
  for (const job of Object.values(jobs)) {
    add(job);
    for (const step of job.steps ?? []) add(step);
  }
  const runs = document?.runs as { steps?: unknown[] } | undefined;
  for (const step of runs?.steps ?? []) add(step);
  return entries;
}

// ------------------------------------------------------------------ running act

interface RunFiles {
  event: string;
  secrets: string;
  vars: string;
  inputs: string;
  record: string;
}

/** act reads these like dotenv files; values are written JSON-quoted (escapes and newlines survive). */
function writeRunFiles(dir: string, options: ActOptions): RunFiles {
  const dotenv = (values: Record<string, string> = {}) =>
    Object.entries(values)
      .map(([name, value]) => `${name}=${JSON.stringify(value)}\n`)
      .join('');
  const files: RunFiles = {
    event: join(dir, 'event.json'),
    secrets: join(dir, 'secrets.env'),
    vars: join(dir, 'vars.env'),
    inputs: join(dir, 'inputs.env'),
    record: join(dir, 'standins.jsonl'),
  };
  // workflow_dispatch inputs live in the event payload (github.event.inputs), where act reads them too.
  const payload = options.inputs
    ? {
        ...options.payload,
        inputs: { ...(options.payload?.inputs as object | undefined), ...options.inputs },
      }
    : (options.payload ?? {});
  writeFileSync(files.event, JSON.stringify(payload));
  writeFileSync(files.secrets, dotenv(options.secrets), { mode: 0o600 });
  writeFileSync(files.vars, dotenv(options.vars));
  // act's dotenv reader refuses names with a hyphen (`auto-promote`): those come from the payload alone.
  const dotenvNames = Object.entries(options.inputs ?? {}).filter(([name]) =>
    /^[A-Za-z_][A-Za-z0-9_]*$/.test(name),
  );
  writeFileSync(files.inputs, dotenv(Object.fromEntries(dotenvNames)));
  writeFileSync(files.record, '');
  writeFileSync(join(dir, 'no.env'), '');
  return files;
}

function actArgs(
  options: ActOptions,
  dir: string,
  files: RunFiles,
  localRepositories: Map<string, string>,
): string[] {
  return [
    options.event,
    '--directory',
    options.repo,
    '--workflows',
    join(options.repo, options.workflow),
    '--eventpath',
    files.event,
    '--secret-file',
    files.secrets,
    '--var-file',
    files.vars,
    '--input-file',
    files.inputs,
    '--env-file',
    join(dir, 'no.env'),
    '--platform',
    'ubuntu-latest=-self-hosted',
    '--platform',
    'ubuntu-24.04=-self-hosted',
    '--no-cache-server',
    '--action-cache-path',
    join(dir, 'act-cache'),
    '--json',
    ...(options.job ? ['--job', options.job] : []),
    ...[...localRepositories].flatMap(([repository, local]) => [
      '--local-repository',
      `${repository}=${local}`,
    ]),
  ];
}

function actEnvironment(
  options: ActOptions,
  dir: string,
  marker: string,
  proxyUrl: string,
): NodeJS.ProcessEnv {
  const home = join(dir, 'home');
  const temp = join(dir, 'tmp');
  for (const path of [home, temp]) mkdirSync(path, { recursive: true });
  const passThrough = ['PATH', 'LANG', 'PYENV_ROOT'].filter((name) => process.env[name] !== undefined);
  return {
    ...Object.fromEntries(passThrough.map((name) => [name, process.env[name]])),
    PATH: [NODE24_BIN, toolsFolder(dir, runnerTools(options)), process.env.PATH ?? ''].join(':'),
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_DATA_HOME: join(home, '.local/share'),
    TMPDIR: temp,
    ACT_DISABLE_VERSION_CHECK: '1',
    GIT_TERMINAL_PROMPT: '0',
    npm_config_update_notifier: 'false',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_offline: 'true',
    HTTP_PROXY: proxyUrl,
    HTTPS_PROXY: proxyUrl,
    http_proxy: proxyUrl,
    https_proxy: proxyUrl,
    NO_PROXY: '127.0.0.1,localhost,::1',
    no_proxy: '127.0.0.1,localhost,::1',
    GREENLIGHT_STANDIN_RECORD: join(dir, 'standins.jsonl'),
    ...(options.aws ? { GREENLIGHT_STANDIN_AWS: JSON.stringify(options.aws) } : {}),
    ...(options.eks ? { GREENLIGHT_STANDIN_EKS: JSON.stringify(options.eks) } : {}),
    ...options.env,
    GREENLIGHT_ACT_RUN: marker,
  };
}

/** The tools asked for, and the AWS CLI stand-in when the run knows EKS clusters. */
function runnerTools(options: ActOptions): Record<string, string> {
  return { ...(options.eks ? { aws: AWS_CLI_STANDIN } : {}), ...options.tools };
}

/** One folder with a link per tool, so a tool's neighbours (a venv's python) do not come onto PATH too. */
function toolsFolder(dir: string, tools: Record<string, string>): string {
  const folder = join(dir, 'tools');
  mkdirSync(folder, { recursive: true });
  for (const [name, binary] of Object.entries(tools)) symlinkSync(binary, join(folder, name));
  return folder;
}

interface Spawned {
  exitCode: number | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

/** Runs act in `cwd` (a temp dir: act also reads `./.actrc` there), killed after `timeoutMs`. */
function spawnBounded(
  command: string,
  args: string[],
  where: { env: NodeJS.ProcessEnv; cwd: string },
  timeoutMs: number,
  marker: string,
): Promise<Spawned> {
  const child = spawn(command, args, { ...where, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    stopRun(child, marker);
  }, timeoutMs);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      // Steps run in sessions of their own: anything act left behind goes now.
      killMarked(marker, 'SIGKILL');
      resolve({ exitCode: code, timedOut, stdout, stderr });
    });
  });
}

function stopRun(child: ChildProcess, marker: string): void {
  if (child.pid !== undefined) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  killMarked(marker, 'SIGTERM');
  setTimeout(() => killMarked(marker, 'SIGKILL'), 5_000).unref();
}

/** Signals every process whose environment carries this run's marker (by pid, only those). */
function killMarked(marker: string, signal: NodeJS.Signals): void {
  const needle = `GREENLIGHT_ACT_RUN=${marker}`;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let environ: string;
    try {
      environ = readFileSync(`/proc/${entry}/environ`, 'latin1');
    } catch {
      continue; // exited meanwhile, or not ours to read
    }
    if (!environ.split('\0').includes(needle)) continue;
    try {
      process.kill(Number(entry), signal);
    } catch {
      // exited meanwhile
    }
  }
}

// ------------------------------------------------------------------ the refusing proxy

interface RefusingProxy {
  url: string;
  refused: string[];
  close(): Promise<void>;
}

/** An HTTP proxy on 127.0.0.1 that answers 403 to every request and CONNECT, and lists them. */
async function startRefusingProxy(): Promise<RefusingProxy> {
  const refused: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((request, response) => {
    refused.push(`${request.method} ${request.url}`);
    response.writeHead(403).end();
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('connect', (request, socket: Socket) => {
    refused.push(`CONNECT ${request.url ?? ''}`);
    socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    refused,
    async close() {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

// ------------------------------------------------------------------ reading the events

export function parseEvents(stdout: string): ActEvent[] {
  const events: ActEvent[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      events.push(JSON.parse(line) as ActEvent);
    } catch {
      // a step printed something that looks like JSON: not an event
    }
  }
  return events;
}

function readStandinCalls(file: string): StandinCall[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as StandinCall);
}

interface JobDraft {
  job: ActJob;
  steps: Map<string, ActStep>;
  /** The step the latest event with a step id named. */
  current: string | undefined;
}

function buildRun(
  spawned: Spawned,
  events: ActEvent[],
  standinCalls: StandinCall[],
  refused: string[],
): ActRun {
  const drafts = new Map<string, JobDraft>();
  const masks = events
    .filter((event) => event.command === 'add-mask' && event.arg)
    .map((event) => event.arg ?? '');
  for (const event of events) {
    if (!event.job || !event.jobID) continue;
    const draft = jobDraft(drafts, event);
    if (event.jobResult) draft.job.result = event.jobResult;
    // Workflow commands (::error::, ::add-mask::) come without a step: they belong to the running one.
    const stepId = event.stepID?.[0] ?? event.stepid?.[0] ?? (event.command ? draft.current : undefined);
    if (stepId === undefined) continue;
    draft.current = stepId;
    recordStepEvent(stepDraft(draft, stepId, event.step ?? stepId), event, masks);
  }
  const jobs = [...drafts.values()].map((draft) => draft.job);
  for (const job of jobs) job.result = jobResultOf(job);
  return {
    exitCode: spawned.exitCode,
    timedOut: spawned.timedOut,
    events,
    jobs,
    standinCalls,
    refused,
    stderr: spawned.stderr,
    job: (id, matrix) => findJob(jobs, id, matrix),
    transcript: () => transcriptOf(jobs, spawned),
  };
}

/**
 * act reports one result for all jobs of a matrix (the first failure fails them all), so a
 * matrix job's own result is read from its steps: failed when one of them failed.
 */
function jobResultOf(job: ActJob): string | undefined {
  if (Object.keys(job.matrix).length === 0 || job.result === undefined) return job.result;
  return job.steps.some((step) => step.result === 'failure') ? 'failure' : 'success';
}

function recordStepEvent(step: ActStep, event: ActEvent, masks: string[]): void {
  if (event.stepResult && (event.stage ?? 'Main') === 'Main') step.result = event.stepResult;
  if (event.command === 'set-output' && event.name !== undefined) step.outputs[event.name] = event.arg ?? '';
  if (event.command === 'summary') step.summary += event.content ?? '';
  if (event.raw_output) step.log += event.msg ?? '';
  // Annotations as the step printed them (`raw`: act splits a message holding "::", like an ARN,
  // at the wrong place), masked as the runner masks, and act's own errors ("exit status 1").
  if (/^(error|warning|notice)/.test(event.command ?? '')) {
    const line = event.raw ?? `::${event.command}::${event.arg ?? ''}\n`;
    step.log += masks.reduce((text, secret) => text.split(secret).join('***'), line);
  } else if (event.level === 'error' && !event.raw_output && !event.command) {
    step.log += `${event.msg ?? ''}\n`;
  }
}

function jobDraft(drafts: Map<string, JobDraft>, event: ActEvent): JobDraft {
  const key = `${event.job}\u0000${JSON.stringify(event.matrix ?? {})}`;
  let draft = drafts.get(key);
  if (!draft) {
    const steps = new Map<string, ActStep>();
    const job: ActJob = {
      id: event.jobID ?? '',
      name: event.job ?? '',
      matrix: event.matrix ?? {},
      result: undefined,
      steps: [],
      step: (id) => {
        const found = steps.get(id);
        if (!found)
          throw new Error(`job ${job.name} has no step "${id}"; it has: ${[...steps.keys()].join(', ')}`);
        return found;
      },
    };
    draft = { job, steps, current: undefined };
    drafts.set(key, draft);
  }
  return draft;
}

function stepDraft(draft: JobDraft, id: string, name: string): ActStep {
  let step = draft.steps.get(id);
  if (!step) {
    step = { id, name, result: undefined, outputs: {}, summary: '', log: '' };
    draft.steps.set(id, step);
    draft.job.steps.push(step);
  }
  return step;
}

function findJob(jobs: ActJob[], id: string, matrix: Record<string, unknown> | undefined): ActJob {
  const matching = jobs.filter(
    (job) =>
      job.id === id &&
      Object.entries(matrix ?? {}).every(
        ([name, value]) => JSON.stringify(job.matrix[name]) === JSON.stringify(value),
      ),
  );
  if (matching.length === 1 && matching[0]) return matching[0];
  const known = jobs.map((job) => `${job.id} ${JSON.stringify(job.matrix)}`).join('; ') || 'none';
  throw new Error(
    `expected one job "${id}" ${JSON.stringify(matrix ?? {})}, found ${matching.length}; jobs: ${known}`,
  );
}

function transcriptOf(jobs: ActJob[], spawned: Spawned): string {
  const lines = [`act exited ${spawned.exitCode}${spawned.timedOut ? ' (killed after the timeout)' : ''}`];
  for (const job of jobs) {
    lines.push(`job ${job.name} ${JSON.stringify(job.matrix)}: ${job.result ?? 'unfinished'}`);
    for (const step of job.steps) {
      lines.push(`  step ${step.id} (${step.name.split('\n')[0]}): ${step.result ?? 'not run'}`);
      for (const line of step.log.trimEnd().split('\n').slice(-40)) if (line) lines.push(`    | ${line}`);
    }
  }
  if (spawned.stderr.trim()) lines.push(`stderr: ${spawned.stderr.trim().slice(-4000)}`);
  return lines.join('\n');
}
