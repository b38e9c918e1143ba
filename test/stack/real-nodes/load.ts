/**
 * A steady, bounded HTTP load: vegeta (built by install.sh from the Go module
 * proxy) sends `rate` GETs per second for `durationMs`, no more, each limited
 * by `timeoutMs`, from inside the node's network namespace (or, with `netns:
 * null`, from the host to a loopback target). Every request's result is kept,
 * so the report counts each one that did not get a 2xx, and when.
 *
 * Why vegeta and not autocannon or wrk: vegeta's attack is open-loop at a
 * constant rate (a request every 1/rate s, whatever the answers do); autocannon's
 * rate limit sends each connection's share in a burst at the start of every
 * second, and wrk has no rate at all, so a short outage could fall between
 * bursts. Vegeta also records every request's outcome, where autocannon drops
 * a request written to a connection the server then closed without counting it.
 *
 *   const load = startLoad({ url: 'http://10.0.0.12/', rate: 400, durationMs: 15_000, netns, workDir });
 *   ... switch ...
 *   const report = await load.done; // report.failed === 0
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toolPath } from '../tools.ts';
import { run } from './host.ts';
import { inNamespace } from './traffic.ts';

export interface LoadOptions {
  /** one URL, or several that vegeta takes in turn */
  url: string | readonly string[];
  /** requests per second */
  rate: number;
  /** how long to send; rate × duration requests in all */
  durationMs: number;
  /** limit on each request (default 2000 ms) */
  timeoutMs?: number;
  /** reuse connections (default true), as most clients do */
  keepalive?: boolean;
  /** the node's network namespace, or null to run on the host (loopback targets only) */
  netns: string | null;
  /** where vegeta's targets and results are written */
  workDir: string;
  /** sorts each 2xx answer's body into a bucket (e.g. the color that answered) */
  classify?: (body: string) => string;
}

/** One request as `vegeta encode -to=json` writes it. */
export interface VegetaResult {
  code: number;
  timestamp: string;
  /** nanoseconds */
  latency: number;
  error: string;
  /** base64 */
  body?: string;
  /** the target it was sent to */
  url?: string;
}

export interface LoadReport {
  /** requests sent */
  sent: number;
  /** answered with a 2xx */
  ok: number;
  /** everything else: errors, timeouts, other statuses */
  failed: number;
  /** failed requests by reason (`HTTP 502`, `connection refused`, ...) */
  failures: Record<string, number>;
  /** failed requests by target URL (with several targets) */
  failedByUrl: Record<string, number>;
  /** 2xx answers by `classify` bucket */
  answers: Record<string, number>;
  /** latency of the 2xx answers, milliseconds */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** first and last request sent, epoch ms */
  startedAt: number;
  endedAt: number;
  /** when the first few failures were sent, epoch ms */
  failureTimes: number[];
}

export interface RunningLoad {
  done: Promise<LoadReport>;
  /** ends the attack early (the report covers what was sent) */
  stop(): void;
}

const MAX_RATE = 5000;
const MAX_DURATION_MS = 10 * 60_000;

/** Rejects loads that are not bounded, or not aimed at loopback / the node. */
export function checkLoadOptions(options: LoadOptions): void {
  const problems: string[] = [];
  if (!Number.isInteger(options.rate) || options.rate < 1 || options.rate > MAX_RATE) {
    problems.push(`rate must be an integer from 1 to ${MAX_RATE} per second, got ${options.rate}`);
  }
  if (
    !Number.isInteger(options.durationMs) ||
    options.durationMs < 100 ||
    options.durationMs > MAX_DURATION_MS
  ) {
    problems.push(`durationMs must be an integer from 100 to ${MAX_DURATION_MS}, got ${options.durationMs}`);
  }
  const timeout = options.timeoutMs ?? 2000;
  if (!Number.isInteger(timeout) || timeout < 1 || timeout > 60_000) {
    problems.push(`timeoutMs must be an integer from 1 to 60000, got ${timeout}`);
  }
  const urls = urlsOf(options);
  if (urls.length === 0) problems.push('url: no target');
  for (const url of urls) {
    let host = '';
    try {
      host = new URL(url).hostname;
    } catch {
      problems.push(`url is not a URL: ${JSON.stringify(url)}`);
    }
    if (options.netns === null && host && !/^127\.\d+\.\d+\.\d+$|^\[::1\]$|^localhost$/.test(host)) {
      problems.push(`a load from the host may only go to loopback, got ${host} (pass the node's netns)`);
    }
  }
  if (problems.length > 0) throw new Error(`load: ${problems.join('; ')}`);
}

let loads = 0;

function urlsOf(options: Pick<LoadOptions, 'url'>): readonly string[] {
  return typeof options.url === 'string' ? [options.url] : options.url;
}

