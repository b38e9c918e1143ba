/**
 * Hostile JUnit input: entity expansion (billion laughs, quadratic blowup) and external
 * entities are refused in a child Node with a small heap and a hard time bound, so an
 * expansion would crash or be killed instead of passing; external entities are never
 * fetched (a local server counts requests); sizes, depth and case counts are bounded.
 */
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseJUnit } from '../../src/core/junit/parse.ts';
import { readJUnitFile } from '../../src/disk/junit-file.ts';

const PARSE_MODULE = new URL('../../src/disk/junit-file.ts', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'greenlight-junit-hostile-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface ChildResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** Parses `file` in a child Node with a 48 MB heap, killed after 20 s. Prints the outcome as JSON. */
function parseInSmallChild(file: string): Promise<ChildResult> {
  const script = `
    import { readJUnitFile } from ${JSON.stringify(PARSE_MODULE)};
    try {
      const report = readJUnitFile('/', ${JSON.stringify(file)});
      console.log(JSON.stringify({ parsed: report.totals }));
    } catch (error) {
      console.log(JSON.stringify({ error: error.name, message: error.message }));
    }`;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--max-old-space-size=48', '--input-type=module', '-e', script],
      { timeout: 20_000, env: { PATH: process.env.PATH ?? '' } },
      (error, stdout, stderr) => {
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : null) : 0,
          signal: error?.signal ?? null,
          stdout,
          stderr,
        });
      },
    );
  });
}

function write(name: string, content: string | Buffer): string {
  const file = join(work, name);
  writeFileSync(file, content);
  return file;
}

/** `levels` entities, each referencing the previous one ten times: 10^levels copies of "lol". */
function billionLaughs(levels: number): string {
  const entities = ['<!ENTITY lol0 "lol">'];
  for (let level = 1; level <= levels; level += 1) {
    entities.push(`<!ENTITY lol${level} "${`&lol${level - 1};`.repeat(10)}">`);
  }
  return `<?xml version="1.0"?>\n<!DOCTYPE testsuites [\n${entities.join('\n')}\n]>\n<testsuites><testsuite name="&lol${levels};"><testcase name="&lol${levels};"/></testsuite></testsuites>\n`;
}

describe('entity expansion is refused in bounded time and memory', () => {
  it.each([
    ['billion laughs, 10^9 copies', () => billionLaughs(9)],
    ['billion laughs, 10^30 copies', () => billionLaughs(30)],
    [
      'quadratic blowup: a 200 KB entity referenced 20,000 times',
      () =>
        `<!DOCTYPE testsuite [<!ENTITY a "${'x'.repeat(200_000)}">]><testsuite><testcase name="a"><failure>${'&a;'.repeat(20_000)}</failure></testcase></testsuite>`,
    ],
    [
      'a parameter entity in the internal subset',
      () =>
        '<!DOCTYPE testsuite [<!ENTITY % p "<!ENTITY x \'y\'>"> %p;]><testsuite><testcase name="&x;"/></testsuite>',
    ],
  ])('%s', async (name, build) => {
    const file = write(`${name.replace(/\W+/g, '-')}.xml`, build());
    const result = await parseInSmallChild(file);
    expect(result.stderr).toBe('');
    expect({ code: result.code, signal: result.signal }).toEqual({ code: 0, signal: null });
    expect(JSON.parse(result.stdout)).toEqual({
      error: 'JUnitError',
      message: expect.stringMatching(
        /: the report has a DOCTYPE declaration; Greenlight reads no DTD and expands no entities$/,
      ),
    });
  });
});

