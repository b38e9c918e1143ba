/**
 * The switch probe around a promote or rollback (`probe: true`, `--probe`): a Job in the
 * group's namespace sends steady requests to every live Service from a few seconds before
 * the switch until the old color's pods are gone, and the engine reads its running count
 * from the pod's log (no API access for the probe, no signal needed). The probe only
 * observes: when it cannot start or be read, the switch goes on and the record says why
 * nothing was measured.
 */
import type { Group } from '../core/config/types.ts';
import { InputError } from '../core/errors.ts';
import type { Color } from '../core/naming.ts';
import type { ImageRegistry, SwitchProbes } from '../core/ports.ts';
import {
  lastProbeReport,
  measuredProbe,
  type ProbeReport,
  probeDurationMs,
  probeJobName,
  probeJobSpec,
  probeTargets,
  type SwitchProbeRecord,
  unmeasuredProbe,
} from '../core/probe.ts';
import { MIN_TERMINATION_GRACE_SECONDS } from '../core/workload.ts';
import { type EngineDeps, nowIso } from './deps.ts';
import { resolveImageReference } from './images.ts';
import type { ScaleDownDelay } from './switch.ts';
import { catalogServices } from './switch.ts';
import type { GroupView } from './view.ts';

export interface SwitchProbeInput {
  /** The probe image, by digest. */
  image: string;
  /** Requests per second to each live Service. */
  rate: number;
  /** Shorter waits for tests; the defaults are PROBE_TIMING. */
  timing?: Partial<ProbeTiming>;
}

export interface ProbeTiming {
  /** The probe must have run this long before the switch: the count before it is the baseline. */
  leadMs: number;
  /** How long the probe goes on after the old color is gone (or after the switch). */
  tailMs: number;
  /** How long its pod may take to start and report (image pull included). */
  startTimeoutMs: number;
  pollMs: number;
}

export const PROBE_TIMING: ProbeTiming = { leadMs: 3000, tailMs: 2000, startTimeoutMs: 120_000, pollMs: 500 };

const START_FAILURES = ['ImagePullBackOff', 'ErrImagePull', 'InvalidImageName', 'CreateContainerConfigError'];
/** Consecutive unreadable logs of a running probe pod before the engine stops waiting for it. */
const UNREADABLE_LOGS_TOLERATED = 3;
const DELETE_TIMEOUT_MS = 60_000;
const TAIL_LINES = 5;

/** The group's probe settings with the image resolved; one clear error when there are none. */
export async function resolveSwitchProbe(group: Group, images: ImageRegistry): Promise<SwitchProbeInput> {
  const probe = group.promotion.probe;
  if (!probe) {
    throw new InputError(
      `${group.file}: promotion.probe is not set, so there is no probe image to run for --probe / probe: true`,
      {
        hint: 'build sample-apps/switch-probe into your registry (build-push-ecr) and set promotion.probe.image, e.g. switch-probe:branch-master',
      },
    );
  }
  return {
    image: await resolveImageReference(probe.image, `${group.file} promotion.probe.image`, images),
    rate: probe.rate,
  };
}

export interface SwitchWindow {
  operation: 'promote' | 'rollback';
  releaseId: string;
  from?: Color | undefined;
  to: Color;
  timeoutMs: number;
  scaleDownDelay: ScaleDownDelay;
}

export interface RunningSwitchProbe {
  /** After the switch and the scale-down (if any): the tail, the count, the Job deleted. */
  finish(): Promise<SwitchProbeRecord>;
  /** The switch did not happen: the Job goes, nothing is recorded. */
  abandon(): Promise<void>;
}

export interface ProbeDeps extends EngineDeps {
  probes: SwitchProbes;
}

