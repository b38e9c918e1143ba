/**
 * The JUnit parser on a corpus of reports written the way real tools write them
 * (test/fixtures/junit/tools), the odd cases of FACTS.md (odd/) and broken ones (bad/).
 * Expected totals were counted by hand from the files.
 */
import { describe, expect, it } from 'vitest';
import { mergeJUnitReports } from '../../src/core/junit/merge.ts';
import { JUnitError, parseJUnit, tryParseJUnit } from '../../src/core/junit/parse.ts';
import { parseJUnitTime } from '../../src/core/junit/time.ts';
import { type JUnitCase, type JUnitReport, junitPassed } from '../../src/core/junit/types.ts';
import { readJUnitFile } from '../../src/disk/junit-file.ts';

const FIXTURES = new URL('../fixtures/junit/', import.meta.url).pathname;
const read = (file: string) => readJUnitFile(FIXTURES, file);
const caseNamed = (report: JUnitReport, name: string): JUnitCase => {
  const found = report.cases.find((testCase) => testCase.name === name);
  if (!found) throw new Error(`no case ${name} in ${report.source}`);
  return found;
};

describe('totals of real tools’ reports, counted from <testcase> elements', () => {
  it.each([
    ['tools/jest-junit.xml', { tests: 6, passed: 4, failures: 1, errors: 0, skipped: 1, flaky: 0 }],
    ['tools/pytest.xml', { tests: 7, passed: 3, failures: 1, errors: 1, skipped: 2, flaky: 0 }],
    ['tools/pytest-legacy.xml', { tests: 3, passed: 2, failures: 0, errors: 0, skipped: 1, flaky: 0 }],
    [
      'tools/surefire-TEST-com.example.shop.OrderServiceTest.xml',
      { tests: 5, passed: 2, failures: 1, errors: 1, skipped: 1, flaky: 1 },
    ],
    ['tools/go-junit-report.xml', { tests: 6, passed: 3, failures: 1, errors: 1, skipped: 1, flaky: 0 }],
    ['tools/mocha-junit-reporter.xml', { tests: 4, passed: 3, failures: 1, errors: 0, skipped: 0, flaky: 0 }],
  ])('%s', (file, totals) => {
    const report = read(file);
    expect(report.totals).toMatchObject(totals);
    expect(report.cases).toHaveLength(totals.tests);
    expect(junitPassed(report)).toBe(totals.failures + totals.errors === 0);
  });

  it('jest-junit: a failure with only a body keeps the body as details', () => {
    const failed = caseNamed(read('tools/jest-junit.xml'), 'cart totals applies a discount code');
    expect(failed).toMatchObject({ status: 'failed', suite: ['cart totals'], timeSeconds: 0.011 });
    expect(failed.message).toBeUndefined();
    expect(failed.details?.split('\n')[0]).toBe(
      'Error: expect(received).toBe(expected) // Object.is equality',
    );
    expect(read('tools/jest-junit.xml').totals.timeSeconds).toBe(2.317);
  });

  it('pytest: message with newline references, skipped with a type, a setup error with its captured log', () => {
    const report = read('tools/pytest.xml');
    expect(caseNamed(report, 'test_cancel_order').message).toBe(
      "AssertionError: assert 'open' == 'cancelled'\n  - cancelled\n  + open",
    );
    expect(caseNamed(report, 'test_cancel_order').details).toContain(
      '>       assert client.get(f"/orders/{order[\'id\']}").json["state"] == "cancelled"',
    );
    expect(caseNamed(report, 'test_capture')).toMatchObject({ status: 'skipped', type: 'pytest.xfail' });
    expect(caseNamed(report, 'test_webhook')).toMatchObject({
      status: 'errored',
      message: 'failed on setup with "ConnectionRefusedError: [Errno 111] Connection refused"',
      classname: 'tests.test_payments',
    });
    expect(caseNamed(report, 'test_webhook').systemOut).toContain('connecting to 127.0.0.1:9');
    // pytest's `tests` attribute excludes... nothing here: the file was trimmed by hand, and the count wins.
    expect(report.warnings).toEqual([
      "the report's attributes disagree with its <testcase> elements: tests=6 (counted 7); the counted numbers are used",
    ]);
  });

  it('pytest before 5.1: a lone <testsuite> root with `skips`, no warning', () => {
    expect(read('tools/pytest-legacy.xml').warnings).toEqual([]);
  });

  it('surefire: flakyFailure passes (flaky), rerunFailure with a failure fails, time with a thousands comma', () => {
    const report = read('tools/surefire-TEST-com.example.shop.OrderServiceTest.xml');
    expect(caseNamed(report, 'retriesPayment')).toMatchObject({ status: 'passed', flakyRuns: 1 });
    expect(caseNamed(report, 'retriesPayment').details).toBeUndefined();
    expect(caseNamed(report, 'rejectsNegativeQuantity')).toMatchObject({
      status: 'failed',
      flakyRuns: 1,
      type: 'org.opentest4j.AssertionFailedError',
      systemOut: 'quantity=-1',
    });
    expect(caseNamed(report, 'loadsFixtures').status).toBe('errored');
    expect(report.totals.timeSeconds).toBe(1204.331);
    expect(report.warnings).toEqual([]);
  });

  it('go-junit-report: a build failure is an errored case; suite system-out is kept', () => {
    const report = read('tools/go-junit-report.xml');
    expect(caseNamed(report, '[build failed]')).toMatchObject({
      status: 'errored',
      message: 'Build error',
      details: 'payments/client.go:17:2: undefined: retryPolicy',
      suite: ['example.com/shop/payments'],
    });
    expect(report.suites.map((suite) => [suite.name, suite.tests, suite.failures, suite.errors])).toEqual([
      ['example.com/shop/cart', 4, 1, 0],
      ['example.com/shop/payments', 1, 0, 1],
      ['example.com/shop/api', 1, 0, 0],
    ]);
    expect(report.suites[0]?.systemOut).toBe('FAIL\ncoverage: 71.2% of statements');
    expect(report.warnings).toEqual([]);
  });

  it('mocha: the empty Root Suite is a suite with no cases', () => {
    const report = read('tools/mocha-junit-reporter.xml');
    expect(report.suites.map((suite) => [suite.name, suite.tests])).toEqual([
      ['Root Suite', 0],
      ['GET /users', 3],
      ['health', 1],
    ]);
    expect(caseNamed(report, 'GET /users pages with ?page=').details).toContain(
      'at Context.<anonymous> (test/api.spec.js:22:31)',
    );
  });

  it('merging several reports adds their totals and keeps every case', () => {
    const merged = mergeJUnitReports([read('tools/jest-junit.xml'), read('tools/pytest.xml')], 'two reports');
    expect(merged.totals).toEqual({
      tests: 13,
      passed: 7,
      failures: 2,
      errors: 1,
      skipped: 3,
      flaky: 0,
      timeSeconds: 2.317 + 0.412,
    });
    expect(merged.cases).toHaveLength(13);
    expect(merged.warnings).toEqual([
      "tools/pytest.xml: the report's attributes disagree with its <testcase> elements: tests=6 (counted 7); the counted numbers are used",
    ]);
  });
});

