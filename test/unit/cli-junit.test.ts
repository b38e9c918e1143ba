/** `greenlight junit`: the parser and the summary renderer from outside, through the CLI's main(). */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';

const FIXTURES = 'test/fixtures/junit';
const work = mkdtempSync(join(tmpdir(), 'greenlight-cli-junit-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('greenlight junit', () => {
  it('is listed by --help and prints its usage', async () => {
    expect((await runCli(['--help'])).stdout).toMatch(
      /\n {2}junit {5}print the totals and failed cases of JUnit XML reports/,
    );
    expect((await runCli(['junit', '--help'])).stdout).toBe(
      'print the totals and failed cases of JUnit XML reports; exit 1 when one is unreadable or a test failed\n\nUsage: greenlight junit FILE... [--json]\n',
    );
  });

  it('a report with a failure: totals and the failure, exit 1', async () => {
    const run = await runCli(['junit', `${FIXTURES}/tools/go-junit-report.xml`]);
    expect(run).toEqual({
      code: 1,
      stderr: '',
      stdout: `${FIXTURES}/tools/go-junit-report.xml: 6 tests: 3 passed, 1 failed, 1 error, 1 skipped, 0.53 s

FAILED: example.com/shop/cart › TestRounding
    Failed

    cart_test.go:42: Round(0.125) = 0.12, want 0.13

ERRORED: example.com/shop/payments › [build failed]
    Build error

    payments/client.go:17:2: undefined: retryPolicy
`,
    });
  });

  it('a passing report: exit 0', async () => {
    const run = await runCli(['junit', `${FIXTURES}/tools/pytest-legacy.xml`]);
    expect(run).toEqual({
      code: 0,
      stderr: '',
      stdout: `${FIXTURES}/tools/pytest-legacy.xml: 3 tests: 2 passed, 0 failed, 0 errors, 1 skipped, 0.05 s\n`,
    });
  });

  it.each([
    ['tools/jest-junit.xml', { tests: 6, failures: 1, errors: 0, skipped: 1 }, 1],
    ['tools/pytest.xml', { tests: 7, failures: 1, errors: 1, skipped: 2 }, 1],
    [
      'tools/surefire-TEST-com.example.shop.OrderServiceTest.xml',
      { tests: 5, failures: 1, errors: 1, skipped: 1 },
      1,
    ],
    ['tools/mocha-junit-reporter.xml', { tests: 4, failures: 1, errors: 0, skipped: 0 }, 1],
    ['odd/nested-suites.xml', { tests: 6, failures: 1, errors: 0, skipped: 0 }, 1],
    ['odd/single-quotes.xml', { tests: 2, failures: 0, errors: 0, skipped: 1 }, 0],
    ['odd/suite-error.xml', { tests: 1, failures: 0, errors: 0, skipped: 0, suiteErrors: 1 }, 1],
  ])('--json %s', async (file, counts, code) => {
    const run = await runCli(['junit', '--json', `${FIXTURES}/${file}`]);
    expect(run.code).toBe(code);
    const json = JSON.parse(run.stdout);
    expect(json).toMatchObject({ ...counts, ok: code === 0 });
    expect(json.error).toBeUndefined();
  });

  it('--json lists the failed cases with their text', async () => {
    const json = JSON.parse(
      (await runCli(['junit', '--json', `${FIXTURES}/tools/mocha-junit-reporter.xml`])).stdout,
    );
    expect(json.failed).toEqual([
      {
        file: `${FIXTURES}/tools/mocha-junit-reporter.xml`,
        kind: 'failed',
        title: 'GET /users pages with ?page=',
        text: 'expected 2 to equal 3\n\nAssertionError: expected 2 to equal 3\n    at Context.<anonymous> (test/api.spec.js:22:31)\n    at process.processImmediate (node:internal/timers:483:21)',
      },
    ]);
  });

  it.each([
    [
      'bad/truncated-cdata.xml',
      `${FIXTURES}/bad/truncated-cdata.xml:3:21: the XML ends before it is complete (a truncated file?): unclosed tag: failure`,
    ],
    [
      'bad/billion-laughs.xml',
      `${FIXTURES}/bad/billion-laughs.xml:13:2: the report has a DOCTYPE declaration; Greenlight reads no DTD and expands no entities`,
    ],
    ['bad/empty.xml', `${FIXTURES}/bad/empty.xml: the report is empty`],
    ['nope.xml', `${FIXTURES}/nope.xml: file not found`],
  ])('--json of an unreadable %s: zero counts and the error, exit 1', async (file, error) => {
    const run = await runCli(['junit', '--json', `${FIXTURES}/${file}`]);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({
      tests: 0,
      failures: 0,
      errors: 0,
      skipped: 0,
      ok: false,
      error,
      files: [{ file: `${FIXTURES}/${file}`, error }],
    });
  });

  it('text for an unreadable file: the error and its hint on stderr, exit 1', async () => {
    const run = await runCli(['junit', `${FIXTURES}/bad/html.xml`]);
    expect(run).toEqual({
      code: 1,
      stdout: '',
      stderr: `greenlight junit: ${FIXTURES}/bad/html.xml:1:6: expected a <testsuites> or <testsuite> root element, found <html>\n  hint: the test run must write JUnit XML (<testsuites> or <testsuite> at the root); an unreadable report counts as a failed run\n`,
    });
  });

  it('several files: each, then the total; one unreadable file is counted out and fails the command', async () => {
    const files = [`${FIXTURES}/tools/pytest-legacy.xml`, `${FIXTURES}/odd/lone-testsuite.xml`];
    const both = await runCli(['junit', ...files]);
    expect(both.code).toBe(0);
    expect(both.stdout.split('\n').at(-2)).toBe(
      'total: 5 tests: 4 passed, 0 failed, 0 errors, 1 skipped, 0.55 s',
    );
    const withBad = await runCli(['junit', '--json', ...files, `${FIXTURES}/bad/xxe.xml`]);
    expect(withBad.code).toBe(1);
    const json = JSON.parse(withBad.stdout);
    expect(json).toMatchObject({ tests: 5, passed: 4, skipped: 1, ok: false });
    expect(
      json.files.map((entry: { file: string; tests?: number; error?: string }) => entry.tests ?? 'error'),
    ).toEqual([3, 2, 'error']);
    expect(json.error).toMatch(
      /^test\/fixtures\/junit\/bad\/xxe\.xml:4:2: the report has a DOCTYPE declaration/,
    );
  });

  it('a saved log with the report markers is read between them', async () => {
    const xml = readFileSync(`${FIXTURES}/tools/jest-junit.xml`, 'utf8');
    const log = join(work, 'pod.log');
    writeFileSync(
      log,
      `greenlight integration tests: hello-a=http://x\nok   hello-a: GET /healthz answers 200\n<!-- greenlight:junit:begin -->\n${xml}<!-- greenlight:junit:end -->\n1 passed, 0 failed, 0 skipped\n`,
    );
    const json = JSON.parse((await runCli(['junit', '--json', log])).stdout);
    expect(json).toMatchObject({ tests: 6, failures: 1, skipped: 1 });
    expect(json.failed[0].file).toBe(`${log} (report from line 4)`);
  });

  it('usage errors: no file, an unknown option (exit 2)', async () => {
    expect(await runCli(['junit'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'expected at least one FILE\nUsage: greenlight junit FILE... [--json]\n',
    });
    const unknown = await runCli(['junit', '--xml', 'a.xml']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^Unknown option '--xml'/);
  });
});
