/** `greenlight deploy GROUP`: the whole group to its standby color; exit 0 when standby is ready. */
import { cliOverrideEntries } from '../../core/config/overrides.ts';
import { planToJson, renderPlanTable } from '../../core/render-plan.ts';
import { deployGroup } from '../../engine/deploy.ts';
import { previewUrls } from '../../engine/outputs.ts';
import { groupCommand, printJson } from './group-command.ts';

const USAGE =
  'greenlight deploy GROUP [--set SVC=BRANCH]... [--registry ecr|HOST] [--kubeconfig PATH] [--groups-dir DIR] [--timeout DUR] [--lock-timeout DUR] [--keep-failed] [--json]';

export const deployCommand = groupCommand({
  name: 'deploy',
  summary:
    'deploy every service of a group to its standby color and wait until it is ready; live is untouched',
  usage: USAGE,
  defaultTimeout: '10m',
  options: {
    set: { type: 'string', multiple: true, default: [] as string[] },
    registry: { type: 'string' },
    'keep-failed': { type: 'boolean', default: false },
  },
  overrides: (parsed) => cliOverrideEntries(parsed.values.set),
  async run({ parsed, validated, deps, timeoutMs, lockTimeoutMs, io, json }) {
    const { connectRegistry } = await import('../../wiring/connect.ts');
    const images = connectRegistry({ registry: parsed.values.registry ?? 'ecr', env: io.env });
    const result = await deployGroup(
      {
        ...validated,
        timeoutMs,
        lockTimeoutMs,
        keepFailed: parsed.values['keep-failed'],
        signal: deps.signal,
      },
      { ...deps, images },
    );
    const phase = result.record?.phase ?? (result.outcome === 'already-live' ? 'promoted' : 'ready');
    if (json) {
      printJson(io, {
        releaseId: result.releaseId,
        standbyColor: result.standbyColor,
        phase,
        outcome: result.outcome,
        previewUrls: previewUrls(validated, result.plan.namespace),
        plan: planToJson(result.plan),
      });
    } else {
      io.stdout(renderPlanTable(result.plan));
      io.stdout(`${deployLine(result.outcome, result.releaseId, result.standbyColor, phase)}\n`);
    }
    return 0;
  },
});

function deployLine(outcome: string, releaseId: string, color: string, phase: string): string {
  if (outcome === 'already-live') return `release ${releaseId} is already live: nothing to deploy`;
  if (outcome === 'already-on-standby')
    return `release ${releaseId} already stands ready on ${color} (${phase}): nothing written`;
  return `release ${releaseId} is ready on ${color}, awaiting tests`;
}
