/** The deploy-group action's inputs, read and checked before anything else is loaded. */
import { type GroupInputs, readGroupInputs } from '../../src/runner/group-inputs.ts';
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
}

export function readDeployGroupInputs(source: InputSource): DeployGroupInputs {
  return {
    ...readGroupInputs(source),
    overrides: listInput(source, 'overrides'),
    registry: optionalInput(source, 'registry') ?? 'ecr',
    awsRegion: optionalInput(source, 'aws-region'),
    timeoutMs: durationInput(source, 'timeout', '10m'),
    lockTimeoutMs: durationInput(source, 'lock-timeout', '10m'),
    keepFailed: booleanInput(source, 'keep-failed', false),
    dryRun: booleanInput(source, 'dry-run', false),
  };
}
