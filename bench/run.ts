/**
 * `npm run bench`: a group's deploy and switch as it grows, for every contender, in one
 * run on one cluster (see bench/README.md).
 *
 *   npm run bench -- [--sizes 1,10,50,200] [--contenders kubectl-sequential,kubectl-parallel,argo-rollouts,greenlight]
 *                    [--ready-delay-ms 2000] [--out bench/results] [--skip-cold-start] [--keep-logs]
 *                    [--argo-qps 40]
 *
 * Starts its own local stack (test/stack) with an audit log, pods Ready after the fixed
 * delay and the controllers' client rate limits lifted; stops it at the end.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { KWOK_NODE_ANNOTATION } from '../test/stack/annotations.ts';
import { type RunningStack, startStack } from '../test/stack/stack.ts';
import { pinnedVersions } from '../test/stack/tools.ts';
import { AuditLog } from './audit.ts';
import { chartSvg, type Series } from './chart.ts';
import { bundleBytes, coldStartEntries, measureColdStart } from './cold-start.ts';
import type { Contender, ContenderName } from './contender.ts';
import { ARGO_DEFAULT_QPS, argoRolloutsContender, argoRolloutsVersion } from './contenders/argo.ts';
import { greenlightContender } from './contenders/greenlight.ts';
import { kubectlContender } from './contenders/kubectl.ts';
import { kubectl } from './exec.ts';
import { type BenchGroup, serviceNames, writeGroupFiles } from './groups.ts';
import { createIdentities } from './identities.ts';
import { pushServiceImages } from './images.ts';
import { type BenchResults, buildResults, renderMarkdown, renderTable } from './results.ts';
import { type ContenderRun, type RunnerEnvironment, runContender } from './runner.ts';
import { kubeConfigFrom, waitForAll } from './watch.ts';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** a /16 (65k Services): up to four Services per service at N=200, and the namespaces being deleted */
const SERVICE_IP_RANGE = '10.96.0.0/16';
/** kwok nodes, 250 pods each: N=200 needs 400 pods at once (live and standby) */
const KWOK_NODES = 3;

/**
 * Every contender, in the order they run at each group size.
 * ==> The Greenlight contender is bench/contenders/greenlight.ts; it runs as soon as the
 *     CLI has `deploy` and `promote` (until then it is skipped, with the reason).
 */
function allContenders(argoQps?: number): Contender[] {
  return [
    greenlightContender(),
    kubectlContender('kubectl-sequential', 'kubectl, one after another (a)', 1),
    kubectlContender('kubectl-parallel', 'kubectl, 8 in parallel (b)', 8),
    argoRolloutsContender(argoQps === undefined ? {} : { qps: argoQps }),
  ];
}

const COLORS: Record<ContenderName, string> = {
  greenlight: '#2a9d3f',
  'kubectl-sequential': '#d1495b',
  'kubectl-parallel': '#edae49',
  'argo-rollouts': '#3d5a98',
};

interface Options {
  sizes: number[];
  contenders: ContenderName[];
  readyDelayMs: number;
  out: string;
  coldStart: boolean;
  keepLogs: boolean;
  argoQps: number;
}

function readOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      sizes: { type: 'string', default: '1,10,50,200' },
      contenders: {
        type: 'string',
        default: allContenders()
          .map((c) => c.name)
          .join(','),
      },
      'ready-delay-ms': { type: 'string', default: '2000' },
      out: { type: 'string', default: join(REPO_ROOT, 'bench', 'results') },
      'skip-cold-start': { type: 'boolean', default: false },
      'keep-logs': { type: 'boolean', default: false },
      'argo-qps': { type: 'string', default: String(ARGO_DEFAULT_QPS) },
    },
    strict: true,
  });
  const sizes = values.sizes.split(',').map((s) => Number(s.trim()));
  for (const size of sizes) serviceNames(size); // throws naming a bad size
  const known = new Set(allContenders().map((c) => c.name));
  const contenders = values.contenders.split(',').map((s) => s.trim()) as ContenderName[];
  const unknown = contenders.filter((c) => !known.has(c));
  if (unknown.length)
    throw new Error(`--contenders: unknown ${unknown.join(', ')} (known: ${[...known].join(', ')})`);
  const readyDelayMs = Number(values['ready-delay-ms']);
  if (!Number.isInteger(readyDelayMs) || readyDelayMs < 0) {
    throw new Error(`--ready-delay-ms: expected a whole number >= 0, got ${values['ready-delay-ms']}`);
  }
  return {
    sizes: [...new Set(sizes)].sort((a, b) => a - b),
    contenders,
    readyDelayMs,
    out: resolve(values.out),
    coldStart: !values['skip-cold-start'],
    keepLogs: values['keep-logs'],
    argoQps: positiveInteger('--argo-qps', values['argo-qps']),
  };
}

