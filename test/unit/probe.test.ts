/** The switch probe's pure parts: its Job, reading its log, and what people are told. */
import { describe, expect, it } from 'vitest';

const PROBE_APP = new URL('../../sample-apps/switch-probe/src/probe.js', import.meta.url).href;

import {
  lastProbeReport,
  measuredProbe,
  PROBE_REPORT_MARKER,
  probeDurationMs,
  probeJobName,
  probeJobSpec,
  renderProbeLine,
  renderProbeMarkdown,
  type SwitchProbeRecord,
  unmeasuredProbe,
} from '../../src/core/probe.ts';
import { probeJobManifest } from '../../src/kube/manifests.ts';

const report = (fields: Record<string, unknown>) =>
  `${PROBE_REPORT_MARKER}${JSON.stringify({
    elapsedMs: 1000,
    sent: 10,
    ok: 10,
    failed: 0,
    failures: {},
    p50Ms: 1,
    p99Ms: 2,
    services: { a: { sent: 10, failed: 0 } },
    done: false,
    ...fields,
  })}`;

describe('reading the probe log', () => {
  it('the engine and the probe image agree on the marker', async () => {
    const app = (await import(PROBE_APP)) as { REPORT_MARKER: string };
    expect(app.REPORT_MARKER).toBe(PROBE_REPORT_MARKER);
  });

  it('takes the last well-formed report, skipping noise, a cut line and lines of the wrong shape', () => {
    const log = [
      'greenlight switch probe: a=http://a/ at 20/s each',
      report({ sent: 10 }),
      report({ sent: 20, failed: 3, ok: 17, failures: { 'connection refused': 3 } }),
      `${PROBE_REPORT_MARKER}{"sent": 30, "fail`,
      `${PROBE_REPORT_MARKER}{"sent": "thirty"}`,
      '',
    ].join('\n');
    expect(lastProbeReport(log)).toEqual({
      elapsedMs: 1000,
      sent: 20,
      ok: 17,
      failed: 3,
      failures: { 'connection refused': 3 },
      p50Ms: 1,
      p99Ms: 2,
      services: { a: { sent: 10, failed: 0 } },
      done: false,
    });
    expect(lastProbeReport('no report here\n')).toBeUndefined();
    expect(lastProbeReport('')).toBeUndefined();
  });

  it('a refusal of its settings is a report with the error', () => {
    expect(
      lastProbeReport(`${PROBE_REPORT_MARKER}{"error":"GREENLIGHT_PROBE_TARGETS is empty","done":true}`),
    ).toMatchObject({
      error: 'GREENLIGHT_PROBE_TARGETS is empty',
      done: true,
    });
  });
});

describe('the probe Job', () => {
  it('one name per switch within 63 characters; a duration that covers the switch and the delay, bounded', () => {
    expect(probeJobName('0123456789abcdef', 1_767_225_600_000)).toBe(
      'greenlight-probe-0123456789abcdef-mjuohs00',
    );
    expect(probeJobName('x'.repeat(80), 1_767_225_600_000)).toHaveLength(63);
    expect(probeDurationMs(300_000, 30_000)).toBe(510_000);
    expect(probeDurationMs(1000, undefined)).toBe(181_000);
    expect(probeDurationMs(10 * 3_600_000, 0)).toBe(3_600_000);
  });

  it('is one pod, never retried, with no API token, small resources and a TTL', () => {
    const spec = probeJobSpec({
      name: 'greenlight-probe-r1-abc',
      group: 'master',
      releaseId: 'r1',
      image: 'registry.local/switch-probe@sha256:feed',
      targets: [
        { service: 'hello-a', url: 'http://hello-a.ns.svc.cluster.local:8080/healthz' },
        { service: 'hello-b', url: 'http://hello-b.ns.svc.cluster.local:8080/healthz' },
      ],
      rate: 20,
      durationMs: 510_000,
    });
    expect(probeJobManifest(spec, 'ns')).toEqual({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: 'greenlight-probe-r1-abc',
        namespace: 'ns',
        labels: {
          'app.kubernetes.io/managed-by': 'greenlight',
          'greenlight.dev/group': 'master',
          'greenlight.dev/release': 'r1',
          'greenlight.dev/probe-run': 'greenlight-probe-r1-abc',
        },
      },
      spec: {
        backoffLimit: 0,
        activeDeadlineSeconds: 570,
        ttlSecondsAfterFinished: 600,
        template: {
          metadata: {
            labels: {
              'app.kubernetes.io/managed-by': 'greenlight',
              'greenlight.dev/group': 'master',
              'greenlight.dev/release': 'r1',
              'greenlight.dev/probe-run': 'greenlight-probe-r1-abc',
            },
          },
          spec: {
            restartPolicy: 'Never',
            enableServiceLinks: false,
            automountServiceAccountToken: false,
            terminationGracePeriodSeconds: 5,
            containers: [
              {
                name: 'probe',
                image: 'registry.local/switch-probe@sha256:feed',
                imagePullPolicy: 'IfNotPresent',
                env: [
                  {
                    name: 'GREENLIGHT_PROBE_TARGETS',
                    value:
                      'hello-a=http://hello-a.ns.svc.cluster.local:8080/healthz hello-b=http://hello-b.ns.svc.cluster.local:8080/healthz',
                  },
                  { name: 'GREENLIGHT_PROBE_RATE', value: '20' },
                  { name: 'GREENLIGHT_PROBE_DURATION_MS', value: '510000' },
                  { name: 'GREENLIGHT_PROBE_REPORT_MS', value: '500' },
                ],
                resources: { requests: { cpu: '50m', memory: '32Mi' }, limits: { memory: '128Mi' } },
              },
            ],
          },
        },
      },
    });
  });
});

