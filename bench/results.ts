/**
 * The results file (bench/results/latest.json, the shape of issue 15 plus a per-contender
 * breakdown) and the terminal table, as pure functions of the runs.
 */
import type { RequestCounts } from './audit.ts';
import type { ContenderName } from './contender.ts';
import type { ContenderRun } from './runner.ts';

export interface ContenderFigures {
  deploySeconds: number | null;
  promoteSeconds: number | null;
  mixedWindowMs: number | null;
  /** from the start of promote to the first / last live Service switch the observer saw */
  firstSwitchAfterMs: number | null;
  lastSwitchAfterMs: number | null;
  /** API requests (watches aside) per service: deploy, promote */
  deployRequestsPerService: number | null;
  promoteRequestsPerService: number | null;
  /** watch requests opened during deploy and promote */
  watchRequests: number | null;
  errorResponses: number | null;
  notFoundResponses: number | null;
  throttledResponses: number | null;
  peakRssMiB: number | null;
  requestsByKind: Record<string, number> | null;
  /** responses >= 400 by status, verb and resource */
  failedRequests: Record<string, number> | null;
  error: string | null;
}

export interface BenchResults {
  kubernetes: string;
  podReadyDelayMs: number;
  groupDeploy: {
    services: number;
    greenlightSeconds: number | null;
    kubectlSequentialSeconds: number | null;
    kubectlParallelSeconds: number | null;
    argoRolloutsSeconds: number | null;
    apiRequestsPerService: number | null;
    peakRssMiB: number | null;
  }[];
  promote: {
    services: number;
    seconds: number | null;
    mixedWindowMs: number | null;
    argoRolloutsSeconds: number | null;
    argoRolloutsMixedWindowMs: number | null;
  }[];
  coldStartMs: Record<string, number | null>;
  bundleBytes: Record<string, number | null>;
  /** everything measured, by group size and contender */
  contenders: Record<string, Partial<Record<ContenderName, ContenderFigures>>>;
  /** contenders that did not run, and why */
  skipped: Partial<Record<ContenderName, string>>;
  run: {
    startedAt: string;
    durationSeconds: number;
    machine: MachineInfo;
    argoRollouts: string;
    /** the Argo Rollouts controller's --qps (burst twice that) */
    argoRolloutsQps?: number;
    controllersUnlimitedQps: boolean;
    kwokNodes: number;
    serviceIpRange?: string;
  };
}

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  node: string;
  loadAverageAtStart: number[];
  /** 1, 5 and 15 minute load averages when the contenders were done (other work on the machine shows here) */
  loadAverageAtEnd?: number[];
}

const round = (value: number | undefined, digits: number): number | null =>
  value === undefined ? null : Number(value.toFixed(digits));

const perService = (counts: RequestCounts | undefined, services: number) =>
  counts === undefined ? null : Number((counts.requests / services).toFixed(2));

export function figuresOf(run: ContenderRun): ContenderFigures {
  const both = [run.deployRequests, run.promoteRequests].filter((c): c is RequestCounts => c !== undefined);
  const sum = (pick: (c: RequestCounts) => number) =>
    both.length ? both.reduce((n, c) => n + pick(c), 0) : null;
  const merged = (pick: (c: RequestCounts) => Record<string, number>) => {
    const total: Record<string, number> = {};
    for (const counts of both)
      for (const [k, n] of Object.entries(pick(counts))) total[k] = (total[k] ?? 0) + n;
    return total;
  };
  return {
    deploySeconds: round(run.deploySeconds, 3),
    promoteSeconds: round(run.promoteSeconds, 3),
    mixedWindowMs: round(run.mixedWindowMs, 1),
    firstSwitchAfterMs: round(run.firstSwitchAfterMs, 1),
    lastSwitchAfterMs: round(run.lastSwitchAfterMs, 1),
    deployRequestsPerService: perService(run.deployRequests, run.services),
    promoteRequestsPerService: perService(run.promoteRequests, run.services),
    watchRequests: sum((c) => c.watches),
    errorResponses: sum((c) => c.errors),
    notFoundResponses: sum((c) => c.notFound),
    throttledResponses: sum((c) => c.throttled),
    peakRssMiB: run.peakRssBytes === undefined ? null : round(run.peakRssBytes / 2 ** 20, 1),
    requestsByKind: both.length ? merged((c) => c.byKind) : null,
    failedRequests: both.length ? merged((c) => c.failures) : null,
    error: run.error ?? null,
  };
}

