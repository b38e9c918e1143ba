import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { escapeXml, JUNIT_BEGIN, JUNIT_END, renderJUnit } from '../src/junit.js';
import { getJson, readSettings, runChecks } from '../src/suite.js';

const MAIN = fileURLToPath(new URL('../src/main.js', import.meta.url));

describe('JUnit XML', () => {
  test('escapes markup, quotes and characters XML cannot hold', () => {
    assert.equal(escapeXml(`a<b>&"c"'d'`), 'a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;');
    assert.equal(escapeXml('bell\u0007 esc\u001b tab\t nl\n'), 'bell\uFFFD esc\uFFFD tab\t nl\n');
    assert.equal(escapeXml('lone \uD800 pair \u{1F600}'), 'lone \uFFFD pair \u{1F600}');
    assert.equal(escapeXml(JUNIT_END), '&lt;!-- greenlight:junit:end --&gt;');
  });

  test('one testsuite per class, with counts, failures and skips', () => {
    const xml = renderJUnit(
      [
        { classname: 'svc-a', name: 'ok check', status: 'passed', timeMs: 12 },
        { classname: 'svc-b', name: 'bad <check>', status: 'failed', timeMs: 1500, message: 'x & y' },
        { classname: 'svc-a', name: 'skipped check', status: 'skipped', timeMs: 0, message: 'no color' },
      ],
      { name: 'suite', timestamp: '2026-01-02T03:04:05' },
    );
    assert.match(
      xml,
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="suite" tests="3" failures="1"/,
    );
    assert.match(xml, /<testsuite name="svc-a" tests="2" failures="0" errors="0" skipped="1" time="0.012"/);
    assert.match(
      xml,
      /<testcase classname="svc-b" name="bad &lt;check&gt;" time="1.500">\n {6}<failure message="x &amp; y"/,
    );
    assert.match(xml, /<skipped message="no color"\/>/);
    assert.equal(xml.match(/<testcase /g).length, 3);
    assert.ok(!xml.includes(JUNIT_BEGIN) && !xml.includes(JUNIT_END));
  });
});

describe('settings', () => {
  test('every GREENLIGHT_URL_* names a service', () => {
    const settings = readSettings({
      GREENLIGHT_URL_HELLO_B: 'http://b:8080',
      GREENLIGHT_URL_HELLO_A: 'http://a:8080',
      GREENLIGHT_URL_EMPTY: '',
      OTHER_URL: 'http://other',
    });
    assert.deepEqual(
      [...settings.targets],
      [
        ['hello-a', 'http://a:8080'],
        ['hello-b', 'http://b:8080'],
      ],
    );
    assert.equal(settings.attempts, 5);
    assert.equal(settings.junitFile, null);
  });
  test('nothing to test, a bad URL or a bad number is an error naming the variable', () => {
    assert.throws(() => readSettings({}), /no GREENLIGHT_URL_<SERVICE> variable is set/);
    assert.throws(() => readSettings({ GREENLIGHT_URL_X: 'nope' }), /GREENLIGHT_URL_X is not a URL/);
    assert.throws(
      () => readSettings({ GREENLIGHT_URL_X: 'http://x', GREENLIGHT_TEST_ATTEMPTS: '0' }),
      /GREENLIGHT_TEST_ATTEMPTS must be an integer/,
    );
  });
});

describe('retries and timeouts', () => {
  test('a check that fails twice then passes is passed; one that keeps failing stops at the limit', async () => {
    let calls = 0;
    const flaky = {
      classname: 's',
      name: 'flaky',
      run: async () => {
        calls += 1;
        if (calls < 3) throw new Error(`not yet (${calls})`);
      },
    };
    let broken = 0;
    const failing = {
      classname: 's',
      name: 'failing',
      run: async () => {
        broken += 1;
        throw new Error('still broken');
      },
    };
    const results = await runChecks([flaky, failing], { attempts: 4, retryDelayMs: 1 });
    assert.deepEqual(
      results.map((result) => [result.name, result.status]),
      [
        ['flaky', 'passed'],
        ['failing', 'failed'],
      ],
    );
    assert.equal(calls, 3);
    assert.equal(broken, 4);
    assert.equal(results[1].details, 'still broken\n(after 4 attempts)');
  });

  test('a request that gets no answer fails after the timeout', async (t) => {
    const silent = createServer(() => {}).listen(0, '127.0.0.1');
    await new Promise((resolve) => silent.once('listening', resolve));
    t.after(() => {
      silent.closeAllConnections();
      silent.close();
    });
    const startedAt = performance.now();
    await assert.rejects(
      getJson(`http://127.0.0.1:${silent.address().port}`, '/healthz', 200),
      /GET http:\/\/127\.0\.0\.1:\d+\/healthz failed: no answer within 200 ms/,
    );
    assert.ok(performance.now() - startedAt < 2000);
  });
});

test('without any URL the suite still reports JUnit and exits 1', async () => {
  const run = promisify(execFile);
  const error = await run(process.execPath, [MAIN], { env: { PATH: process.env.PATH } }).then(
    () => assert.fail('expected a non-zero exit'),
    (failure) => failure,
  );
  assert.equal(error.code, 1);
  const between = error.stdout.split(`${JUNIT_BEGIN}\n`)[1].split(JUNIT_END)[0];
  assert.match(between, /<testcase classname="configuration" name="settings"/);
  assert.match(between, /<failure message="no GREENLIGHT_URL_&lt;SERVICE&gt; variable is set/);
});
