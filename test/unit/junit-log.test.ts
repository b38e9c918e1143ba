/**
 * The JUnit report inside a log, between the sample suite's markers: the markers are the
 * suite's own, and the real suite's output (run as a process against a local stand-in of
 * hello-a, passing and failing) reads back to the totals the suite itself printed.
 */
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractJUnitFromLog, JUNIT_LOG_BEGIN, JUNIT_LOG_END } from '../../src/core/junit/log.ts';
import { JUnitError, parseJUnit } from '../../src/core/junit/parse.ts';

const SUITE = new URL('../../sample-apps/integration-tests/src/main.js', import.meta.url).pathname;
const SUITE_JUNIT = new URL('../../sample-apps/integration-tests/src/junit.js', import.meta.url).href;

function runSuite(env: Record<string, string>): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [SUITE],
      {
        timeout: 30_000,
        env: {
          PATH: process.env.PATH ?? '',
          GREENLIGHT_TEST_ATTEMPTS: '1',
          GREENLIGHT_TEST_RETRY_DELAY_MS: '0',
          GREENLIGHT_TEST_TIMEOUT_MS: '2000',
          ...env,
        },
      },
      (error, stdout) => resolve({ code: error ? (error.code as number) : 0, stdout }),
    );
  });
}

/** A stand-in for hello-a on 127.0.0.1: the three endpoints the suite checks. */
let helloA: Server;
let helloAUrl = '';
beforeAll(async () => {
  helloA = createServer((request, response) => {
    const bodies: Record<string, object> = {
      '/healthz': { ok: true },
      '/readyz': { ready: true },
      '/version': { service: 'hello-a', commit: 'abc', branch: 'master', color: 'green' },
    };
    const body = bodies[request.url ?? ''];
    response.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body ?? { error: 'not found' }));
  });
  helloA.listen(0, '127.0.0.1');
  await once(helloA, 'listening');
  helloAUrl = `http://127.0.0.1:${(helloA.address() as AddressInfo).port}`;
});
afterAll(() => helloA.close());

/** The suite's own closing line, `N passed, N failed, N skipped`. */
function closingLine(stdout: string) {
  const match = /^(\d+) passed, (\d+) failed, (\d+) skipped$/m.exec(stdout);
  if (!match) throw new Error(`no closing line in:\n${stdout}`);
  return { passed: Number(match[1]), failures: Number(match[2]), skipped: Number(match[3]) };
}

describe('the sample suite’s report, read from its stdout', () => {
  it('uses exactly the markers the sample suite prints', async () => {
    const sample = (await import(SUITE_JUNIT)) as { JUNIT_BEGIN: string; JUNIT_END: string };
    expect([JUNIT_LOG_BEGIN, JUNIT_LOG_END]).toEqual([sample.JUNIT_BEGIN, sample.JUNIT_END]);
  });

  it('a passing run: the totals match the suite’s own count', async () => {
    const run = await runSuite({ GREENLIGHT_URL_HELLO_A: helloAUrl });
    expect(run.code).toBe(0);
    const extracted = extractJUnitFromLog(run.stdout, 'stdout of the suite');
    if (!extracted.found) throw new Error('no report found');
    const report = parseJUnit(extracted.xml, { source: 'stdout of the suite' });
    expect(report.totals).toMatchObject({ tests: 3, errors: 0, ...closingLine(run.stdout) });
    expect(report.cases.map((testCase) => [testCase.classname, testCase.name, testCase.status])).toEqual([
      ['hello-a', 'GET /healthz answers 200', 'passed'],
      ['hello-a', 'GET /readyz answers 200', 'passed'],
      ['hello-a', 'GET /version names the service', 'passed'],
    ]);
    expect(report.warnings).toEqual([]);
  });

  it('a failing run (nothing listens): three failures with the suite’s messages', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    await once(closed, 'close');
    const run = await runSuite({ GREENLIGHT_URL_HELLO_A: `http://127.0.0.1:${port}` });
    expect(run.code).toBe(1);
    const extracted = extractJUnitFromLog(run.stdout, 'stdout');
    if (!extracted.found) throw new Error('no report found');
    const report = parseJUnit(extracted.xml, { source: 'stdout' });
    expect(report.totals).toMatchObject({ tests: 3, ...closingLine(run.stdout), failures: 3 });
    expect(report.cases[0]).toMatchObject({
      status: 'failed',
      type: 'AssertionError',
      message: `GET http://127.0.0.1:${port}/healthz failed: ECONNREFUSED`,
      details: `GET http://127.0.0.1:${port}/healthz failed: ECONNREFUSED\n(after 1 attempt)`,
    });
  });

  it('a run with no URL at all: the suite reports its configuration failure', async () => {
    const run = await runSuite({});
    const extracted = extractJUnitFromLog(run.stdout, 'stdout');
    if (!extracted.found) throw new Error('no report found');
    const report = parseJUnit(extracted.xml, { source: 'stdout' });
    expect(report.cases).toEqual([
      expect.objectContaining({
        classname: 'configuration',
        status: 'failed',
        message: 'no GREENLIGHT_URL_<SERVICE> variable is set: nothing to test',
      }),
    ]);
  });
});

describe('extractJUnitFromLog', () => {
  const report = (name: string) => `<testsuite><testcase name="${name}"/></testsuite>`;

  it('finds the XML between marker lines, with its first line number', () => {
    const log = ['starting', JUNIT_LOG_BEGIN, report('a'), JUNIT_LOG_END, 'done'].join('\n');
    expect(extractJUnitFromLog(log, 'log')).toEqual({ found: true, xml: report('a'), line: 3 });
  });

  it('CRLF line ends and markers with surrounding blanks', () => {
    const log = ['x', `  ${JUNIT_LOG_BEGIN}\t`, report('a'), JUNIT_LOG_END, ''].join('\r\n');
    expect(extractJUnitFromLog(log, 'log')).toMatchObject({ found: true, xml: report('a') });
  });

  it('two reports (the tests ran twice): the last complete one', () => {
    const log = [
      JUNIT_LOG_BEGIN,
      report('first'),
      JUNIT_LOG_END,
      JUNIT_LOG_BEGIN,
      report('second'),
      JUNIT_LOG_END,
    ];
    expect(extractJUnitFromLog(log.join('\n'), 'log')).toMatchObject({ xml: report('second'), line: 5 });
  });

  it('no markers: not found, as a value', () => {
    expect(extractJUnitFromLog('just output\n', 'log')).toEqual({ found: false, reason: 'no-markers' });
    expect(extractJUnitFromLog(`an end marker alone\n${JUNIT_LOG_END}\n`, 'log')).toEqual({
      found: false,
      reason: 'no-markers',
    });
  });

  it('a marker inside a line is output, not a marker', () => {
    expect(
      extractJUnitFromLog(`echo ${JUNIT_LOG_BEGIN}\n${report('a')}\n${JUNIT_LOG_END}\n`, 'log').found,
    ).toBe(false);
  });

  it('a begin marker that never ends is a cut log: an error naming the line', () => {
    const log = ['a', JUNIT_LOG_BEGIN, '<testsuite><testcase name="a"/>'].join('\n');
    expect(() => extractJUnitFromLog(log, 'the log of pod t-1')).toThrow(JUnitError);
    expect(() => extractJUnitFromLog(log, 'the log of pod t-1')).toThrow(
      `the log of pod t-1: line 2 begins a JUnit report (${JUNIT_LOG_BEGIN}) that never ends (${JUNIT_LOG_END}); the log was cut`,
    );
  });
});