function positiveInteger(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${flag}: expected a whole number >= 1, got ${text}`);
  return value;
}

const log = (line: string) =>
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

async function addKwokNodes(stack: RunningStack, cacheDir: string): Promise<void> {
  const names = Array.from({ length: KWOK_NODES }, (_, i) => `kwok-node-${i}`);
  const extra = names.filter((name) => name !== stack.info.nodeName);
  const nodes = extra.map((name) => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { [KWOK_NODE_ANNOTATION]: 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        type: 'kwok',
      },
    },
  }));
  await kubectl(stack.info.kubeconfig, cacheDir, ['apply', '-f', '-'], {
    input: stringify({ apiVersion: 'v1', kind: 'List', items: nodes }),
  });
  await waitForAll(
    kubeConfigFrom(stack.info.kubeconfig),
    '/api/v1/nodes',
    names,
    (node) =>
      (
        (node.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []
      ).some((c) => c.type === 'Ready' && c.status === 'True'),
    { timeoutMs: 60_000, what: `${names.length} kwok nodes Ready` },
  );
}

function machineInfo(): BenchResults['run']['machine'] {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
    kernel: release(),
    node: process.version,
    loadAverageAtStart: loadavg().map((l) => Number(l.toFixed(2))),
  };
}

async function runContenders(
  options: Options,
  contenders: Contender[],
  scratch: string,
): Promise<ContenderRun[]> {
  const stack = await startStack({
    label: 'greenlight-bench-stack',
    podReadyDelayMs: options.readyDelayMs,
    auditLog: true,
    unlimitedControllerQps: true,
    serviceClusterIpRange: SERVICE_IP_RANGE,
    log,
  });
  const runs: ContenderRun[] = [];
  const kubectlCache = join(scratch, 'kubectl-cache');
  const setUp: Contender[] = [];
  try {
    const auditPath = stack.info.logs.audit;
    if (!auditPath) throw new Error('the stack started without an audit log');
    await addKwokNodes(stack, kubectlCache);
    const largest = Math.max(...options.sizes);
    const pushed = await pushServiceImages(stack.info.registry, serviceNames(largest));
    log(`pushed v1 and v2 to ${pushed.repositories} repositories in ${stack.info.registry}`);
    const identities = await createIdentities(
      stack.info,
      contenders.flatMap((c) => c.identities),
      scratch,
      kubectlCache,
    );
    const env: RunnerEnvironment = {
      stack: stack.info,
      audit: new AuditLog(auditPath),
      identities,
      kubectlCache,
      workRoot: join(scratch, 'work'),
      registry: stack.info.registry,
      log,
    };
    for (const contender of contenders) {
      if (!contender.setUp) continue;
      await contender.setUp({
        stack: stack.info,
        identities,
        adminKubeconfig: stack.info.kubeconfig,
        kubectlCache,
        timeoutMs: 120_000,
        log,
      });
      setUp.push(contender);
    }
    for (const size of options.sizes) {
      for (const contender of contenders) {
        const started = Date.now();
        runs.push(await runContender(contender, size, env));
        log(
          `${contender.name} at N=${size}: ${((Date.now() - started) / 1000).toFixed(0)} s with prepare and clean-up`,
        );
      }
    }
  } finally {
    for (const contender of setUp) await contender.tearDown?.();
    await stack.stop({ keepDir: options.keepLogs });
    if (options.keepLogs) log(`kept the stack's dir (logs, audit log): ${stack.info.dir}`);
  }
  return runs;
}

async function coldStarts(
  scratch: string,
): Promise<{ coldStartMs: Record<string, number | null>; bytes: Record<string, number | null> }> {
  const group: BenchGroup = {
    name: 'bench-n1',
    namespace: 'bench-cold-start',
    services: serviceNames(1),
    groupsDir: join(scratch, 'cold-start-groups'),
    registry: '127.0.0.1:5000',
  };
  writeGroupFiles(group);
  const coldStartMs: Record<string, number | null> = {};
  const bytes: Record<string, number | null> = {};
  for (const entry of coldStartEntries(REPO_ROOT, group.groupsDir)) {
    bytes[entry.name] = bundleBytes(REPO_ROOT, entry.dist) ?? null;
    try {
      coldStartMs[entry.name] = Number((await measureColdStart(entry, REPO_ROOT)).toFixed(1));
    } catch (error) {
      log(
        `cold start of ${entry.name} not measured: ${error instanceof Error ? error.message : String(error)}`,
      );
      coldStartMs[entry.name] = null;
    }
  }
  return { coldStartMs, bytes };
}

