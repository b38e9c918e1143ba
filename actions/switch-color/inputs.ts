/** The switch-color action's inputs, read and checked before anything else is loaded. */
import { parseScaleDownDelay } from '../../src/core/duration.ts';
import { InputError } from '../../src/core/errors.ts';
import type { ValidatedGroup } from '../../src/disk/groups.ts';
import { type GroupInputs, loadActionGroup, readGroupInputs } from '../../src/runner/group-inputs.ts';
import {
  booleanInput,
  choiceInput,
  durationInput,
  type InputSource,
  optionalInput,
} from '../../src/runner/inputs.ts';

type ScaleDownDelay = ReturnType<typeof parseScaleDownDelay>;

export const OPERATIONS = ['promote', 'reject', 'rollback'] as const;

export interface SwitchColorInputs extends GroupInputs {
  operation: (typeof OPERATIONS)[number];
  releaseId: string | undefined;
  force: boolean;
  reason: string | undefined;
  scaleDownDelay: ScaleDownDelay;
  timeoutMs: number;
  lockTimeoutMs: number;
  /** Run the group's switch probe across a promote or rollback. */
  probe: boolean;
  registry: string;
  awsRegion: string | undefined;
  validated: ValidatedGroup;
}

export function readSwitchColorInputs(source: InputSource): SwitchColorInputs {
  const inputs: Omit<SwitchColorInputs, 'validated'> = {
    ...readGroupInputs(source),
    operation: choiceInput(source, 'operation', OPERATIONS),
    releaseId: optionalInput(source, 'release-id'),
    force: booleanInput(source, 'force', false),
    reason: optionalInput(source, 'reason'),
    scaleDownDelay: parseScaleDownDelay(source.get('scale-down-delay') || '30s', 'Input "scale-down-delay"'),
    timeoutMs: durationInput(source, 'timeout', '5m'),
    lockTimeoutMs: durationInput(source, 'lock-timeout', '10m'),
    probe: booleanInput(source, 'probe', false),
    registry: optionalInput(source, 'registry') ?? 'ecr',
    awsRegion: optionalInput(source, 'aws-region'),
  };
  if (inputs.force && !inputs.reason) {
    throw new InputError('Input "reason" is required with force: true; it is recorded with the release');
  }
  if (inputs.force && inputs.operation !== 'promote') {
    throw new InputError(`Input "force" applies to promote only, not to ${inputs.operation}`);
  }
  if (inputs.probe && inputs.operation === 'reject') {
    throw new InputError(
      'Input "probe" applies to promote and rollback, not to reject: reject switches nothing',
    );
  }
  return { ...inputs, validated: loadActionGroup(inputs) };
}
