import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readSettings, readTargets } from '../src/config.js';
import { percentile, probeOnce, REPORT_MARKER, startProbe } from '../src/probe.js';

const MAIN = fileURLToPath(new URL('../src/main.js', import.meta.url));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A local server answering every request with `handler`; resolves its base URL. */
async function serve(handler) {
  const server = createServer(handler);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${server.address().port}` };
}

/** A port nothing listens on (bound, then closed). */
async function closedPort() {
  const server = createTcpServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Probes for a while, then stops and returns the final report. */
async function probeFor(ms, settings) {
  const probe = startProbe({ rate: 50, timeoutMs: 500, ...settings });
  await sleep(ms);
  return probe.stop();
}

describe('settings', () => {
  test('targets are name=url pairs separated by spaces', () => {
    assert.deepEqual(readTargets(' a=http://a.ns.svc:8080/healthz  b=http://10.0.0.1/ '), [
      { name: 'a', url: 'http://a.ns.svc:8080/healthz' },
      { name: 'b', url: 'http://10.0.0.1/' },
    ]);
  });

  test('refuses what it cannot probe, naming the pair', () => {
    assert.throws(() => readTargets(''), /GREENLIGHT_PROBE_TARGETS is empty/);
    assert.throws(() => readTargets('a'), /expected name=http:\/\/host:port\/path, got "a"/);
    assert.throws(() => readTargets('a=https://x/'), /got "a=https:\/\/x\/"/);
    assert.throws(() => readTargets('a=http://x/ a=http://y/'), /a is named twice/);
    assert.throws(
      () => readSettings({ GREENLIGHT_PROBE_TARGETS: 'a=http://x/', GREENLIGHT_PROBE_RATE: '0' }),
      /GREENLIGHT_PROBE_RATE must be an integer from 1 to 1000, got "0"/,
    );
  });

  test('defaults: 20 a second per target, 2 s per request, a report a second, 10 minutes at most', () => {
    const settings = readSettings({ GREENLIGHT_PROBE_TARGETS: 'a=http://x/' });
    assert.equal(settings.rate, 20);
    assert.equal(settings.timeoutMs, 2000);
    assert.equal(settings.reportEveryMs, 1000);
    assert.equal(settings.durationMs, 600_000);
  });
});

describe('requests', () => {
  let ok;
  let failing;
  let notFound;
  let closing;
  let hanging;
  before(async () => {
    ok = await serve((_req, res) => res.end('ok'));
    failing = await serve((_req, res) => {
      res.statusCode = 503;
      res.end('no');
    });
    notFound = await serve((_req, res) => {
      res.statusCode = 404;
      res.end('?');
    });
    // asks for a new connection after every answer, as a draining sample app does
    closing = await serve((_req, res) => {
      res.setHeader('connection', 'close');
      res.end('bye');
    });
    hanging = await serve(() => {});
  });
  after(() => {
    for (const { server } of [ok, failing, notFound, closing, hanging]) server.closeAllConnections();
    for (const { server } of [ok, failing, notFound, closing, hanging]) server.close();
  });

  test('counts every answer from a serving target, with latencies', async () => {
    const report = await probeFor(300, { targets: [{ name: 'a', url: `${ok.url}/healthz` }] });
    assert.ok(report.sent > 0);
    assert.equal(report.failed, 0);
    assert.equal(report.ok, report.sent);
    assert.equal(report.inFlight, 0);
    assert.equal(report.done, true);
    assert.deepEqual(report.services, { a: { sent: report.sent, failed: 0 } });
    assert.ok(report.p99Ms >= report.p50Ms && report.p50Ms > 0);
  });

  test('a refused connection, a 5xx and a timeout are failures; a 404 is an answer', async () => {
    const port = await closedPort();
    const report = await probeFor(300, {
      targets: [
        { name: 'refused', url: `http://127.0.0.1:${port}/` },
        { name: 'error', url: failing.url },
        { name: 'missing', url: notFound.url },
        { name: 'hangs', url: hanging.url },
      ],
      timeoutMs: 100,
    });
    assert.equal(report.services.missing.failed, 0);
    assert.ok(report.services.missing.sent > 0);
    for (const name of ['refused', 'error', 'hangs']) {
      assert.ok(report.services[name].sent > 0, name);
      assert.equal(report.services[name].failed, report.services[name].sent, name);
    }
    assert.equal(report.failures['connection refused'], report.services.refused.sent);
    assert.equal(report.failures['HTTP 503'], report.services.error.sent);
    assert.equal(report.failures.timeout, report.services.hangs.sent);
    assert.equal(report.failed, report.sent - report.services.missing.sent);
    assert.equal(typeof report.firstFailureAtMs, 'number');
  });

  test('a server that closes each connection after answering costs nothing', async () => {
    const report = await probeFor(300, { targets: [{ name: 'c', url: closing.url }] });
    assert.ok(report.sent > 0);
    assert.deepEqual(report.failures, {});
  });

  test('a request on a kept-alive connection the server just closed is sent again on a new one', async () => {
    // answers, then resets every kept-alive connection as soon as the next request arrives on it
    const seen = new WeakSet();
    const resetting = await serve((req, res) => {
      if (seen.has(req.socket)) {
        req.socket.destroy();
        return;
      }
      seen.add(req.socket);
      res.end('once per connection');
    });
    try {
      const { Agent } = await import('node:http');
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const first = await probeOnce(resetting.url, { agent, timeoutMs: 1000 });
      const second = await probeOnce(resetting.url, { agent, timeoutMs: 1000 });
      agent.destroy();
      assert.equal(first.ok, true);
      assert.equal(second.ok, true);
    } finally {
      resetting.server.closeAllConnections();
      resetting.server.close();
    }
  });

  test('sends on schedule whatever the answers do: rate × elapsed + 1 per target', async () => {
    let clock = 0;
    const sent = [];
    const answer = [];
    const probe = startProbe(
      {
        targets: [
          { name: 'a', url: 'http://a/' },
          { name: 'b', url: 'http://b/' },
        ],
        rate: 10,
        timeoutMs: 100,
      },
      {
        now: () => clock,
        // no answer comes back until the end: the schedule does not wait for them
        send: (url) => {
          sent.push(url);
          return new Promise((resolve) => answer.push(() => resolve({ ok: true, latencyMs: 1 })));
        },
      },
    );
    assert.deepEqual(sent, ['http://a/', 'http://b/']);
    clock = 1000;
    for (let i = 0; i < 200 && sent.length < 22; i += 1) await sleep(5);
    assert.equal(sent.filter((url) => url === 'http://a/').length, 11);
    assert.equal(sent.filter((url) => url === 'http://b/').length, 11);
    assert.equal(probe.report().inFlight, 22);
    const stopped = probe.stop();
    for (const resolve of answer) resolve();
    assert.equal((await stopped).ok, 22);
  });

  test('percentile is nearest-rank', () => {
    assert.equal(percentile([], 0.5), 0);
    assert.equal(percentile([1, 2, 3, 4], 0.5), 2);
    assert.equal(percentile([1, 2, 3, 4], 0.99), 4);
  });
});

