/** The deploy-group action's inputs, read and checked before anything else is loaded. */
import { inputOverrideEntries } from '../../src/core/config/overrides.ts';
import type { ValidatedGroup } from '../../src/disk/groups.ts';
import { type GroupInputs, loadActionGroup, readGroupInputs } from '../../src/runner/group-inputs.ts';
import {
  booleanInput,
  durationInput,
  type InputSource,
  listInput,
  optionalInput,
} from '../../src/runner/inputs.ts';

export interface DeployGroupInputs extends GroupInputs {
  overrides: string[];
  registry: string;
  awsRegion: string | undefined;
  timeoutMs: number;
  lockTimeoutMs: number;
  keepFailed: boolean;
  dryRun: boolean;
  /** The group, the catalog and the overrides, validated. */
  validated: ValidatedGroup;
}

export function readDeployGroupInputs(source: InputSource): DeployGroupInputs {
  const group = readGroupInputs(source);
  const overrides = listInput(source, 'overrides');
  const inputs = {
    ...group,
    overrides,
    registry: optionalInput(source, 'registry') ?? 'ecr',
    awsRegion: optionalInput(source, 'aws-region'),
    timeoutMs: durationInput(source, 'timeout', '10m'),
    lockTimeoutMs: durationInput(source, 'lock-timeout', '10m'),
    keepFailed: booleanInput(source, 'keep-failed', false),
    dryRun: booleanInput(source, 'dry-run', false),
  };
  return { ...inputs, validated: loadActionGroup(group, inputOverrideEntries('overrides', overrides)) };
}
