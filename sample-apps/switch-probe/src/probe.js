// The probe: a GET to every target at a steady rate (open loop: a request is due every
// 1/rate s whatever the answers do, so an outage is sampled, not waited out), each bounded
// by a timeout, every outcome counted. A request fails when it gets no HTTP answer
// (refused, reset, timed out) or a 5xx; any other status means a pod answered.

import { Agent, request } from 'node:http';

/** Marks the report lines on stdout; Greenlight reads the last one from the pod's log. */
export const REPORT_MARKER = 'greenlight-probe-report ';

const TICK_MS = 5;
const FAILURE_TIMES_KEPT = 20;

/** `connection refused`, `timeout`, `HTTP 503`, ... */
export function failureReason(error) {
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
      return 'connection reset';
    case 'EPIPE':
      return 'connection reset';
    case 'ETIMEDOUT':
    case 'PROBE_TIMEOUT':
      return 'timeout';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'unreachable';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'name not resolved';
    default:
      return error.code ?? error.message ?? String(error);
  }
}

/** Nearest-rank percentile of sorted values (0 when there are none). */
export function percentile(sorted, fraction) {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(fraction * sorted.length)));
  return sorted[rank - 1];
}

/**
 * One GET; resolves { ok, status?, reason?, latencyMs }; never rejects. A request sent on a
 * kept-alive connection the server had just closed is sent once more on a new one, as
 * browsers and Go's client do for idempotent requests (the server never saw it).
 */
export function probeOnce(url, { agent, timeoutMs }, retried = false) {
  const started = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...outcome, latencyMs: performance.now() - started });
    };
    const req = request(url, { agent, headers: { 'user-agent': 'greenlight-switch-probe' } }, (res) => {
      res.resume();
      res.on('end', () =>
        finish(
          res.statusCode >= 500
            ? { ok: false, status: res.statusCode, reason: `HTTP ${res.statusCode}` }
            : { ok: true, status: res.statusCode },
        ),
      );
      res.on('error', (error) => finish({ ok: false, reason: failureReason(error) }));
    });
    const timer = setTimeout(() => {
      const error = Object.assign(new Error('timeout'), { code: 'PROBE_TIMEOUT' });
      req.destroy(error);
      finish({ ok: false, reason: 'timeout' });
    }, timeoutMs);
    req.on('error', (error) => {
      if (settled) return;
      if (req.reusedSocket && error.code === 'ECONNRESET' && !retried) {
        settled = true;
        clearTimeout(timer);
        probeOnce(url, { agent, timeoutMs }, true).then(resolve);
        return;
      }
      finish({ ok: false, reason: failureReason(error) });
    });
    req.end();
  });
}

/**
 * Starts probing `targets` at `rate` requests a second each; `report()` is the running
 * count, `stop()` ends sending and resolves once every request in flight is judged.
 */
export function startProbe(
  { targets, rate, timeoutMs },
  { now = () => performance.now(), send = probeOnce } = {},
) {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const startedAt = now();
  const state = targets.map((target) => ({ ...target, issued: 0, ok: 0, failed: 0 }));
  const failures = {};
  const failureAtMs = [];
  const latencies = [];
  const inFlight = new Set();
  let lastFailureAtMs = null;

  const judge = (target, sentAtMs, outcome) => {
    if (outcome.ok) {
      target.ok += 1;
      latencies.push(outcome.latencyMs);
      return;
    }
    target.failed += 1;
    failures[outcome.reason] = (failures[outcome.reason] ?? 0) + 1;
    if (failureAtMs.length < FAILURE_TIMES_KEPT) failureAtMs.push(Math.round(sentAtMs));
    lastFailureAtMs = Math.round(sentAtMs);
  };

  const tick = () => {
    const elapsed = now() - startedAt;
    for (const target of state) {
      const due = Math.floor((elapsed * rate) / 1000) + 1 - target.issued;
      for (let i = 0; i < due; i += 1) {
        target.issued += 1;
        const sentAtMs = now() - startedAt;
        const pending = send(target.url, { agent, timeoutMs }).then((outcome) => {
          inFlight.delete(pending);
          judge(target, sentAtMs, outcome);
        });
        inFlight.add(pending);
      }
    }
  };
  tick();
  const timer = setInterval(tick, TICK_MS);

  const report = (done = false) => {
    const sorted = [...latencies].sort((a, b) => a - b);
    const ok = state.reduce((sum, target) => sum + target.ok, 0);
    const failed = state.reduce((sum, target) => sum + target.failed, 0);
    const round = (ms) => Math.round(ms * 100) / 100;
    return {
      elapsedMs: Math.round(now() - startedAt),
      rate,
      sent: ok + failed,
      ok,
      failed,
      inFlight: inFlight.size,
      failures: { ...failures },
      p50Ms: round(percentile(sorted, 0.5)),
      p99Ms: round(percentile(sorted, 0.99)),
      maxMs: round(sorted.at(-1) ?? 0),
      firstFailureAtMs: failureAtMs[0] ?? null,
      lastFailureAtMs,
      services: Object.fromEntries(state.map((t) => [t.name, { sent: t.ok + t.failed, failed: t.failed }])),
      done,
    };
  };

  let stopping;
  return {
    report,
    stop() {
      stopping ??= (async () => {
        clearInterval(timer);
        while (inFlight.size > 0) await Promise.all([...inFlight]);
        agent.destroy();
        return report(true);
      })();
      return stopping;
    },
  };
}