describe('odd reports', () => {
  it('a lone <testsuite> root', () => {
    const report = read('odd/lone-testsuite.xml');
    expect(report.totals).toMatchObject({ tests: 2, passed: 2, timeSeconds: 0.5 });
    expect(report.cases.map((testCase) => testCase.suite)).toEqual([['smoke'], ['smoke']]);
  });

  it('nested suites, cases under an outer suite and directly under <testsuites>', () => {
    const report = read('odd/nested-suites.xml');
    expect(report.totals).toMatchObject({ tests: 6, passed: 5, failures: 1 });
    expect(caseNamed(report, 'fixed')).toMatchObject({
      suite: ['shop', 'cart', 'discounts'],
      message: 'fixed discount applied twice',
    });
    expect(caseNamed(report, 'boots').suite).toEqual(['shop']);
    expect(caseNamed(report, 'case directly under testsuites').suite).toEqual([]);
    expect(report.suites.map((suite) => [suite.path.join('/'), suite.tests, suite.timeSeconds])).toEqual([
      ['shop', 5, expect.closeTo(6, 9)],
      ['shop/cart', 3, expect.closeTo(0.9, 9)],
      ['shop/cart/discounts', 2, expect.closeTo(0.7, 9)],
      // Its own time attribute wins over the sum of its cases.
      ['shop/search', 1, 5],
    ]);
    expect(report.totals.timeSeconds).toBeCloseTo(6.5, 9);
  });

  it('empty suites and an empty root: zero tests, passing, no error', () => {
    expect(read('odd/empty-suites.xml').totals).toMatchObject({ tests: 0, failures: 0 });
    expect(read('odd/empty-suites.xml').suites).toHaveLength(2);
    expect(read('odd/empty-root.xml').totals.tests).toBe(0);
  });

  it('CDATA mixed with text, a split ]]>, markup inside CDATA, system-out and system-err', () => {
    const report = read('odd/cdata-mixed.xml');
    expect(caseNamed(report, 'mixed body').details).toBe('before <inside & raw> after & second ]]> end');
    expect(caseNamed(report, 'markup in cdata')).toMatchObject({
      status: 'errored',
      type: 'Crash',
      details: '<!DOCTYPE html><html><body>502 Bad Gateway</body></html>',
      systemOut: 'line one\nline two',
      systemErr: 'warning: <deprecated>',
    });
  });

  it('a UTF-8 byte order mark, no XML declaration, single quotes', () => {
    expect(read('odd/bom.xml').cases[0]?.name).toBe('after a byte order mark');
    expect(read('odd/no-declaration.xml').totals.tests).toBe(1);
    const quoted = read('odd/single-quotes.xml');
    expect(quoted.cases.map((testCase) => [testCase.name, testCase.status])).toEqual([
      ['it said "hi"', 'passed'],
      ["it's fine", 'skipped'],
    ]);
    expect(caseNamed(quoted, "it's fine").message).toBe('not today');
  });

  it('astral-plane characters in names, messages and bodies', () => {
    const report = read('odd/unicode.xml');
    expect(report.suites[0]?.name).toBe('i18n 🌍');
    expect(caseNamed(report, 'emoji 😀 🚀 in names')).toMatchObject({
      message: 'expected 👍 got 👎 (𝔘𝔫𝔦𝔠𝔬𝔡𝔢)',
      details: 'Ünïcödé body: 𠜎𠜱𠝹 and a right-to-left mark \u200fhere',
    });
  });

  it('a declared ISO-8859-1 encoding and a UTF-16 file with its byte order mark', () => {
    expect(read('odd/latin1.xml').cases[0]).toMatchObject({ name: 'café crème', message: 'échec' });
    expect(read('odd/utf16.xml').cases[0]?.name).toBe('utf-16 ü');
  });

  it('times: thousands comma, decimal comma, exponent, unit, nanoseconds; negative/empty/garbage warned', () => {
    const report = read('odd/times.xml');
    const time = (name: string) => caseNamed(report, name).timeSeconds;
    expect(time('thousands comma')).toBe(2503.1);
    expect(time('decimal comma')).toBe(0.25);
    expect(time('exponent')).toBe(0.0015);
    expect(time('with unit')).toBe(3);
    expect(time('nanoseconds')).toBe(1500);
    for (const name of ['negative', 'missing', 'empty', 'garbage']) expect(time(name)).toBeUndefined();
    expect(report.warnings).toEqual([
      'line 6: time "-0.4" of testcase "negative" is negative; ignored',
      'line 8: time "" of testcase "empty" is empty; ignored',
      'line 10: time "fast" of testcase "garbage" is not a number; ignored',
    ]);
    expect(report.totals.tests).toBe(9);
  });

  it('an <error> directly under a <testsuite> fails the run even though every case passed', () => {
    const report = read('odd/suite-error.xml');
    expect(report.totals).toMatchObject({ tests: 1, passed: 1, failures: 0, errors: 0 });
    expect(report.suiteErrors).toEqual([
      {
        suite: ['database tests'],
        kind: 'error',
        message: 'Test suite failed to run',
        type: 'SetupError',
        details: 'Cannot connect to postgres://127.0.0.1:5432: ECONNREFUSED',
        line: 4,
      },
    ]);
    expect(junitPassed(report)).toBe(false);
    expect(report.warnings).toEqual([]);
  });

  it('attributes that lie: the count wins, one warning names every difference', () => {
    const report = read('odd/attributes-lie.xml');
    expect(report.totals).toMatchObject({ tests: 3, passed: 1, failures: 1, errors: 1 });
    expect(report.warnings).toEqual([
      "the report's attributes disagree with its <testcase> elements: tests=10 (counted 3), failures=0 (counted 1), errors=0 (counted 1); the counted numbers are used",
    ]);
  });

  it('failure/error children with only a message, only a type, only a body, or nothing', () => {
    const report = read('odd/problem-variants.xml');
    const summary = report.cases.map((testCase) => [
      testCase.name,
      testCase.status,
      testCase.message ?? null,
      testCase.type ?? null,
      testCase.details ?? null,
    ]);
    expect(summary).toEqual([
      ['failure with only a message', 'failed', 'only a message', null, null],
      ['failure with only a type', 'failed', null, 'AssertionError', null],
      ['failure with only a body', 'failed', null, null, 'first line of the body\nsecond line'],
      ['bare failure', 'failed', null, null, null],
      ['bare error', 'errored', null, null, null],
      ['failure and error', 'failed', 'the failure wins', null, null],
      ['skipped and failure', 'failed', 'failed anyway', null, null],
      ['', 'skipped', null, null, null],
    ]);
  });
});

