/**
 * The pure parts of the fault harness (test/support): rule matching and counting, the
 * seeded generator, where watch events end, the write gate, error bodies, and object
 * summaries of JSON and protobuf bodies. The proxy itself is tested against the real
 * stack in test/integration/fault-proxy.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { errorAnswer, parseKubePath } from '../support/fault-bodies.ts';
import {
  activateRule,
  chooseFault,
  type FaultRule,
  matchesRequest,
  type RequestFacts,
  seededRandom,
} from '../support/fault-rules.ts';
import { writePositions } from '../support/kill-points.ts';
import { summarizeObject } from '../support/kube-object.ts';
import { eventBoundaries } from '../support/watch-events.ts';
import { admit, newWriteGate, writeAnswered } from '../support/write-gate.ts';

function facts(method: string, url: string, headers: Record<string, string> = {}): RequestFacts {
  const parsed = new URL(url, 'http://x');
  return { method, path: parsed.pathname, query: parsed.searchParams, headers };
}

const status503: FaultRule['fault'] = { kind: 'status', status: 503 };

/** Which of `count` identical requests the rules fire on (1-based), and which rule. */
function firings(rules: FaultRule[], count: number, request = facts('GET', '/api/v1/pods')): string[] {
  const active = rules.map((rule, i) => activateRule(rule, i));
  const fired: string[] = [];
  for (let n = 1; n <= count; n++) {
    const rule = chooseFault(active, request);
    if (rule) fired.push(`${n}:${rule.name}`);
  }
  return fired;
}