describe('external entities (XXE) are never resolved', () => {
  it('neither a SYSTEM DTD nor a SYSTEM entity is fetched, and a local file never appears', async () => {
    const requests: string[] = [];
    const server = createServer((request, response) => {
      requests.push(request.url ?? '');
      response.end('<!ENTITY leaked "from the server">');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const secret = write('secret.txt', 'TOP-SECRET-VALUE-1234');
    try {
      const file = write(
        'xxe.xml',
        `<?xml version="1.0"?>\n<!DOCTYPE testsuites SYSTEM "http://127.0.0.1:${port}/junit.dtd" [\n` +
          `  <!ENTITY local SYSTEM "file://${secret}">\n  <!ENTITY remote SYSTEM "http://127.0.0.1:${port}/entity">\n]>\n` +
          '<testsuites><testsuite name="&local;"><testcase name="&remote;"><failure message="&local;"/></testcase></testsuite></testsuites>\n',
      );
      const result = await parseInSmallChild(file);
      expect(JSON.parse(result.stdout).message).toMatch(/DOCTYPE declaration/);
      expect(result.stdout).not.toContain('TOP-SECRET');
      expect(result.stdout).not.toContain('from the server');
      expect(requests).toEqual([]);
    } finally {
      server.close();
    }
  });
});

describe('size, depth and count limits', () => {
  /** A valid report of about `megabytes` MB: if it were parsed, it would parse fine. */
  function validReportOf(megabytes: number): { text: string; cases: number } {
    const testCase = `<testcase classname="big" name="case"><system-out>${'o'.repeat(1000)}</system-out></testcase>\n`;
    const cases = Math.ceil((megabytes * 1024 * 1024) / testCase.length);
    return {
      text: `<testsuites><testsuite name="big">\n${testCase.repeat(cases)}</testsuite></testsuites>\n`,
      cases,
    };
  }

  // Large inputs: a generous bound for a loaded two-core machine, not a speed target.
  it('a 50 MB report file is refused by its size (checked before reading)', { timeout: 120_000 }, () => {
    const report = validReportOf(50);
    const file = write('fifty.xml', report.text);
    expect(() => readJUnitFile(work, 'fifty.xml')).toThrow(
      `fifty.xml: the report is ${report.text.length} bytes, more than the 33554432 bytes Greenlight reads`,
    );
    // The same file under a larger limit reads fine: it was the size, nothing else.
    expect(readJUnitFile(work, file, { maxBytes: 64 * 1024 * 1024 }).totals.tests).toBe(report.cases);
  });

  // Large inputs: a generous bound for a loaded two-core machine, not a speed target.
  it('a 50 MB report given as text is refused by its size too', { timeout: 120_000 }, () => {
    const { text } = validReportOf(50);
    expect(() => parseJUnit(text, { source: 'the log of pod t' })).toThrow(
      /^the log of pod t: the report is \d+ bytes, more than the 33554432 bytes Greenlight reads$/,
    );
  });

  it('nesting: 64 levels are read, 65 refused, and 100,000 refused without a stack overflow', () => {
    const nested = (levels: number) =>
      `${'<testsuite name="n">'.repeat(levels)}<testcase name="deep"/>${'</testsuite>'.repeat(levels)}`;
    expect(parseJUnit(nested(63), { source: 'x' }).cases[0]?.suite).toHaveLength(63);
    expect(() => parseJUnit(nested(64), { source: 'x' })).toThrow(
      /^x:1:\d+: elements are nested deeper than 64 levels$/,
    );
    expect(() => parseJUnit(nested(100_000), { source: 'x' })).toThrow(/nested deeper than 64 levels/);
  });

  // Large inputs: a generous bound for a loaded two-core machine, not a speed target.
  it('more than 100,000 test cases are refused; a smaller limit can be asked for', {
    timeout: 120_000,
  }, () => {
    const cases = (count: number) => `<testsuite>${'<testcase name="c"/>'.repeat(count)}</testsuite>`;
    expect(parseJUnit(cases(100_000), { source: 'x' }).totals.tests).toBe(100_000);
    expect(() => parseJUnit(cases(100_001), { source: 'x' })).toThrow(
      /^x:1:\d+: the report holds more than 100000 <testcase> elements$/,
    );
    expect(() => parseJUnit(cases(11), { source: 'x', limits: { maxCases: 10 } })).toThrow(/more than 10 /);
  });

  it('a 5 MB failure body and a 1 MB message are kept bounded and marked as cut', () => {
    const body = 'b'.repeat(5 * 1024 * 1024);
    const message = 'm'.repeat(1024 * 1024);
    const report = parseJUnit(
      `<testsuite><testcase name="loud"><failure message="${message}">${body}</failure><system-out>${body}</system-out></testcase></testsuite>`,
      { source: 'x' },
    );
    const [loud] = report.cases;
    expect(loud?.details).toBe(
      `${'b'.repeat(16_384)}\n... (${body.length - 16_384} more characters not kept)`,
    );
    expect(loud?.systemOut?.length).toBe(loud?.details?.length);
    expect(loud?.message).toBe(`${'m'.repeat(2000)}... (${message.length - 2000} more characters)`);
  });
});
