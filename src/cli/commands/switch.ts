/** `greenlight promote|reject|rollback GROUP`: the ways a release on standby ends. */
import { parseScaleDownDelay } from '../../core/duration.ts';
import type { SwitchProbes } from '../../core/ports.ts';
import { renderProbeLine } from '../../core/probe.ts';
import { historyEntry } from '../../core/render-engine.ts';
import { requiredGroups } from '../../disk/groups.ts';
import { resolveSwitchProbe, type SwitchProbeInput } from '../../engine/probe.ts';
import {
  promoteRelease,
  rejectRelease,
  rollbackRelease,
  type SwitchOperationResult,
} from '../../engine/promote.ts';
import type { CliIO } from '../command.ts';
import { type GroupContext, groupCommand, printJson } from './group-command.ts';

const COMMON = '[--kubeconfig PATH] [--groups-dir DIR] [--timeout DUR] [--lock-timeout DUR] [--json]';
const DELAY = { 'scale-down-delay': { type: 'string', default: '30s' } } as const;
/** --probe: the group's switch probe (promotion.probe), its image resolved in --registry. */
const PROBE = { probe: { type: 'boolean', default: false }, registry: { type: 'string' } } as const;
const PROBE_USAGE = '[--probe [--registry ecr|HOST]]';

/** The probe settings and its Job port when --probe was given; nothing otherwise. */
async function probeOf(context: GroupContext<typeof PROBE>): Promise<{
  probe?: SwitchProbeInput;
  probes?: SwitchProbes;
}> {
  if (!context.parsed.values.probe) return {};
  // the clients load only when a command needs them: the CLI starts fast
  const [{ connectRegistry }, { switchProbesFor }] = await Promise.all([
    import('../../wiring/connect.ts'),
    import('../../wiring/probe.ts'),
  ]);
  const images = connectRegistry({ registry: context.parsed.values.registry ?? 'ecr', env: context.io.env });
  return {
    probe: await resolveSwitchProbe(context.validated.group, images),
    probes: switchProbesFor(context.client, context.validated.group.namespace),
  };
}

function probeCheck(values: { probe?: boolean; registry?: string }): string | undefined {
  return values.registry !== undefined && !values.probe ? '--registry goes with --probe' : undefined;
}

export const promoteCommand = groupCommand({
  name: 'promote',
  summary:
    'switch every service of a group to its tested standby color, together; refused unless these digests passed',
  usage: `greenlight promote GROUP [--release ID] [--force --reason TEXT] [--scale-down-delay DUR|keep] ${PROBE_USAGE} ${COMMON}`,
  defaultTimeout: '5m',
  options: {
    release: { type: 'string' },
    force: { type: 'boolean', default: false },
    reason: { type: 'string' },
    ...DELAY,
    ...PROBE,
  },
  check: (parsed) =>
    parsed.values.force && !parsed.values.reason?.trim()
      ? '--force needs --reason TEXT: the reason is recorded with the release'
      : !parsed.values.force && parsed.values.reason
        ? '--reason goes with --force'
        : probeCheck(parsed.values),
  async run(context) {
    const { parsed, validated, deps, timeoutMs, lockTimeoutMs, io, json } = context;
    const { probe, probes } = await probeOf(context);
    const result = await promoteRelease(
      {
        ...validated,
        timeoutMs,
        lockTimeoutMs,
        scaleDownDelay: parseScaleDownDelay(parsed.values['scale-down-delay'], '--scale-down-delay'),
        releaseId: parsed.values.release,
        force: parsed.values.force ? { reason: parsed.values.reason?.trim() ?? '' } : undefined,
        requireVerifiedIn: requiredGroups(
          { cwd: io.cwd, groupsDir: parsed.values['groups-dir'] },
          validated.group,
        ),
        signal: deps.signal,
        probe,
      },
      { ...deps, probes },
    );
    return report(io, json, result);
  },
});

export const rejectCommand = groupCommand({
  name: 'reject',
  summary: "scale a group's standby to zero and record the release rejected; live is untouched",
  usage: `greenlight reject GROUP [--release ID] ${COMMON}`,
  defaultTimeout: '5m',
  options: { release: { type: 'string' } },
  async run({ parsed, validated, deps, timeoutMs, lockTimeoutMs, io, json }) {
    const result = await rejectRelease(
      {
        ...validated,
        timeoutMs,
        lockTimeoutMs,
        scaleDownDelay: 'keep',
        releaseId: parsed.values.release,
        signal: deps.signal,
      },
      deps,
    );
    return report(io, json, result);
  },
});

export const rollbackCommand = groupCommand({
  name: 'rollback',
  summary: 'switch a group back to its previous live release (at once when its color is still warm)',
  usage: `greenlight rollback GROUP [--scale-down-delay DUR|keep] ${PROBE_USAGE} ${COMMON}`,
  defaultTimeout: '10m',
  options: { ...DELAY, ...PROBE },
  check: (parsed) => probeCheck(parsed.values),
  async run(context) {
    const { parsed, validated, deps, timeoutMs, lockTimeoutMs, io, json } = context;
    const { probe, probes } = await probeOf(context);
    const result = await rollbackRelease(
      {
        ...validated,
        timeoutMs,
        lockTimeoutMs,
        scaleDownDelay: parseScaleDownDelay(parsed.values['scale-down-delay'], '--scale-down-delay'),
        signal: deps.signal,
        probe,
      },
      { ...deps, probes },
    );
    return report(io, json, result);
  },
});

function report(io: CliIO, json: boolean, result: SwitchOperationResult): number {
  if (json) {
    printJson(io, {
      outcome: result.outcome,
      releaseId: result.releaseId ?? null,
      liveColor: result.liveColor ?? null,
      liveColors: result.liveColors,
      forcedPast: result.forcedPast,
      historyEntry: result.record ? historyEntry(result.record) : null,
      probe: result.probe ?? null,
    });
  } else {
    io.stdout(`${outcomeLine(result)}\n`);
    if (result.probe) io.stdout(`${renderProbeLine(result.probe)}\n`);
  }
  return 0;
}

function outcomeLine(result: SwitchOperationResult): string {
  switch (result.outcome) {
    case 'promoted':
      return `promoted release ${result.releaseId}: live is ${result.liveColor}${result.forcedPast.length ? ' (forced)' : ''}`;
    case 'already-live':
      return `release ${result.releaseId} is already live on ${result.liveColor}: nothing to do`;
    case 'rejected':
      return `rejected release ${result.releaseId}: standby scaled to zero, live (${result.liveColor ?? 'none'}) untouched`;
    case 'nothing-to-reject':
      return 'nothing on standby to reject';
    case 'rolled-back':
      return `rolled back to release ${result.releaseId}: live is ${result.liveColor}`;
  }
}