/** Starts the probe and returns once it has measured the lead-in; a probe that cannot start measures nothing. */
export async function startSwitchProbe(
  view: GroupView,
  window: SwitchWindow,
  input: SwitchProbeInput,
  deps: ProbeDeps,
  signal: AbortSignal,
): Promise<RunningSwitchProbe> {
  const timing = { ...PROBE_TIMING, ...input.timing };
  const base = {
    operation: window.operation,
    to: window.to,
    rate: input.rate,
    startedAt: nowIso(deps.clock),
  };
  const withFrom = window.from ? { ...base, from: window.from } : base;
  const notMeasured = (note: string): RunningSwitchProbe => ({
    finish: async () => unmeasuredProbe({ ...withFrom, endedAt: nowIso(deps.clock) }, note),
    abandon: async () => {},
  });
  if (!window.from)
    return notMeasured('nothing was live before this switch, so there was no traffic to measure');
  const name = probeJobName(window.releaseId, deps.clock.now());
  const created = await createProbeJob(name, view, window, input, deps);
  const started =
    created ??
    (await awaitLeadIn(name, timing, deps, signal).catch(async (error: unknown) => {
      await deleteQuietly(name, deps);
      throw error;
    }));
  if ('problem' in started) {
    deps.log.warn(`switch probe ${name} measures nothing: ${started.problem}; the switch goes on`);
    await deleteQuietly(name, deps);
    return notMeasured(started.problem);
  }
  const finishing = { name, pod: started.pod, view, oldColor: window.from, timing, withFrom };
  return {
    finish: () => finishProbe({ ...finishing, scalesDown: window.scaleDownDelay !== 'keep' }, deps),
    abandon: () => deleteQuietly(name, deps),
  };
}

/** The probe Job, sending to every live Service; a problem when the cluster refuses it. */
async function createProbeJob(
  name: string,
  view: GroupView,
  window: SwitchWindow,
  input: SwitchProbeInput,
  deps: ProbeDeps,
): Promise<{ problem: string } | undefined> {
  const services = catalogServices(view);
  const delay = window.scaleDownDelay === 'keep' ? undefined : window.scaleDownDelay;
  try {
    await deps.probes.createProbe(
      probeJobSpec({
        name,
        group: view.group.name,
        releaseId: window.releaseId,
        image: input.image,
        targets: probeTargets(services, view.group.namespace),
        rate: input.rate,
        durationMs: probeDurationMs(window.timeoutMs, delay),
      }),
    );
  } catch (error) {
    return {
      problem: `its Job could not be created: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  deps.log.info(`switch probe ${name}: ${input.rate}/s to each of ${services.map((s) => s.name).join(', ')}`);
  return undefined;
}

interface Finishing {
  name: string;
  pod: string;
  view: GroupView;
  oldColor: Color;
  scalesDown: boolean;
  timing: ProbeTiming;
  withFrom: Pick<SwitchProbeRecord, 'operation' | 'from' | 'to' | 'rate' | 'startedAt'>;
}

/**
 * After the switch: until the old color's pods are gone (when it scales down), the tail,
 * the last count, the Job deleted. Never throws: the switch is done by now, and what the
 * probe could not do is its note.
 */
async function finishProbe(probe: Finishing, deps: ProbeDeps): Promise<SwitchProbeRecord> {
  const problems: string[] = [];
  const attempt = <T>(step: () => Promise<T>) =>
    step().catch((error: unknown) => {
      problems.push(error instanceof Error ? error.message : String(error));
      return undefined;
    });
  const gone = probe.scalesDown
    ? await attempt(() => awaitColorGone(probe.view, probe.oldColor, probe.timing, deps))
    : undefined;
  await deps.clock.sleep(probe.timing.tailMs);
  const last = await attempt(() => readReport(probe.name, probe.pod, deps));
  await deleteQuietly(probe.name, deps);
  const ended = { ...probe.withFrom, endedAt: nowIso(deps.clock) };
  if (!last) {
    return unmeasuredProbe(
      ended,
      problems.join('; ') || `the probe's log held no report at the end (${probe.pod})`,
    );
  }
  const record = measuredProbe({ ...ended, until: gone === true ? 'old-color-gone' : 'switched' }, last);
  const notes = [
    ...problems,
    ...(gone === false ? [`${probe.oldColor}'s pods were still there when the probe stopped`] : []),
    ...(last.done ? ['the probe stopped by itself before the end of the window'] : []),
  ];
  return notes.length > 0 ? { ...record, note: notes.join('; ') } : record;
}