export function buildResults(input: {
  runs: readonly ContenderRun[];
  sizes: readonly number[];
  kubernetes: string;
  podReadyDelayMs: number;
  coldStartMs: Record<string, number | null>;
  bundleBytes: Record<string, number | null>;
  skipped: Partial<Record<ContenderName, string>>;
  run: BenchResults['run'];
}): BenchResults {
  const at = (size: number, name: ContenderName) => {
    const found = input.runs.find((r) => r.services === size && r.contender === name);
    return found ? figuresOf(found) : undefined;
  };
  const ok = (figures: ContenderFigures | undefined) => (figures?.error ? undefined : figures);
  const contenders: BenchResults['contenders'] = {};
  for (const size of input.sizes) {
    const bySize: Partial<Record<ContenderName, ContenderFigures>> = {};
    for (const run of input.runs.filter((r) => r.services === size)) bySize[run.contender] = figuresOf(run);
    contenders[String(size)] = bySize;
  }
  return {
    kubernetes: input.kubernetes,
    podReadyDelayMs: input.podReadyDelayMs,
    groupDeploy: input.sizes.map((size) => {
      const greenlight = ok(at(size, 'greenlight'));
      return {
        services: size,
        greenlightSeconds: greenlight?.deploySeconds ?? null,
        kubectlSequentialSeconds: ok(at(size, 'kubectl-sequential'))?.deploySeconds ?? null,
        kubectlParallelSeconds: ok(at(size, 'kubectl-parallel'))?.deploySeconds ?? null,
        argoRolloutsSeconds: ok(at(size, 'argo-rollouts'))?.deploySeconds ?? null,
        apiRequestsPerService: greenlight?.deployRequestsPerService ?? null,
        peakRssMiB: greenlight?.peakRssMiB ?? null,
      };
    }),
    promote: input.sizes.map((size) => {
      const greenlight = ok(at(size, 'greenlight'));
      const argo = ok(at(size, 'argo-rollouts'));
      return {
        services: size,
        seconds: greenlight?.promoteSeconds ?? null,
        mixedWindowMs: greenlight?.mixedWindowMs ?? null,
        argoRolloutsSeconds: argo?.promoteSeconds ?? null,
        argoRolloutsMixedWindowMs: argo?.mixedWindowMs ?? null,
      };
    }),
    coldStartMs: input.coldStartMs,
    bundleBytes: input.bundleBytes,
    contenders,
    skipped: input.skipped,
    run: input.run,
  };
}

const cell = (value: number | null | undefined, digits = 2) =>
  value === null || value === undefined ? '-' : value.toFixed(digits);

/** A plain-text table: one row per group size and contender. */
export function renderTable(results: BenchResults, labels: Partial<Record<ContenderName, string>>): string {
  const header = [
    'N',
    'contender',
    'deploy s',
    'promote s',
    'mixed ms',
    'req/svc dep',
    'req/svc pro',
    'watches',
    'err',
    'peak RSS MiB',
  ];
  const rows: string[][] = [];
  for (const [size, bySize] of Object.entries(results.contenders)) {
    for (const [name, f] of Object.entries(bySize) as [ContenderName, ContenderFigures][]) {
      rows.push(
        f.error
          ? [size, labels[name] ?? name, `FAILED: ${f.error.split('\n')[0]?.slice(0, 80)}`]
          : [
              size,
              labels[name] ?? name,
              cell(f.deploySeconds),
              cell(f.promoteSeconds),
              cell(f.mixedWindowMs, 0),
              cell(f.deployRequestsPerService, 1),
              cell(f.promoteRequestsPerService, 1),
              cell(f.watchRequests, 0),
              cell(f.errorResponses, 0),
              cell(f.peakRssMiB, 0),
            ],
      );
    }
  }
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.filter((r) => r.length > 3).map((r) => (r[i] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells.length <= 3
      ? cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ')
      : cells.map((c, i) => (i < 2 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
  for (const [name, why] of Object.entries(results.skipped))
    out.push(`skipped ${labels[name as ContenderName] ?? name}: ${why}`);
  const cold = Object.entries(results.coldStartMs).map(([k, v]) => `${k} ${cell(v, 0)} ms`);
  if (cold.length) out.push(`cold start (process start to inputs validated): ${cold.join(', ')}`);
  const bundles = Object.entries(results.bundleBytes).map(
    ([k, v]) => `${k} ${v === null ? '-' : `${(v / 1024).toFixed(0)} KiB`}`,
  );
  if (bundles.length) out.push(`bundle size: ${bundles.join(', ')}`);
  return `${out.join('\n')}\n`;
}

/** The README's table of the latest figures (bench/results/summary.md, pasted into bench/README.md). */
export function renderMarkdown(
  results: BenchResults,
  labels: Partial<Record<ContenderName, string>>,
): string {
  const out = [
    '| N | contender | deploy s | promote s | mixed window ms | requests/service deploy | requests/service promote | watches | errors (>=400, not 404) | peak RSS MiB |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const [size, bySize] of Object.entries(results.contenders)) {
    for (const [name, f] of Object.entries(bySize) as [ContenderName, ContenderFigures][]) {
      const label = labels[name] ?? name;
      out.push(
        f.error
          ? `| ${size} | ${label} | failed: ${f.error.split('\n')[0]?.replaceAll('|', '/').slice(0, 120)} | | | | | | | |`
          : `| ${size} | ${label} | ${cell(f.deploySeconds)} | ${cell(f.promoteSeconds)} | ${cell(f.mixedWindowMs, 0)} | ${cell(f.deployRequestsPerService, 1)} | ${cell(f.promoteRequestsPerService, 1)} | ${cell(f.watchRequests, 0)} | ${cell(f.errorResponses, 0)} | ${cell(f.peakRssMiB, 0)} |`,
      );
    }
  }
  return `${out.join('\n')}\n`;
}