describe('fault rules', () => {
  it('match on method, exact or RegExp path, query, header, writes and watches', () => {
    const watch = facts('GET', '/api/v1/namespaces/a/pods?watch=true&resourceVersion=5');
    expect(matchesRequest({ method: 'GET', watch: true }, watch)).toBe(true);
    expect(matchesRequest({ method: ['PUT', 'PATCH'] }, watch)).toBe(false);
    expect(matchesRequest({ path: '/api/v1/namespaces/a/pods' }, watch)).toBe(true);
    expect(matchesRequest({ path: '/api/v1/namespaces/a' }, watch)).toBe(false);
    expect(matchesRequest({ path: /\/pods$/ }, watch)).toBe(true);
    expect(matchesRequest({ query: { resourceVersion: '5' } }, watch)).toBe(true);
    expect(matchesRequest({ query: { resourceVersion: /^6$/ } }, watch)).toBe(false);
    expect(matchesRequest({ query: { labelSelector: true } }, watch)).toBe(false);
    expect(matchesRequest({ write: false, watch: true }, watch)).toBe(true);
    expect(matchesRequest({ write: true }, facts('DELETE', '/x'))).toBe(true);
    expect(matchesRequest({ watch: false }, facts('GET', '/x?watch=1'))).toBe(false);
    const ecr = facts('POST', '/', { 'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.PutImage' });
    expect(matchesRequest({ header: { 'X-Amz-Target': /\.PutImage$/ } }, ecr)).toBe(true);
    expect(matchesRequest({ header: { 'x-amz-target': /\.BatchGetImage$/ } }, ecr)).toBe(false);
  });

  it('fire on the nth matching requests, from one on, and at most limit times', () => {
    expect(firings([{ name: 'a', on: { nth: [2, 4] }, fault: status503 }], 5)).toEqual(['2:a', '4:a']);
    expect(firings([{ name: 'a', on: { from: 4 }, fault: status503 }], 5)).toEqual(['4:a', '5:a']);
    expect(firings([{ name: 'a', on: { from: 2, limit: 2 }, fault: status503 }], 5)).toEqual(['2:a', '3:a']);
    expect(firings([{ name: 'a', fault: status503 }], 3)).toEqual(['1:a', '2:a', '3:a']);
  });

  it('count only the requests they match', () => {
    const rules = [{ name: 'posts', match: { method: 'POST' }, on: { nth: 2 }, fault: status503 }];
    const active = rules.map((rule, i) => activateRule(rule, i));
    const sequence = ['GET', 'POST', 'GET', 'POST', 'POST'].map((method) =>
      chooseFault(active, facts(method, '/x')) ? method : '-',
    );
    expect(sequence).toEqual(['-', '-', '-', 'POST', '-']);
    expect(active[0]?.matched).toBe(3);
  });

  it('let the first rule that fires decide; later rules still count the request', () => {
    const rules: FaultRule[] = [
      { name: 'first', on: { nth: 1 }, fault: status503 },
      { name: 'second', on: { nth: [1, 2] }, fault: { kind: 'reset', when: 'before' } },
    ];
    expect(firings(rules, 3)).toEqual(['1:first', '2:second']);
  });

  it('with a probability, make the same choices for the same seed and others for another', () => {
    const rule = (seed: number): FaultRule => ({
      name: 'p',
      on: { probability: { p: 0.5, seed } },
      fault: status503,
    });
    const once = firings([rule(7)], 200);
    expect(firings([rule(7)], 200)).toEqual(once);
    expect(firings([rule(8)], 200)).not.toEqual(once);
    // a fair coin over 200 draws: far from 0 and from 200
    expect(once.length).toBeGreaterThan(60);
    expect(once.length).toBeLessThan(140);
  });

  it('refuse counts below one and probabilities outside 0..1', () => {
    expect(() => activateRule({ name: 'x', on: { nth: 0 }, fault: status503 }, 0)).toThrow(
      'fault rule x: on.nth must be a whole number >= 1, got 0',
    );
    expect(() =>
      activateRule({ name: 'x', on: { probability: { p: 2, seed: 1 } }, fault: status503 }, 0),
    ).toThrow('on.probability.p must be within 0..1, got 2');
  });

  it('draw floats in [0, 1) from the seeded generator', () => {
    const random = seededRandom(42);
    const draws = Array.from({ length: 1000 }, random);
    expect(draws.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(new Set(draws).size).toBe(1000);
  });
});

describe('watch event boundaries', () => {
  const event = (name: string) => `${JSON.stringify({ type: 'ADDED', object: { metadata: { name } } })}\n`;

  it('end JSON events after the newline that follows each object, wherever the chunks split', () => {
    const stream = Buffer.from(event('a') + event('b{"}') + event('c\\"}'));
    const whole = eventBoundaries('application/json').feed(stream);
    expect(whole).toEqual([event('a').length, event('a').length + event('b{"}').length, stream.length]);
    const split = eventBoundaries('application/json');
    const cuts = [5, 40, 41, stream.length];
    let start = 0;
    const ends: number[] = [];
    for (const cut of cuts) {
      ends.push(...split.feed(stream.subarray(start, cut)).map((end) => end + start));
      start = cut;
    }
    expect(ends).toEqual(whole);
  });

  it('end protobuf events after each length-prefixed frame, also across chunks', () => {
    const frame = (size: number) => {
      const header = Buffer.alloc(4);
      header.writeUInt32BE(size);
      return Buffer.concat([header, Buffer.alloc(size, 7)]);
    };
    const stream = Buffer.concat([frame(3), frame(0), frame(300)]);
    const boundaries = eventBoundaries('application/vnd.kubernetes.protobuf;stream=watch');
    const first = boundaries.feed(stream.subarray(0, 2));
    const rest = boundaries.feed(stream.subarray(2)).map((end) => end + 2);
    expect([...first, ...rest]).toEqual([7, 11, stream.length]);
  });
});

describe('write gate', () => {
  it('lets n writes through, holds what follows, and stops once the n are answered', () => {
    const gate = newWriteGate(2);
    expect(admit(gate, false)).toBe('forward');
    expect(admit(gate, true)).toBe('forward');
    expect(admit(gate, true)).toBe('forward');
    expect(admit(gate, false)).toBe('hold'); // a read after the nth write: held
    expect(admit(gate, true)).toBe('hold');
    expect(writeAnswered(gate)).toEqual({ withhold: true, stop: false });
    expect(writeAnswered(gate)).toEqual({ withhold: true, stop: true });
  });

  it('passes answers on while fewer than n writes were let through', () => {
    const gate = newWriteGate(3);
    admit(gate, true);
    expect(writeAnswered(gate)).toEqual({ withhold: false, stop: false });
    expect(() => newWriteGate(0)).toThrow('a write gate needs a whole number of writes >= 1, got 0');
  });

  it('spreads kill positions over the writes, first and last included', () => {
    expect(writePositions(4)).toEqual([1, 2, 3, 4]);
    expect(writePositions(30, 5)).toEqual([1, 8, 16, 23, 30]);
    expect(writePositions(0)).toEqual([]);
  });
});

describe('error bodies', () => {
  it('a Kubernetes Status with the reason, the qualified resource and Retry-After', () => {
    const answer = errorAnswer(
      'kubernetes',
      { status: 429, retryAfterSeconds: 3 },
      { path: '/apis/apps/v1/namespaces/team/deployments/web', body: Buffer.alloc(0) },
    );
    expect(answer.status).toBe(429);
    expect(answer.headers['retry-after']).toBe('3');
    expect(JSON.parse(answer.body)).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'TooManyRequests',
      code: 429,
      details: { name: 'web', group: 'apps', kind: 'deployments', retryAfterSeconds: 3 },
    });
  });

  it('a conflict names the object, from the path or from the created body', () => {
    const conflict = errorAnswer(
      'kubernetes',
      { status: 409, reason: 'Conflict' },
      { path: '/api/v1/namespaces/team/configmaps/c', body: Buffer.alloc(0) },
    );
    expect(JSON.parse(conflict.body).message).toBe(
      'Operation cannot be fulfilled on configmaps "c": the object has been modified; please apply your changes to the latest version and try again',
    );
    const exists = errorAnswer(
      'kubernetes',
      { status: 409, reason: 'AlreadyExists' },
      { path: '/apis/apps/v1/namespaces/team/deployments', body: Buffer.from('{"metadata":{"name":"web"}}') },
    );
    expect(JSON.parse(exists.body).message).toBe('deployments.apps "web" already exists');
  });

  it('OCI and AWS JSON errors in their own formats', () => {
    const oci = errorAnswer('oci', { status: 429 }, { path: '/v2/', body: Buffer.alloc(0) });
    expect(JSON.parse(oci.body).errors[0].code).toBe('TOOMANYREQUESTS');
    const aws = errorAnswer('aws-json', { status: 500 }, { path: '/', body: Buffer.alloc(0) });
    expect(aws.headers['x-amzn-errortype']).toBe('ServerException');
    expect(JSON.parse(aws.body).__type).toBe('ServerException');
  });

  it('parses resource paths, and nothing else', () => {
    expect(parseKubePath('/api/v1/namespaces/a/pods/p/log')).toEqual({
      group: '',
      version: 'v1',
      namespace: 'a',
      resource: 'pods',
      name: 'p',
      subresource: 'log',
    });
    expect(parseKubePath('/api/v1/namespaces/a')).toEqual({
      group: '',
      version: 'v1',
      resource: 'namespaces',
      name: 'a',
    });
    expect(parseKubePath('/apis/coordination.k8s.io/v1/namespaces/a/leases/l')).toMatchObject({
      group: 'coordination.k8s.io',
      resource: 'leases',
      name: 'l',
    });
    expect(parseKubePath('/version')).toBeUndefined();
    expect(parseKubePath('/apis/apps')).toBeUndefined();
  });
});