function chart(results: BenchResults, sizes: number[], contenders: Contender[]): string {
  const series = (pick: (name: ContenderName, size: number) => number | null): Series[] =>
    contenders.map((c) => ({
      label: results.skipped[c.name] ? `${c.label} (not measured yet)` : c.label,
      color: COLORS[c.name],
      points: sizes.map((x) => ({ x, y: pick(c.name, x) })),
    }));
  const figures = (name: ContenderName, size: number) => {
    const f = results.contenders[String(size)]?.[name];
    return f && !f.error ? f : undefined;
  };
  return chartSvg(
    [
      {
        title: 'Deploy: every standby ready',
        yLabel: 'seconds',
        series: series((n, s) => figures(n, s)?.deploySeconds ?? null),
      },
      {
        title: 'Promote: the switch',
        yLabel: 'seconds',
        series: series((n, s) => figures(n, s)?.promoteSeconds ?? null),
      },
      {
        title: 'Mixed window (observed)',
        yLabel: 'milliseconds',
        series: series((n, s) => figures(n, s)?.mixedWindowMs ?? null),
      },
    ],
    sizes,
    `pods Ready ${results.podReadyDelayMs} ms after start (kwok); Kubernetes ${results.kubernetes}; ` +
      `${results.run.machine.cpus} cores, ${results.run.startedAt.slice(0, 10)}`,
  );
}

async function main(): Promise<void> {
  const options = readOptions(process.argv.slice(2));
  const startedAt = new Date();
  const machine = machineInfo();
  const wanted = allContenders(options.argoQps).filter((c) => options.contenders.includes(c.name));
  const skipped: Partial<Record<ContenderName, string>> = {};
  const contenders: Contender[] = [];
  for (const contender of wanted) {
    const why = await contender.unavailable();
    if (why) {
      skipped[contender.name] = why;
      log(`skipping ${contender.label}: ${why}`);
    } else {
      contenders.push(contender);
    }
  }
  const scratch = mkdtempSync(join(tmpdir(), 'greenlight-bench-'));
  try {
    const runs = await runContenders(options, contenders, scratch);
    machine.loadAverageAtEnd = loadavg().map((l) => Number(l.toFixed(2)));
    const cold = options.coldStart ? await coldStarts(scratch) : { coldStartMs: {}, bytes: {} };
    const results = buildResults({
      runs,
      sizes: options.sizes,
      kubernetes: pinnedVersions().kubernetes,
      podReadyDelayMs: options.readyDelayMs,
      coldStartMs: cold.coldStartMs,
      bundleBytes: cold.bytes,
      skipped,
      run: {
        startedAt: startedAt.toISOString(),
        durationSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
        machine,
        argoRollouts: argoRolloutsVersion(),
        argoRolloutsQps: options.argoQps,
        controllersUnlimitedQps: true,
        kwokNodes: KWOK_NODES,
        serviceIpRange: SERVICE_IP_RANGE,
      },
    });
    mkdirSync(options.out, { recursive: true });
    const json = `${JSON.stringify(results, null, 2)}\n`;
    writeFileSync(join(options.out, `run-${startedAt.toISOString().replaceAll(':', '-')}.json`), json);
    writeFileSync(join(options.out, 'latest.json'), json);
    writeFileSync(join(options.out, 'chart.svg'), chart(results, options.sizes, wanted));
    const labels = Object.fromEntries(wanted.map((c) => [c.name, c.label]));
    writeFileSync(join(options.out, 'summary.md'), renderMarkdown(results, labels));
    process.stdout.write(renderTable(results, labels));
    log(`wrote ${join(options.out, 'latest.json')} and chart.svg (${results.run.durationSeconds} s)`);
    if (runs.some((r) => r.error)) process.exitCode = 1;
  } finally {
    if (options.keepLogs) log(`kept the scratch dir (observer records, manifests): ${scratch}`);
    else rmSync(scratch, { recursive: true, force: true });
  }
}

await main();
