/**
 * The load report (test/stack/real-nodes/load.ts): every request that did not
 * get a 2xx counts as failed, with its reason and when it was sent; latencies
 * are those of the answered requests; a load that is not bounded or aims off
 * the machine is refused before anything starts.
 */
import { describe, expect, it } from 'vitest';
import {
  checkLoadOptions,
  describeLoad,
  failureReason,
  percentile,
  summarizeLoad,
  type VegetaResult,
} from '../stack/real-nodes/load.ts';

const body = (color: string) => Buffer.from(JSON.stringify({ service: 'hello-a', color })).toString('base64');
const at = (ms: number) => new Date(Date.UTC(2026, 11, 1, 10, 0, 0, ms)).toISOString();

function result(
  ms: number,
  code: number,
  latencyMs: number,
  extra: Partial<VegetaResult> = {},
): VegetaResult {
  return { code, timestamp: at(ms), latency: latencyMs * 1e6, error: '', ...extra };
}

describe('summarizeLoad', () => {
  const results: VegetaResult[] = [
    result(0, 200, 1, { body: body('blue') }),
    result(10, 200, 2, { body: body('blue') }),
    result(20, 0, 2000, {
      error: 'Get "http://10.0.0.7:80/": dial tcp 0.0.0.0:0->10.0.0.7:80: connect: connection refused',
    }),
    result(30, 503, 3, { error: '503 Service Unavailable' }),
    result(40, 200, 4, { body: body('green') }),
    result(50, 502, 5),
    result(60, 200, 3, { body: body('green') }),
  ];
  const colorOf = (text: string) => (JSON.parse(text) as { color: string }).color;
  const report = summarizeLoad(results, colorOf);

  it('counts every request, and as failed each one without a 2xx, by reason', () => {
    expect(report.sent).toBe(7);
    expect(report.ok).toBe(4);
    expect(report.failed).toBe(3);
    expect(report.failures).toEqual({
      'connect: connection refused': 1,
      '503 Service Unavailable': 1,
      'HTTP 502': 1,
    });
  });

  it('sorts the answers by what they say, and times the failures by when they were sent', () => {
    expect(report.answers).toEqual({ blue: 2, green: 2 });
    const start = Date.parse(at(0));
    expect(report.failureTimes.map((time) => time - start)).toEqual([20, 30, 50]);
    expect([report.startedAt - start, report.endedAt - start]).toEqual([0, 60]);
  });

  it("takes the latency percentiles over the answered requests only (a failure's 2 s timeout is not a latency)", () => {
    expect(report.p50Ms).toBe(2);
    expect(report.p99Ms).toBe(4);
    expect(report.maxMs).toBe(4);
  });

  it('reports an empty load as nothing sent', () => {
    expect(summarizeLoad([])).toMatchObject({ sent: 0, ok: 0, failed: 0, p50Ms: 0, startedAt: 0 });
  });

  it('describes itself in one line', () => {
    expect(describeLoad(report)).toBe(
      'sent 7, failed 3 (1 connect: connection refused, 1 503 Service Unavailable, 1 HTTP 502), ' +
        'p50 2.0 ms, p99 4.0 ms; answers: blue 2, green 2',
    );
  });
});

describe('failureReason', () => {
  it.each([
    [{ code: 0, error: 'Get "http://10.0.0.7:80/": context deadline exceeded' }, 'context deadline exceeded'],
    [
      {
        code: 0,
        error:
          'Get "http://10.0.0.7:80/": read tcp 10.88.0.1:5->10.88.0.9:8080: read: connection reset by peer',
      },
      'read: connection reset by peer',
    ],
    [{ code: 0, error: 'Get "http://10.0.0.7:80/": EOF' }, 'EOF'],
    [{ code: 404, error: '' }, 'HTTP 404'],
  ])('%o -> %s', (input, expected) => {
    expect(failureReason(input)).toBe(expected);
  });
});

describe('percentile', () => {
  it('is the nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(values, 0.5), percentile(values, 0.99), percentile(values, 1)]).toEqual([50, 99, 100]);
    expect(percentile([7], 0.5)).toBe(7);
  });
});

describe('checkLoadOptions', () => {
  const good = { url: 'http://127.0.0.1:8080/', rate: 100, durationMs: 1000, netns: null, workDir: '/tmp' };

  it('accepts a bounded load at loopback, or anywhere inside the node when given its namespace', () => {
    expect(() => checkLoadOptions(good)).not.toThrow();
    expect(() =>
      checkLoadOptions({ ...good, url: 'http://10.0.0.7/', netns: 'glnode-0123abcd' }),
    ).not.toThrow();
  });

  it('refuses, in one error naming each problem, a load without bounds or aimed off the machine', () => {
    expect(() =>
      checkLoadOptions({ ...good, url: 'http://10.0.0.7/', rate: 0, durationMs: 3_600_000, timeoutMs: 0 }),
    ).toThrow(
      'load: rate must be an integer from 1 to 5000 per second, got 0; ' +
        'durationMs must be an integer from 100 to 600000, got 3600000; ' +
        'timeoutMs must be an integer from 1 to 60000, got 0; ' +
        "a load from the host may only go to loopback, got 10.0.0.7 (pass the node's netns)",
    );
    expect(() => checkLoadOptions({ ...good, url: 'not a url' })).toThrow(
      'load: url is not a URL: "not a url"',
    );
  });
});