describe('the process', () => {
  let ok;
  before(async () => {
    ok = await serve((_req, res) => res.end('ok'));
  });
  after(() => {
    ok.server.closeAllConnections();
    ok.server.close();
  });

  /** Starts src/main.js; collects its report lines. */
  function start(env) {
    const child = spawn(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const reports = [];
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith(REPORT_MARKER)) reports.push(JSON.parse(line.slice(REPORT_MARKER.length)));
    });
    return { child, reports, exited: once(child, 'exit') };
  }

  test('reports as it goes, and a last time on SIGTERM, then exits 0', async () => {
    const run = start({
      GREENLIGHT_PROBE_TARGETS: `a=${ok.url}/`,
      GREENLIGHT_PROBE_RATE: '50',
      GREENLIGHT_PROBE_REPORT_MS: '100',
    });
    for (let i = 0; i < 200 && run.reports.length < 2; i += 1) await sleep(25);
    assert.ok(run.reports.length >= 2, 'running reports');
    assert.equal(run.reports[0].done, false);
    run.child.kill('SIGTERM');
    const [code] = await run.exited;
    assert.equal(code, 0);
    const last = run.reports.at(-1);
    assert.equal(last.done, true);
    assert.ok(last.sent >= run.reports[0].sent && last.sent > 0);
    assert.equal(last.failed, 0);
  });

  test('ends by itself after its duration', async () => {
    const run = start({ GREENLIGHT_PROBE_TARGETS: `a=${ok.url}/`, GREENLIGHT_PROBE_DURATION_MS: '300' });
    const [code] = await run.exited;
    assert.equal(code, 0);
    assert.equal(run.reports.at(-1).done, true);
  });

  test('bad settings: one error report, exit 2', async () => {
    const run = start({ GREENLIGHT_PROBE_TARGETS: 'nonsense' });
    const [code] = await run.exited;
    assert.equal(code, 2);
    assert.deepEqual(run.reports, [
      {
        error: 'GREENLIGHT_PROBE_TARGETS: expected name=http://host:port/path, got "nonsense"',
        done: true,
      },
    ]);
  });
});
