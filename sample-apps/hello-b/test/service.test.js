import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, request } from 'node:http';
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

/**
 * A stand-in for hello-a (this repository does not have hello-a's code): answers `/` the way
 * hello-a does, or as `behaviour` says, and records the requests it got.
 */
async function startStandInA() {
  const stand = { behaviour: 'ok', requests: [] };
  stand.server = createServer((req, res) => {
    stand.requests.push({ url: req.url, requestId: req.headers['x-request-id'] });
    if (stand.behaviour === 'slow') return void setTimeout(() => res.end('{}'), 3000).unref();
    if (stand.behaviour === 'error') return void res.writeHead(500).end('{"error":"boom"}');
    if (stand.behaviour === 'html') return void res.end('<html>');
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ service: 'hello-a', message: 'hi from the stand-in', color: 'green' }));
  });
  await new Promise((resolve) => stand.server.listen(0, '127.0.0.1', resolve));
  stand.url = `http://127.0.0.1:${stand.server.address().port}`;
  return stand;
}

/** A port on which nothing listens: bound, then released. */
async function deadPort() {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  await once(server, 'close');
  return port;
}

describe('endpoints', () => {
  const lines = [];
  let stand;
  const services = [];
  /** hello-b with this environment, on a free port. */
  async function startB(env) {
    const service = createService(
      readConfig({ GREENLIGHT_COLOR: 'green', ...env }),
      createLogger((line) => lines.push(JSON.parse(line))),
    );
    services.push(service);
    return service.listen(0, '127.0.0.1');
  }
  before(async () => {
    stand = await startStandInA();
  });
  after(() => {
    stand.server.close();
    for (const service of services) service.server.close();
  });

  test('/healthz, /readyz and /version', async () => {
    const port = await startB({ GREENLIGHT_COMMIT: 'c0ffee', GREENLIGHT_BRANCH: 'main' });
    assert.deepEqual((await get(port, '/healthz')).body, { status: 'ok' });
    assert.equal((await get(port, '/readyz')).status, 200);
    const { body } = await get(port, '/version');
    assert.equal(body.service, 'hello-b');
    assert.deepEqual([body.commit, body.branch, body.color, body.digest], ['c0ffee', 'main', 'green', null]);
  });

  test("/ includes hello-a's answer and passes the request id on", async () => {
    const port = await startB({ GREENLIGHT_URL_HELLO_A: stand.url });
    stand.behaviour = 'ok';
    const { status, body, headers } = await get(port, '/');
    assert.equal(status, 200);
    assert.equal(body.service, 'hello-b');
    assert.equal(body.message, 'hello from b');
    assert.equal(body.color, 'green');
    assert.deepEqual(body.helloA, { service: 'hello-a', message: 'hi from the stand-in', color: 'green' });
    assert.equal(stand.requests.at(-1).url, '/');
    assert.equal(stand.requests.at(-1).requestId, headers['x-request-id']);
  });

  test('hello-a unreachable: a clear 502 in JSON, and a log line', async () => {
    const port = await startB({ GREENLIGHT_URL_HELLO_A: `http://127.0.0.1:${await deadPort()}` });
    const { status, body } = await get(port, '/');
    assert.equal(status, 502);
    assert.equal(body.upstream, 'hello-a');
    assert.match(body.error, /^hello-a at http:\/\/127\.0\.0\.1:\d+\/ is unreachable: ECONNREFUSED$/);
    assert.ok(lines.some((line) => line.msg === 'hello-a call failed' && line.level === 'warn'));
  });

  test('hello-a too slow: 502 after HELLO_A_TIMEOUT_MS, not later', async () => {
    const port = await startB({ GREENLIGHT_URL_HELLO_A: stand.url, HELLO_A_TIMEOUT_MS: '300' });
    stand.behaviour = 'slow';
    const startedAt = performance.now();
    const { status, body } = await get(port, '/');
    const elapsed = performance.now() - startedAt;
    assert.equal(status, 502);
    assert.match(body.error, /did not answer within 300 ms$/);
    assert.ok(elapsed >= 290 && elapsed < 2500, `answered after ${elapsed} ms`);
  });

  test('hello-a answering an error or not JSON: 502 saying so', async () => {
    const port = await startB({ GREENLIGHT_URL_HELLO_A: stand.url });
    stand.behaviour = 'error';
    assert.match((await get(port, '/')).body.error, /answered HTTP 500$/);
    stand.behaviour = 'html';
    assert.match((await get(port, '/')).body.error, /answered with something other than JSON$/);
  });

  test('no hello-a URL configured: 502 naming the variable', async () => {
    const port = await startB({});
    const { status, body } = await get(port, '/');
    assert.equal(status, 502);
    assert.match(body.error, /GREENLIGHT_URL_HELLO_A/);
  });
});

describe('configuration', () => {
  test('GREENLIGHT_URL_HELLO_A wins over HELLO_A_URL, which is the fallback', () => {
    const both = readConfig({ GREENLIGHT_URL_HELLO_A: 'http://a-green:8080', HELLO_A_URL: 'http://a:1' });
    assert.equal(both.helloAUrl, 'http://a-green:8080');
    assert.equal(readConfig({ HELLO_A_URL: 'http://a:1' }).helloAUrl, 'http://a:1');
    assert.equal(readConfig({}).helloAUrl, null);
  });
  test('rejects bad values with the variable name', () => {
    assert.throws(() => readConfig({ GREENLIGHT_URL_HELLO_A: 'not a url' }), /is not a URL/);
    assert.throws(() => readConfig({ HELLO_A_TIMEOUT_MS: '0' }), /HELLO_A_TIMEOUT_MS must be an integer/);
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
    logs.push(JSON.parse(line));
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
    const stand = await startStandInA();
    t.after(() => stand.server.close());
    const app = await startProcess({
      HELLO_A_URL: stand.url,
      SHUTDOWN_DRAIN_MS: '1500',
      SHUTDOWN_TIMEOUT_MS: '10000',
    });
    t.after(() => app.child.kill('SIGKILL'));

    const inFlight = get(app.port, '/?delayMs=4000');
    await sleep(200); // the slow request has reached the server (loopback)
    app.child.kill('SIGTERM');
    await app.waitForLog('shutdown started');

    assert.equal((await get(app.port, '/readyz')).status, 503);
    const duringDrain = await get(app.port, '/healthz');
    assert.equal(duringDrain.status, 200);
    assert.equal(duringDrain.headers.connection, 'close');

    await app.waitForLog('drain delay over: listener closed, finishing in-flight requests');
    await assert.rejects(get(app.port, '/healthz'), { code: 'ECONNREFUSED' });

    const slow = await inFlight;
    assert.equal(slow.status, 200);
    assert.equal(slow.body.helloA.message, 'hi from the stand-in');
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
});
