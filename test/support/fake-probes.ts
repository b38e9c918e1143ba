/**
 * An in-memory switch probe for unit tests of the engine's probe decisions: the Job is
 * stored, its pod runs as told (`behavior`), and its log holds the report lines the real
 * probe (sample-apps/switch-probe) would print, with the counts the test sets.
 */
import type { PodObservation } from '../../src/core/cluster.ts';
import type { SwitchProbes } from '../../src/core/ports.ts';
import { PROBE_REPORT_MARKER, type ProbeJobSpec } from '../../src/core/probe.ts';

export type ProbeBehavior =
  | 'reports'
  | 'image-pull-fails'
  | 'no-logs'
  | 'refuses-settings'
  | 'create-forbidden';

export class FakeSwitchProbes implements SwitchProbes {
  readonly created: ProbeJobSpec[] = [];
  readonly deleted: string[] = [];
  behavior: ProbeBehavior = 'reports';
  /** What the probe counts by the time it is read. */
  counts = { sent: 600, failed: 0, failures: {} as Record<string, number> };
  private readonly startedAt = new Map<string, number>();

  async createProbe(spec: ProbeJobSpec): Promise<void> {
    if (this.behavior === 'create-forbidden') throw new Error('jobs.batch is forbidden (HTTP 403)');
    this.created.push(spec);
    this.startedAt.set(spec.name, Date.now());
  }

  async probePods(name: string): Promise<PodObservation[]> {
    if (!this.startedAt.has(name) || this.deleted.includes(name)) return [];
    const waiting =
      this.behavior === 'image-pull-fails'
        ? { reason: 'ImagePullBackOff', message: 'Back-off pulling image "switch-probe"' }
        : undefined;
    return [
      {
        name: `${name}-pod`,
        phase: waiting ? 'Pending' : 'Running',
        ready: !waiting,
        deleting: false,
        conditions: [],
        containers: [{ name: 'probe', ready: !waiting, restartCount: 0, ...(waiting ? { waiting } : {}) }],
      },
    ];
  }

  async readLog(pod: string): Promise<{ log: string } | { unavailable: string }> {
    if (this.behavior === 'no-logs')
      return { unavailable: 'dial tcp 127.0.0.2:10250: connect: connection refused' };
    const name = pod.replace(/-pod$/, '');
    if (this.behavior === 'refuses-settings') {
      return {
        log: `${PROBE_REPORT_MARKER}${JSON.stringify({ error: 'GREENLIGHT_PROBE_TARGETS is empty', done: true })}\n`,
      };
    }
    const elapsedMs = Date.now() - (this.startedAt.get(name) ?? Date.now());
    const { sent, failed, failures } = this.counts;
    const report = {
      elapsedMs,
      sent,
      ok: sent - failed,
      failed,
      inFlight: 0,
      failures,
      p50Ms: 1.5,
      p99Ms: 9.25,
      services: { 'hello-a': { sent: sent / 2, failed }, 'hello-b': { sent: sent / 2, failed: 0 } },
      done: false,
    };
    return { log: `greenlight switch probe: ...\nnoise\n${PROBE_REPORT_MARKER}${JSON.stringify(report)}\n` };
  }

  async deleteProbe(name: string): Promise<void> {
    this.deleted.push(name);
  }
}
