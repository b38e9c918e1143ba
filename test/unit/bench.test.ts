/**
 * The benchmark harness's pure parts: what it counts from an audit log, how it reads the
 * mixed window from the observer's record, the group files it generates (checked by
 * Greenlight's own validator), the results' shape and the chart.
 */
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { AuditLog, countRequests } from '../../bench/audit.ts';
import { chartSvg, logTicks } from '../../bench/chart.ts';
import {
  type BenchGroup,
  groupYaml,
  liveOnBlueManifests,
  rolloutsManifests,
  serviceNames,
  standbyManifests,
  writeGroupFiles,
} from '../../bench/groups.ts';
import { liveSwitchWindow } from '../../bench/mixed-window.ts';
import type { ObservedServiceEvent } from '../../bench/observer.ts';
import { buildResults, renderTable } from '../../bench/results.ts';
import type { ContenderRun } from '../../bench/runner.ts';
import { loadGroup } from '../../src/disk/groups.ts';

const audit = (event: Record<string, unknown>) => JSON.stringify(event);
const ALICE = 'system:serviceaccount:greenlight-bench:alice';

describe('countRequests', () => {
  const lines = [
    audit({
      stage: 'ResponseComplete',
      verb: 'get',
      user: { username: ALICE },
      objectRef: { resource: 'services' },
      responseStatus: { code: 200 },
    }),
    audit({
      stage: 'ResponseComplete',
      verb: 'get',
      user: { username: ALICE },
      objectRef: { resource: 'deployments' },
      responseStatus: { code: 404 },
    }),
    audit({
      stage: 'ResponseComplete',
      verb: 'create',
      user: { username: ALICE },
      objectRef: { resource: 'deployments' },
      responseStatus: { code: 201 },
    }),
    audit({
      stage: 'ResponseComplete',
      verb: 'patch',
      user: { username: ALICE },
      objectRef: { resource: 'rollouts', subresource: 'status' },
      responseStatus: { code: 429 },
    }),
    audit({
      stage: 'ResponseStarted',
      verb: 'watch',
      user: { username: ALICE },
      objectRef: { resource: 'deployments' },
      responseStatus: { code: 200 },
    }),
    audit({
      stage: 'ResponseComplete',
      verb: 'watch',
      user: { username: ALICE },
      objectRef: { resource: 'deployments' },
      responseStatus: { code: 200 },
    }),
    audit({
      stage: 'ResponseComplete',
      verb: 'get',
      user: { username: ALICE },
      requestURI: '/openapi/v3?timeout=32s',
      responseStatus: { code: 200 },
    }),
    audit({
      stage: 'ResponseComplete',
      verb: 'list',
      user: { username: 'someone-else' },
      objectRef: { resource: 'pods' },
      responseStatus: { code: 200 },
    }),
    '',
  ];

  it('counts one request per ResponseComplete of the given users, watches apart, 404s apart from errors', () => {
    const counts = countRequests(lines, new Set([ALICE]));
    expect(counts).toEqual({
      requests: 5,
      watches: 1,
      errors: 1,
      notFound: 1,
      throttled: 1,
      byKind: {
        'get services': 1,
        'get deployments': 1,
        'create deployments': 1,
        'patch rollouts/status': 1,
        'get /openapi/v3': 1,
      },
      failures: { '404 get deployments': 1, '429 patch rollouts/status': 1 },
    });
  });

  it('counts nothing for users not named', () => {
    expect(countRequests(lines, new Set(['nobody'])).requests).toBe(0);
  });
});