export function startLoad(options: LoadOptions): RunningLoad {
  checkLoadOptions(options);
  const vegeta = toolPath('vegeta');
  const timeoutMs = options.timeoutMs ?? 2000;
  // a name of its own per load: several may run at once in one workDir
  loads += 1;
  const id = `${Date.now()}-${loads}`;
  const targets = join(options.workDir, `load-targets-${id}.txt`);
  const results = join(options.workDir, `load-${id}.bin`);
  writeFileSync(
    targets,
    urlsOf(options)
      .map((url) => `GET ${url}\n`)
      .join(''),
  );
  const attack = [
    'attack',
    `-targets=${targets}`,
    `-rate=${options.rate}/1s`,
    `-duration=${options.durationMs}ms`,
    `-timeout=${timeoutMs}ms`,
    `-keepalive=${options.keepalive ?? true}`,
    '-http2=false',
    `-output=${results}`,
  ];
  const [command, args] = options.netns ? inNamespace(options.netns, vegeta, attack) : [vegeta, attack];
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  // the hard bound: however the target behaves, the attack ends
  const limit = setTimeout(() => child.kill('SIGKILL'), options.durationMs + timeoutMs + 15_000);
  const done = new Promise<LoadReport>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(limit);
      if (code !== 0 && signal !== 'SIGINT') {
        reject(new Error(`vegeta attack ended with ${signal ?? `code ${code}`}: ${stderr.trim()}`));
        return;
      }
      readResults(vegeta, results)
        .then((list) => resolve(summarizeLoad(list, options.classify)))
        .catch(reject);
    });
  });
  return { done, stop: () => child.kill('SIGINT') };
}

async function readResults(vegeta: string, results: string): Promise<VegetaResult[]> {
  const jsonLines = `${results}.jsonl`;
  await run(vegeta, ['encode', '-to=json', `-output=${jsonLines}`, results], { timeoutMs: 60_000 });
  return readFileSync(jsonLines, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as VegetaResult);
}

const FAILURE_TIMES_KEPT = 20;

/** The report of a load, from every request's result. Pure. */
export function summarizeLoad(
  results: readonly VegetaResult[],
  classify?: (body: string) => string,
): LoadReport {
  const failures: Record<string, number> = {};
  const failedByUrl: Record<string, number> = {};
  const answers: Record<string, number> = {};
  const latencies: number[] = [];
  const failureTimes: number[] = [];
  let startedAt = Number.POSITIVE_INFINITY;
  let endedAt = 0;
  for (const result of results) {
    const sentAt = Date.parse(result.timestamp);
    startedAt = Math.min(startedAt, sentAt);
    endedAt = Math.max(endedAt, sentAt);
    if (result.code >= 200 && result.code < 300 && !result.error) {
      latencies.push(result.latency / 1e6);
      const bucket = classify ? classify(Buffer.from(result.body ?? '', 'base64').toString('utf8')) : 'ok';
      answers[bucket] = (answers[bucket] ?? 0) + 1;
      continue;
    }
    const reason = failureReason(result);
    failures[reason] = (failures[reason] ?? 0) + 1;
    if (result.url) failedByUrl[result.url] = (failedByUrl[result.url] ?? 0) + 1;
    if (failureTimes.length < FAILURE_TIMES_KEPT) failureTimes.push(sentAt);
  }
  latencies.sort((a, b) => a - b);
  const ok = latencies.length;
  return {
    sent: results.length,
    ok,
    failed: results.length - ok,
    failures,
    failedByUrl,
    answers,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    maxMs: latencies.at(-1) ?? 0,
    startedAt: results.length > 0 ? startedAt : 0,
    endedAt,
    failureTimes: failureTimes.sort((a, b) => a - b),
  };
}

/** `HTTP 503`, or the error without the request's method and URL (`connect: connection refused`). */
export function failureReason(result: Pick<VegetaResult, 'code' | 'error'>): string {
  if (!result.error) return `HTTP ${result.code}`;
  const withoutRequest = result.error.replace(/^[A-Za-z]+ "[^"]*": /, '');
  // "dial tcp 0.0.0.0:0->10.0.0.7:80: connect: connection refused" -> "connect: connection refused"
  return withoutRequest.replace(/^(dial|read|write) tcp [^ ]+: /, '');
}

/** Nearest-rank percentile of sorted values (0 when there are none). */
export function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(fraction * sorted.length)));
  return sorted[rank - 1] ?? 0;
}

/** One line for logs and reports: `sent 6000, failed 0 (...), p50 1.2 ms, p99 4.8 ms`. */
export function describeLoad(report: LoadReport): string {
  const reasons = Object.entries(report.failures)
    .map(([reason, count]) => `${count} ${reason}`)
    .join(', ');
  const answers = Object.entries(report.answers)
    .map(([bucket, count]) => `${bucket} ${count}`)
    .join(', ');
  return (
    `sent ${report.sent}, failed ${report.failed}${reasons ? ` (${reasons})` : ''}, ` +
    `p50 ${report.p50Ms.toFixed(1)} ms, p99 ${report.p99Ms.toFixed(1)} ms` +
    (answers ? `; answers: ${answers}` : '')
  );
}
