// The checks: every service named by a GREENLIGHT_URL_<NAME> variable, and hello-b's call to
// hello-a. A check throws to fail; it is retried a bounded number of times, each HTTP request
// bounded by a timeout, because a preview Service may still be settling when the Job starts.

import { setTimeout as sleep } from 'node:timers/promises';

const URL_PREFIX = 'GREENLIGHT_URL_';

function integer(env, name, fallback, min, max) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** GREENLIGHT_URL_HELLO_A=http://... -> targets.get('hello-a'); plus retry and timeout settings. */
export function readSettings(env) {
  const targets = new Map();
  for (const [key, value] of Object.entries(env).sort(([a], [b]) => a.localeCompare(b))) {
    if (!key.startsWith(URL_PREFIX) || !value) continue;
    if (!URL.canParse(value)) throw new Error(`${key} is not a URL: ${JSON.stringify(value)}`);
    targets.set(key.slice(URL_PREFIX.length).toLowerCase().replaceAll('_', '-'), value);
  }
  if (targets.size === 0) throw new Error(`no ${URL_PREFIX}<SERVICE> variable is set: nothing to test`);
  return {
    targets,
    attempts: integer(env, 'GREENLIGHT_TEST_ATTEMPTS', 5, 1, 100),
    retryDelayMs: integer(env, 'GREENLIGHT_TEST_RETRY_DELAY_MS', 1000, 0, 60_000),
    timeoutMs: integer(env, 'GREENLIGHT_TEST_TIMEOUT_MS', 5000, 1, 120_000),
    junitFile: env.GREENLIGHT_JUNIT_FILE || null,
  };
}

/** GET base + path; resolves { status, body } with the body parsed as JSON (null if it is not). */
export async function getJson(base, path, timeoutMs) {
  const url = new URL(path.replace(/^\//, ''), base.endsWith('/') ? base : `${base}/`);
  let response;
  try {
    response = await fetch(url, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    let body = null;
    try {
      body = JSON.parse(text);
    } catch {}
    return { status: response.status, body, text };
  } catch (error) {
    const reason =
      error.name === 'TimeoutError'
        ? `no answer within ${timeoutMs} ms`
        : (error.cause?.code ?? error.cause?.message ?? error.message);
    throw new Error(`GET ${url.href} failed: ${reason}`);
  }
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

const describeAnswer = (answer) =>
  `HTTP ${answer.status}: ${answer.text.length > 300 ? `${answer.text.slice(0, 300)}...` : answer.text}`;

async function expectOk(base, path, timeoutMs) {
  const answer = await getJson(base, path, timeoutMs);
  expect(answer.status === 200, `GET ${path} answered ${describeAnswer(answer)}`);
  expect(answer.body !== null, `GET ${path} did not answer JSON: ${describeAnswer(answer)}`);
  return answer.body;
}

class Skip extends Error {}

/** The list of checks for these targets: { classname, name, run(): Promise<void> }. */
export function planChecks({ targets, timeoutMs }) {
  const checks = [];
  for (const [service, base] of targets) {
    checks.push(
      {
        classname: service,
        name: 'GET /healthz answers 200',
        run: () => expectOk(base, '/healthz', timeoutMs),
      },
      {
        classname: service,
        name: 'GET /readyz answers 200',
        run: () => expectOk(base, '/readyz', timeoutMs),
      },
      {
        classname: service,
        name: 'GET /version names the service',
        run: async () => {
          const version = await expectOk(base, '/version', timeoutMs);
          expect(version.service === service, `/version says service ${JSON.stringify(version.service)}`);
          for (const field of ['commit', 'branch', 'color']) {
            expect(field in version, `/version has no ${field} field`);
          }
        },
      },
    );
  }

  const a = targets.get('hello-a');
  const b = targets.get('hello-b');
  if (b) {
    checks.push({
      classname: 'hello-b',
      name: "GET / includes hello-a's answer",
      run: async () => {
        const answer = await getJson(b, '/', timeoutMs);
        expect(answer.status === 200, `hello-b could not get hello-a's answer: ${describeAnswer(answer)}`);
        const fromA = answer.body?.helloA;
        expect(fromA?.service === 'hello-a', `hello-b's answer has no helloA.service: ${answer.text}`);
        expect(typeof fromA.message === 'string', `hello-b's answer has no helloA.message: ${answer.text}`);
        if (a) {
          const direct = await expectOk(a, '/', timeoutMs);
          expect(
            fromA.message === direct.message,
            `hello-a answered ${JSON.stringify(direct.message)} directly but ${JSON.stringify(fromA.message)} through hello-b`,
          );
        }
      },
    });
    checks.push({
      classname: 'hello-b',
      name: 'hello-b calls hello-a on its own color',
      run: async () => {
        const answer = await expectOk(b, '/', timeoutMs);
        const colorB = (await expectOk(b, '/version', timeoutMs)).color;
        const colorA = a ? (await expectOk(a, '/version', timeoutMs)).color : null;
        if (!colorB) throw new Skip('hello-b reports no color (GREENLIGHT_COLOR unset)');
        expect(
          answer.helloA?.color === colorB,
          `hello-b is ${colorB} but the hello-a it called is ${JSON.stringify(answer.helloA?.color ?? null)}`,
        );
        if (colorA) expect(colorA === colorB, `hello-b is ${colorB} but hello-a under test is ${colorA}`);
      },
    });
  }
  return checks;
}

/** Runs each check up to `attempts` times; reports each result as it is known. */
export async function runChecks(checks, { attempts, retryDelayMs }, report = () => {}) {
  const results = [];
  for (const check of checks) {
    const started = performance.now();
    let result;
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      try {
        await check.run();
        result = { status: 'passed' };
        break;
      } catch (error) {
        if (error instanceof Skip) {
          result = { status: 'skipped', message: error.message };
          break;
        }
        result = {
          status: 'failed',
          message: error.message,
          details: `${error.message}\n(after ${attempt} attempt${attempt === 1 ? '' : 's'})`,
        };
        if (attempt < attempts) await sleep(retryDelayMs);
      }
    }
    const done = {
      classname: check.classname,
      name: check.name,
      timeMs: performance.now() - started,
      ...result,
    };
    results.push(done);
    report(done);
  }
  return results;
}