type LeadIn = { pod: string } | { problem: string };

/** Polls the probe's pod and log until it has reported for `leadMs`, or says why it never will. */
async function awaitLeadIn(
  name: string,
  timing: ProbeTiming,
  deps: ProbeDeps,
  signal: AbortSignal,
): Promise<LeadIn> {
  const deadline = deps.clock.now() + timing.startTimeoutMs;
  let unreadable = 0;
  for (;;) {
    const [pod] = await deps.probes.probePods(name);
    const container = pod?.containers[0];
    const waiting = container?.waiting?.reason;
    if (pod && waiting && START_FAILURES.includes(waiting)) {
      return {
        problem: `its pod cannot start: ${waiting}${container?.waiting?.message ? ` (${container.waiting.message})` : ''}`,
      };
    }
    if (pod && (pod.phase === 'Running' || pod.phase === 'Succeeded' || pod.phase === 'Failed')) {
      const log = await deps.probes.readLog(pod.name, TAIL_LINES);
      if ('unavailable' in log) {
        unreadable += 1;
        if (unreadable >= UNREADABLE_LOGS_TOLERATED) {
          return {
            problem: `the cluster serves no log of its pod ${pod.name} (${firstLine(log.unavailable)})`,
          };
        }
      } else {
        unreadable = 0;
        const report = lastProbeReport(log.log);
        if (report?.error) return { problem: `it refused its settings: ${report.error}` };
        if (report && report.elapsedMs >= timing.leadMs && !report.done) return { pod: pod.name };
        if (pod.phase !== 'Running') return { problem: `its pod ended (${pod.phase}) before the switch` };
      }
    }
    if (deps.clock.now() >= deadline) {
      return { problem: `it did not report within ${Math.round(timing.startTimeoutMs / 1000)}s` };
    }
    await deps.clock.sleep(timing.pollMs, signal);
  }
}

/** True once no pod of `color` is left in the group's Deployments; false when the wait ran out. */
async function awaitColorGone(
  view: GroupView,
  color: Color,
  timing: ProbeTiming,
  deps: ProbeDeps,
): Promise<boolean> {
  const services = new Set(view.group.services.map((service) => service.name));
  const longestStop = Math.max(0, ...catalogServices(view).map((service) => service.preStopSleepSeconds));
  const deadline = deps.clock.now() + (MIN_TERMINATION_GRACE_SECONDS + longestStop) * 1000 + 15_000;
  for (;;) {
    const { pods } = await deps.cluster.readRolloutSnapshot();
    const left = pods.filter(
      (pod) => pod.color === color && pod.service !== undefined && services.has(pod.service),
    );
    if (left.length === 0) return true;
    if (deps.clock.now() >= deadline) return false;
    await deps.clock.sleep(timing.pollMs);
  }
}

async function readReport(name: string, pod: string, deps: ProbeDeps): Promise<ProbeReport | undefined> {
  const log = await deps.probes.readLog(pod, TAIL_LINES);
  if ('unavailable' in log) {
    deps.log.warn(`switch probe ${name}: could not read its log at the end: ${firstLine(log.unavailable)}`);
    return undefined;
  }
  return lastProbeReport(log.log);
}

/** The probe Job goes; if it cannot, say so (its TTL removes it later) and go on: the switch is done. */
async function deleteQuietly(name: string, deps: ProbeDeps): Promise<void> {
  try {
    await deps.probes.deleteProbe(name, DELETE_TIMEOUT_MS);
  } catch (error) {
    deps.log.warn(
      `could not delete the switch probe Job ${name}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