describe('what people are told', () => {
  const base = {
    operation: 'promote' as const,
    from: 'blue' as const,
    to: 'green' as const,
    rate: 20,
    startedAt: '2026-12-01T10:00:00.000Z',
    endedAt: '2026-12-01T10:00:40.000Z',
  };
  const measured = (failed: number, failures: Record<string, number>): SwitchProbeRecord =>
    measuredProbe(
      { ...base, until: 'old-color-gone' },
      {
        elapsedMs: 40_000,
        sent: 1600,
        ok: 1600 - failed,
        failed,
        failures,
        p50Ms: 1.234,
        p99Ms: 12.5,
        services: { 'hello-a': { sent: 800, failed }, 'hello-b': { sent: 800, failed: 0 } },
        done: false,
      },
    );

  it('no failure: one calm line, and a table per live Service', () => {
    const probe = measured(0, {});
    expect(renderProbeLine(probe)).toBe(
      "switch probe: 0 failed of 1600 requests across the switch to green and until blue's pods were gone (p50 1.2 ms, p99 12.5 ms)",
    );
    expect(renderProbeMarkdown(probe)).toBe(
      [
        '#### Switch probe',
        '',
        "**No request failed**: 1600 requests across the switch to green and until blue's pods were gone, at 20/s to each live Service.",
        '',
        'Latency of the answered requests: p50 1.2 ms, p99 12.5 ms.',
        '',
        '| Live Service | Requests | Failed |',
        '| --- | --- | --- |',
        '| hello-a | 800 | 0 |',
        '| hello-b | 800 | 0 |',
        '',
      ].join('\n'),
    );
  });

  it('failures: said plainly, with the reasons, most frequent first', () => {
    const probe = measured(14, { timeout: 2, 'connection refused': 12 });
    expect(renderProbeLine(probe)).toBe(
      "switch probe: 14 of 1600 requests FAILED across the switch to green and until blue's pods were gone (12 connection refused, 2 timeout; p50 1.2 ms, p99 12.5 ms)",
    );
    expect(renderProbeMarkdown(probe)).toContain(
      "> [!WARNING]\n> **14 of 1600 requests failed** across the switch to green and until blue's pods were gone: 12 connection refused, 2 timeout. Clients of these Services saw errors during the switch.",
    );
  });

  it('not measured: says why', () => {
    const probe = unmeasuredProbe(base, 'its pod cannot start: ImagePullBackOff');
    expect(renderProbeLine(probe)).toBe(
      'switch probe: not measured (its pod cannot start: ImagePullBackOff)',
    );
    expect(renderProbeMarkdown(probe)).toBe(
      '#### Switch probe\n\nNot measured: its pod cannot start: ImagePullBackOff.\n',
    );
  });
});