describe('reports that cannot be read: one JUnitError naming the file and position, never a crash', () => {
  it.each([
    ['bad/empty.xml', 'bad/empty.xml: the report is empty'],
    ['bad/whitespace.xml', 'bad/whitespace.xml: the report is empty'],
    [
      'bad/truncated-cdata.xml',
      'bad/truncated-cdata.xml:3:21: the XML ends before it is complete (a truncated file?): unclosed tag: failure',
    ],
    [
      'bad/truncated-tag.xml',
      'bad/truncated-tag.xml:1:66: the XML ends before it is complete (a truncated file?): unclosed tag: testsuite',
    ],
    ['bad/mismatched-tags.xml', 'bad/mismatched-tags.xml:1:63: not well-formed XML: unexpected close tag'],
    ['bad/two-roots.xml', 'bad/two-roots.xml:2:11: not well-formed XML: documents may contain only one root'],
    ['bad/undefined-entity.xml', 'bad/undefined-entity.xml:1:65: not well-formed XML: undefined entity'],
    ['bad/control-char.xml', 'bad/control-char.xml:1:56: not well-formed XML: disallowed character'],
    ['bad/invalid-utf8.xml', 'bad/invalid-utf8.xml: the report is not valid utf-8 text'],
    ['bad/html.xml', 'bad/html.xml:1:6: expected a <testsuites> or <testsuite> root element, found <html>'],
    ['bad/not-xml.txt', 'bad/not-xml.txt: the report is not XML; it begins with "FAIL src/cart.test.js"'],
    [
      'bad/xxe.xml',
      'bad/xxe.xml:4:2: the report has a DOCTYPE declaration; Greenlight reads no DTD and expands no entities',
    ],
    [
      'bad/external-dtd.xml',
      'bad/external-dtd.xml:2:59: the report has a DOCTYPE declaration; Greenlight reads no DTD and expands no entities',
    ],
    [
      'bad/billion-laughs.xml',
      'bad/billion-laughs.xml:13:2: the report has a DOCTYPE declaration; Greenlight reads no DTD and expands no entities',
    ],
    ['bad/does-not-exist.xml', 'bad/does-not-exist.xml: file not found'],
    ['bad', 'bad: not a file'],
  ])('%s', (file, message) => {
    let thrown: unknown;
    try {
      read(file);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(JUnitError);
    expect((thrown as JUnitError).message).toBe(message);
  });

  it('an encoding Greenlight cannot decode is named', () => {
    const bytes = new TextEncoder().encode('<?xml version="1.0" encoding="x-klingon"?><testsuite/>');
    expect(() => parseJUnit(bytes, { source: 'r.xml' })).toThrow(
      'r.xml: the report declares encoding "x-klingon", which Greenlight cannot read',
    );
  });

  it('every refusal carries a hint', () => {
    const result = tryParseJUnit('<html/>', { source: 'x' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.hint).toMatch(/counts as a failed run/);
  });

  it('tryParseJUnit returns the report as a value when it can be read', () => {
    const result = tryParseJUnit('<testsuite><testcase name="a"/></testsuite>', { source: 'x' });
    expect(result.ok && result.report.totals.tests).toBe(1);
  });

  it('the same XML as a string and as bytes reads the same', () => {
    const xml = '<testsuite name="s"><testcase name="ü 😀"><failure message="m"/></testcase></testsuite>';
    const fromText = parseJUnit(xml, { source: 'x' });
    expect(parseJUnit(new TextEncoder().encode(xml), { source: 'x' })).toEqual(fromText);
  });
});

describe('parseJUnitTime', () => {
  it.each([
    ['0.012', 0.012],
    ['12', 12],
    ['2,503.1', 2503.1],
    ['12,345.5', 12345.5],
    ['123,456', 123456],
    ['0,012', 0.012],
    ['3,5', 3.5],
    ['1e-3', 0.001],
    ['1.5E+2', 150],
    [' 4.2 ', 4.2],
    ['7s', 7],
    ['.5', 0.5],
    ['2000000000', 2],
  ])('%j is %d seconds', (raw, seconds) => {
    expect(parseJUnitTime(raw)).toEqual({ seconds });
  });

  it.each([
    ['-1', 'is negative'],
    ['', 'is empty'],
    ['NaN', 'is not a number'],
    ['1e999', 'is not a finite number'],
    ['1,2,3', 'is not a number'],
    ['12:30', 'is not a number'],
  ])('%j %s', (raw, problem) => {
    expect(parseJUnitTime(raw)).toEqual({ problem });
  });

  it('no attribute is no time and no problem', () => {
    expect(parseJUnitTime(undefined)).toBeUndefined();
  });
});