describe('object summaries', () => {
  /** protobuf field `number` holding `bytes` (length-delimited, lengths < 128) */
  const field = (number: number, bytes: Buffer) =>
    Buffer.concat([Buffer.from([number * 8 + 2, bytes.length]), bytes]);
  const text = (number: number, value: string) => field(number, Buffer.from(value));

  it('of a Kubernetes protobuf body: kind, name, namespace, uid, resourceVersion', () => {
    const meta = Buffer.concat([text(1, 'c1'), text(3, 'team'), text(5, 'u-1'), text(6, '42'), text(2, '')]);
    const configMap = Buffer.concat([field(1, meta), text(2, 'ignored data')]);
    const unknown = Buffer.concat([
      field(1, Buffer.concat([text(1, 'v1'), text(2, 'ConfigMap')])),
      field(2, configMap),
    ]);
    const body = Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0x00]), unknown]);
    expect(summarizeObject(body)).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: 'c1',
      namespace: 'team',
      uid: 'u-1',
      resourceVersion: '42',
    });
  });

  it('of a JSON body, and nothing for anything else', () => {
    const json = Buffer.from('{"kind":"Lease","metadata":{"name":"l","resourceVersion":"7"}}');
    expect(summarizeObject(json)).toEqual({ kind: 'Lease', name: 'l', resourceVersion: '7' });
    expect(summarizeObject(Buffer.from('kind: Lease\n'))).toBeUndefined();
    expect(summarizeObject(Buffer.from('{"kind":'))).toBeUndefined();
  });
});
