import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { request } from 'node:http';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readConfig } from '../src/config.js';
import { createLogger, createService } from '../src/server.js';

const MAIN = fileURLToPath(new URL('../src/main.js', import.meta.url));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** One request on a fresh connection; resolves with status, headers and parsed JSON body. */
function get(port, path, method = 'GET') {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, agent: false, timeout: 10_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        text += chunk;
      });
      res.on('end', () =>
        resolve({ status: res.statusCode, headers: res.headers, body: text && JSON.parse(text) }),
      );
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

describe('endpoints', () => {
  const lines = [];
  let service;
  let port;
  before(async () => {
    const config = readConfig({
      GREENLIGHT_COMMIT: 'c0ffee',
      GREENLIGHT_BRANCH: 'feature/x',
      GREENLIGHT_COLOR: 'green',
      GREENLIGHT_DIGEST: 'sha256:abc',
    });
    service = createService(
      config,
      createLogger((line) => lines.push(JSON.parse(line))),
    );
    port = await service.listen(0, '127.0.0.1');
  });
  after(() => service.server.close());

  test('/healthz and /readyz answer 200 while running', async () => {
    assert.deepEqual((await get(port, '/healthz')).body, { status: 'ok' });
    const ready = await get(port, '/readyz');
    assert.equal(ready.status, 200);
    assert.equal(ready.headers['content-type'], 'application/json; charset=utf-8');
  });

  test('/version reports what Greenlight set in the environment', async () => {
    const { status, body } = await get(port, '/version');
    assert.equal(status, 200);
    assert.equal(body.service, 'hello-a');
    assert.equal(body.version, '1.0.0');
    assert.deepEqual(
      [body.commit, body.branch, body.color, body.digest],
      ['c0ffee', 'feature/x', 'green', 'sha256:abc'],
    );
    assert.match(body.node, /^v24\./);
  });

  test('/ greets with the default greeting and the color, slowly when asked', async () => {
    const startedAt = performance.now();
    const { status, body } = await get(port, '/?delayMs=300');
    assert.equal(status, 200);
    assert.deepEqual(body, { service: 'hello-a', message: 'hello from a', color: 'green' });
    assert.ok(performance.now() - startedAt >= 290);
  });

  test('bad delay, unknown path and other methods get JSON errors', async () => {
    assert.equal((await get(port, '/?delayMs=-1')).status, 400);
    assert.equal((await get(port, '/?delayMs=99999')).status, 400);
    assert.equal((await get(port, '/nope')).status, 404);
    const post = await get(port, '/', 'POST');
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, 'GET, HEAD');
  });

  test('logs one JSON line per request', async () => {
    await get(port, '/healthz?probe=1');
    const entry = lines.findLast((line) => line.msg === 'request');
    assert.equal(entry.service, 'hello-a');
    assert.equal(entry.path, '/healthz');
    assert.equal(entry.status, 200);
    assert.equal(typeof entry.durationMs, 'number');
    assert.match(entry.requestId, /^[0-9a-f-]{36}$/);
  });
});

describe('configuration', () => {
  test('defaults', () => {
    const config = readConfig({});
    assert.equal(config.port, 8080);
    assert.equal(config.color, null);
    assert.ok(config.drainMs < config.shutdownTimeoutMs);
  });
  test('rejects bad numbers with the variable name', () => {
    assert.throws(() => readConfig({ PORT: 'http' }), /PORT must be an integer/);
    assert.throws(
      () => readConfig({ SHUTDOWN_DRAIN_MS: '5000', SHUTDOWN_TIMEOUT_MS: '1000' }),
      /SHUTDOWN_DRAIN_MS must be less/,
    );
  });
});

/** Starts src/main.js as a real process; resolves once it logged its port. */
async function startProcess(env) {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const logs = [];
  const waiters = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    const entry = JSON.parse(line);
    logs.push(entry);
    for (const waiter of waiters.splice(0)) waiter();
  });
  const exited = once(child, 'exit');
  /** Resolves with the first log entry with this msg, seen or to come; bounded. */
  async function waitForLog(msg, timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const entry = logs.find((line) => line.msg === msg);
      if (entry) return entry;
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no "${msg}" log line`);
      await Promise.race([new Promise((resolve) => waiters.push(resolve)), exited, sleep(100)]);
    }
  }
  const { port } = await waitForLog('listening');
  return { child, port, logs, waitForLog, exited };
}

describe('graceful SIGTERM', () => {
  test('readiness turns 503 first, requests are served during the drain, in-flight ones finish, exit 0', async (t) => {
    const app = await startProcess({ SHUTDOWN_DRAIN_MS: '1500', SHUTDOWN_TIMEOUT_MS: '10000' });
    t.after(() => app.child.kill('SIGKILL'));

    const inFlight = get(app.port, '/?delayMs=4000');
    await sleep(200); // the slow request has reached the server (loopback)
    app.child.kill('SIGTERM');
    await app.waitForLog('shutdown started');

    const ready = await get(app.port, '/readyz');
    assert.equal(ready.status, 503);
    const duringDrain = await get(app.port, '/healthz');
    assert.equal(duringDrain.status, 200);
    assert.equal(duringDrain.headers.connection, 'close');

    await app.waitForLog('drain delay over: listener closed, finishing in-flight requests');
    await assert.rejects(get(app.port, '/healthz'), { code: 'ECONNREFUSED' });

    const slow = await inFlight;
    assert.equal(slow.status, 200);
    assert.equal(slow.body.message, 'hello from a');
    const [code] = await app.exited;
    assert.equal(code, 0);
    const order = app.logs.map((line) => line.msg).filter((msg) => msg !== 'request');
    assert.deepEqual(order.slice(-4), [
      'shutdown started',
      'drain delay over: listener closed, finishing in-flight requests',
      'all connections closed',
      'exiting',
    ]);
  });

  test('the hard timeout bounds shutdown when a request outlives it', async (t) => {
    const app = await startProcess({ SHUTDOWN_DRAIN_MS: '100', SHUTDOWN_TIMEOUT_MS: '600' });
    t.after(() => app.child.kill('SIGKILL'));
    const inFlight = get(app.port, '/?delayMs=5000').then(
      () => 'answered',
      () => 'cut',
    );
    await sleep(200);
    const signalledAt = performance.now();
    app.child.kill('SIGTERM');
    const [code] = await app.exited;
    assert.equal(code, 1);
    assert.ok(performance.now() - signalledAt < 4000, 'exited before the slow request would have ended');
    assert.equal(await inFlight, 'cut');
    assert.ok(app.logs.some((line) => line.msg === 'shutdown timed out: closing remaining connections'));
  });
});