describe('AuditLog', () => {
  it('returns the complete lines written after a mark, a line cut at either end going to its own window', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-audit-test-'));
    try {
      const path = join(dir, 'audit.log');
      writeFileSync(path, '{"a":1}\n{"a":');
      const log = new AuditLog(path);
      const first = log.mark();
      appendFileSync(path, '2}\n{"b":1}\n{"b":2}\n{"c"');
      expect(log.since(first).filter(Boolean)).toEqual(['{"b":1}', '{"b":2}']);
      const second = log.mark();
      expect(log.since(second)).toEqual([]);
      appendFileSync(path, ':1}\n{"d":1}\n');
      expect(log.since(second).filter(Boolean)).toEqual(['{"d":1}']);
      expect(new AuditLog(path).since(0).filter(Boolean)).toHaveLength(6);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('liveSwitchWindow', () => {
  const blue = { app: 'a', color: 'blue' };
  const green = { app: 'a', color: 'green' };
  const event = (
    t: number,
    name: string,
    selector: Record<string, string>,
    type = 'MODIFIED',
  ): ObservedServiceEvent => ({
    t,
    type,
    name,
    selector,
  });

  it('is the time between the first and the last live Service whose selector changed after the start', () => {
    const events = [
      event(1, 'a', blue, 'ADDED'),
      event(1, 'b', blue, 'ADDED'),
      event(1, 'a-green', green, 'ADDED'),
      event(5, 'a', blue), // an unrelated update before the promote
      event(12, 'a-green', blue), // not a live Service
      event(15, 'a', green),
      event(40, 'b', green),
      event(50, 'a', blue), // switched again later: the first switch counts
    ];
    expect(liveSwitchWindow(events, ['a', 'b'], 10)).toEqual({
      switched: 2,
      first: 15,
      last: 40,
      windowMs: 25,
      notSwitched: [],
    });
  });

  it('names the live Services that never switched', () => {
    const events = [event(1, 'a', blue, 'ADDED'), event(1, 'b', blue, 'ADDED'), event(20, 'a', green)];
    const window = liveSwitchWindow(events, ['a', 'b'], 10);
    expect(window.switched).toBe(1);
    expect(window.notSwitched).toEqual(['b']);
  });

  it('does not count a Service first seen after the start as a switch', () => {
    expect(liveSwitchWindow([event(20, 'a', green, 'ADDED')], ['a'], 10).notSwitched).toEqual(['a']);
  });
});

describe('generated groups', () => {
  it('are valid for Greenlight, pinned to v1 and following master', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-groups-test-'));
    try {
      const group: BenchGroup = {
        name: 'bench-n50',
        namespace: 'bench-greenlight-n50',
        services: serviceNames(50),
        groupsDir: join(dir, 'groups'),
        registry: '127.0.0.1:5000',
      };
      for (const pinned of ['v1', undefined] as const) {
        writeGroupFiles(group, pinned);
        const loaded = loadGroup({ cwd: dir, groupsDir: 'groups' }, group.name);
        expect(loaded.group.namespace).toBe('bench-greenlight-n50');
        expect(loaded.catalog.services.size).toBe(50);
        expect(loaded.catalog.services.get('svc-049')?.repository).toBe('bench/svc-049');
        expect(loaded.group.services).toHaveLength(50);
        expect(loaded.group.services[0]?.source).toBe(pinned ? 'group' : 'default-branch');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('pin a tag, or leave each service at the default branch', () => {
    expect(parse(groupYaml('ns', ['svc-000'], 'v1')).services).toEqual({ 'svc-000': { tag: 'v1' } });
    expect(parse(groupYaml('ns', ['svc-000'])).services).toEqual({ 'svc-000': null });
  });

  it('refuse a size out of range', () => {
    expect(() => serviceNames(0)).toThrow(/1 to 1000, got 0/);
    expect(() => serviceNames(2.5)).toThrow(/got 2.5/);
  });

  it('give each baseline the objects it needs', () => {
    const kinds = (text: string) =>
      parseAllDocuments(text).map((d) => `${d.get('kind')}/${d.getIn(['metadata', 'name'])}`);
    expect(kinds(standbyManifests('r:1', 'svc-000', 'green', 'v2'))).toEqual([
      'Deployment/svc-000-green',
      'Service/svc-000-green',
    ]);
    expect(kinds(liveOnBlueManifests('r:1', ['svc-000']))).toEqual([
      'Deployment/svc-000-blue',
      'Service/svc-000-blue',
      'Service/svc-000',
    ]);
    expect(kinds(rolloutsManifests('r:1', ['svc-000'], 'v2', true))).toEqual([
      'Service/svc-000',
      'Service/svc-000-preview',
      'Rollout/svc-000',
    ]);
    const rollout = parseAllDocuments(rolloutsManifests('r:1', ['svc-000'], 'v2', false))[0]?.toJS();
    expect(rollout.spec.strategy.blueGreen).toEqual({
      activeService: 'svc-000',
      previewService: 'svc-000-preview',
      autoPromotionEnabled: false,
    });
    expect(rollout.spec.template.spec.containers[0].image).toBe('r:1/bench/svc-000:v2');
  });
});

describe('results', () => {
  const runs: ContenderRun[] = [
    {
      contender: 'kubectl-sequential',
      services: 10,
      deploySeconds: 25.6789,
      promoteSeconds: 1.3,
      mixedWindowMs: 1180.04,
      deployRequests: {
        requests: 100,
        watches: 10,
        errors: 0,
        notFound: 20,
        throttled: 0,
        byKind: { 'get services': 100 },
        failures: {},
      },
      promoteRequests: {
        requests: 20,
        watches: 0,
        errors: 0,
        notFound: 0,
        throttled: 0,
        byKind: { 'patch services': 20 },
        failures: {},
      },
      peakRssBytes: 64 * 2 ** 20,
    },
    { contender: 'argo-rollouts', services: 10, error: 'timed out' },
  ];
  const results = buildResults({
    runs,
    sizes: [10],
    kubernetes: 'v1.34.4',
    podReadyDelayMs: 2000,
    coldStartMs: { cli: 500 },
    bundleBytes: { cli: 1024 },
    skipped: { greenlight: 'no engine yet' },
    run: {
      startedAt: '2026-01-01T00:00:00.000Z',
      durationSeconds: 1,
      machine: {
        cpus: 2,
        cpuModel: 'x',
        memoryGiB: 24,
        kernel: 'k',
        node: 'v24',
        loadAverageAtStart: [1, 1, 1],
      },
      argoRollouts: 'v1.10.1',
      controllersUnlimitedQps: true,
      kwokNodes: 3,
    },
  });

  it("fill the issue's shape, null where a contender did not run or failed", () => {
    expect(results.groupDeploy).toEqual([
      {
        services: 10,
        greenlightSeconds: null,
        kubectlSequentialSeconds: 25.679,
        kubectlParallelSeconds: null,
        argoRolloutsSeconds: null,
        apiRequestsPerService: null,
        peakRssMiB: null,
      },
    ]);
    expect(results.promote[0]).toEqual({
      services: 10,
      seconds: null,
      mixedWindowMs: null,
      argoRolloutsSeconds: null,
      argoRolloutsMixedWindowMs: null,
    });
    expect(results.contenders['10']?.['kubectl-sequential']).toMatchObject({
      deployRequestsPerService: 10,
      promoteRequestsPerService: 2,
      watchRequests: 10,
      notFoundResponses: 20,
      peakRssMiB: 64,
      requestsByKind: { 'get services': 100, 'patch services': 20 },
    });
    expect(results.contenders['10']?.['argo-rollouts']?.error).toBe('timed out');
  });

  it('render a table with every run, the failures and the skipped', () => {
    const table = renderTable(results, { 'kubectl-sequential': 'kubectl (a)', 'argo-rollouts': 'Argo' });
    expect(table).toMatch(/^10\s+kubectl \(a\)\s+25\.68\s+1\.30\s+1180\s+10\.0\s+2\.0\s+10\s+0\s+64$/m);
    expect(table).toMatch(/^10\s+Argo\s+FAILED: timed out/m);
    expect(table).toContain('skipped greenlight: no engine yet');
  });
});

describe('chart', () => {
  it('has log ticks covering the data', () => {
    expect(logTicks(0.3, 250)).toEqual([0.1, 1, 10, 100, 1000]);
    expect(logTicks(2, 30)).toEqual([1, 2, 5, 10, 20, 50, 100]);
  });

  it('draws one line per series with a point per measured value, leaving out missing ones', () => {
    const svg = chartSvg(
      [
        {
          title: 'Deploy',
          yLabel: 'seconds',
          series: [
            {
              label: 'a & b',
              color: '#f00',
              points: [
                { x: 1, y: 2 },
                { x: 10, y: 20 },
                { x: 50, y: null },
              ],
            },
            { label: 'none', color: '#00f', points: [{ x: 1, y: null }] },
          ],
        },
      ],
      [1, 10, 50],
      'caption',
    );
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.match(/<path /g)).toHaveLength(1);
    expect(svg.match(/<circle /g)).toHaveLength(2);
    expect(svg).toContain('a &amp; b');
    expect(svg).not.toContain('a & b');
  });
});
