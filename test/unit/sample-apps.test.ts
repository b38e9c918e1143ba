/**
 * The sample apps (sample-apps/): each app's own node:test suite, and the integration-test
 * suite run against hello-a and hello-b started as local processes on 127.0.0.1, passing and
 * then failing once hello-b can no longer reach hello-a.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SAMPLE_APPS = fileURLToPath(new URL('../../sample-apps/', import.meta.url));
const BEGIN = '<!-- greenlight:junit:begin -->';
const END = '<!-- greenlight:junit:end -->';

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs Node (the one running this test: 24) with these arguments; never rejects. */
function runNode(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs: number }) {
  return new Promise<RunResult>((resolve) => {
    execFile(
      process.execPath,
      args,
      { cwd: options.cwd, env: options.env ?? { PATH: process.env.PATH }, timeout: options.timeoutMs },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

interface TestCase {
  classname: string;
  name: string;
  failure: string | null;
  skipped: boolean;
}

const unescapeXml = (text: string) =>
  text.replace(/&(lt|gt|quot|apos|amp);/g, (_, entity: string) => {
    const chars: Record<string, string> = { lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' };
    return chars[entity] ?? '';
  });

function attributes(text: string): Record<string, string> {
  return Object.fromEntries(
    [...text.matchAll(/([\w.-]+)="([^"]*)"/g)].map(([, k = '', v = '']) => [k, unescapeXml(v)]),
  );
}

/** The JUnit XML between the markers in the suite's output: root counts and every testcase. */
function parseJUnit(stdout: string) {
  const begin = stdout.indexOf(`${BEGIN}\n`);
  const end = stdout.indexOf(END);
  expect(begin, 'begin marker').toBeGreaterThanOrEqual(0);
  expect(end, 'end marker').toBeGreaterThan(begin);
  const xml = stdout.slice(begin + BEGIN.length + 1, end);
  const root = attributes(/<testsuites\s([^>]*)>/.exec(xml)?.[1] ?? '');
  const cases: TestCase[] = [];
  for (const match of xml.matchAll(/<testcase\s([^>]*?)(?:\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const attrs = attributes(match[1] ?? '');
    const body = match[2] ?? '';
    const failure = /<failure\s([^>]*)>/.exec(body);
    cases.push({
      classname: attrs.classname ?? '',
      name: attrs.name ?? '',
      failure: failure ? (attributes(failure[1] ?? '').message ?? '') : null,
      skipped: body.includes('<skipped'),
    });
  }
  return { xml, tests: Number(root.tests), failures: Number(root.failures), cases };
}

describe.each(['hello-a', 'hello-b', 'integration-tests', 'switch-probe'])(
  '%s: its own node:test suite',
  (app) => {
    it('passes', async () => {
      const result = await runNode(['--test', '--test-reporter=tap'], {
        cwd: join(SAMPLE_APPS, app),
        env: { PATH: process.env.PATH },
        timeoutMs: 120_000,
      });
      const pass = Number(/^# pass (\d+)$/m.exec(result.stdout)?.[1]);
      const fail = Number(/^# fail (\d+)$/m.exec(result.stdout)?.[1]);
      expect({ code: result.code, fail }, result.stdout.slice(-3000) + result.stderr).toEqual({
        code: 0,
        fail: 0,
      });
      expect(pass).toBeGreaterThanOrEqual(5);
    }, 150_000);
  },
);

interface RunningApp {
  child: ChildProcess;
  url: string;
  exited: Promise<unknown[]>;
}

/** Starts sample-apps/<app>/src/main.js on 127.0.0.1 and a free port; resolves once it listens. */
async function startApp(app: string, env: Record<string, string>): Promise<RunningApp> {
  const child = spawn(process.execPath, [join(SAMPLE_APPS, app, 'src/main.js')], {
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit');
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${app} did not log "listening" within 10 s`)), 10_000);
    lines.on('line', (line) => {
      const entry = JSON.parse(line) as { msg?: string; port?: number };
      if (entry.msg === 'listening' && entry.port) {
        clearTimeout(timer);
        resolve(entry.port);
      }
    });
    child.once('exit', (code) => reject(new Error(`${app} exited with ${code} before listening`)));
  });
  return { child, url: `http://127.0.0.1:${port}`, exited };
}

describe('integration-tests against hello-a and hello-b as local processes', () => {
  const apps: RunningApp[] = [];
  let a: RunningApp;
  let b: RunningApp;
  let workDir: string;
  const suite = (env: Record<string, string>) =>
    runNode([join(SAMPLE_APPS, 'integration-tests/src/main.js')], {
      env: { PATH: process.env.PATH, ...env },
      timeoutMs: 60_000,
    });

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'greenlight-sample-apps-'));
    const identity = { GREENLIGHT_COLOR: 'blue', GREENLIGHT_BRANCH: 'main', SHUTDOWN_DRAIN_MS: '0' };
    a = await startApp('hello-a', { ...identity, GREENLIGHT_COMMIT: 'aaaa111' });
    apps.push(a);
    b = await startApp('hello-b', {
      ...identity,
      GREENLIGHT_COMMIT: 'bbbb222',
      GREENLIGHT_URL_HELLO_A: a.url,
    });
    apps.push(b);
  });
  afterAll(() => {
    for (const app of apps) app.child.kill('SIGKILL');
    rmSync(workDir, { recursive: true, force: true });
  });

  it('passes, printing JUnit between the markers and writing the same to GREENLIGHT_JUNIT_FILE', async () => {
    const junitFile = join(workDir, 'reports/junit.xml');
    const result = await suite({
      GREENLIGHT_URL_HELLO_A: a.url,
      GREENLIGHT_URL_HELLO_B: b.url,
      GREENLIGHT_JUNIT_FILE: junitFile,
    });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const report = parseJUnit(result.stdout);
    expect(report.failures).toBe(0);
    expect(report.tests).toBe(report.cases.length);
    expect(report.cases.map((c) => `${c.classname}: ${c.name}`).sort()).toEqual([
      'hello-a: GET /healthz answers 200',
      'hello-a: GET /readyz answers 200',
      'hello-a: GET /version names the service',
      "hello-b: GET / includes hello-a's answer",
      'hello-b: GET /healthz answers 200',
      'hello-b: GET /readyz answers 200',
      'hello-b: GET /version names the service',
      'hello-b: hello-b calls hello-a on its own color',
    ]);
    expect(report.cases.filter((c) => c.failure !== null || c.skipped)).toEqual([]);
    expect(readFileSync(junitFile, 'utf8')).toBe(report.xml);
  });

  it('fails, naming the b -> a check, once hello-a is stopped', async () => {
    a.child.kill('SIGTERM');
    const [code] = await a.exited;
    expect(code).toBe(0);

    const result = await suite({
      GREENLIGHT_URL_HELLO_A: a.url,
      GREENLIGHT_URL_HELLO_B: b.url,
      GREENLIGHT_TEST_ATTEMPTS: '2',
      GREENLIGHT_TEST_RETRY_DELAY_MS: '50',
    });
    expect(result.code, result.stdout + result.stderr).toBe(1);
    const report = parseJUnit(result.stdout);
    const failed = report.cases.filter((c) => c.failure !== null);
    expect(report.failures).toBe(failed.length);
    const bToA = report.cases.find(
      (c) => c.classname === 'hello-b' && c.name === "GET / includes hello-a's answer",
    );
    expect(bToA?.failure).toMatch(
      /^hello-b could not get hello-a's answer: HTTP 502: .*is unreachable: ECONNREFUSED/,
    );
    // hello-b itself is fine; hello-a's own checks fail because nothing listens there.
    const bHealth = report.cases.find(
      (c) => c.classname === 'hello-b' && c.name === 'GET /healthz answers 200',
    );
    expect(bHealth?.failure).toBeNull();
    expect(failed.filter((c) => c.classname === 'hello-a').map((c) => c.failure)).toEqual([
      expect.stringMatching(/ECONNREFUSED$/),
      expect.stringMatching(/ECONNREFUSED$/),
      expect.stringMatching(/ECONNREFUSED$/),
    ]);
  });
});
