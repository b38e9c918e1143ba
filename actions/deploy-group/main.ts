import { type GroupInputs, readGroupInputs } from '../../src/action/group-inputs.ts';
import {
  booleanInput,
  durationInput,
  type InputSource,
  listInput,
  optionalInput,
} from '../../src/action/inputs.ts';
import { GreenlightError } from '../../src/core/errors.ts';

export interface DeployGroupInputs extends GroupInputs {
  overrides: string[];
  registry: string;
  awsRegion: string | undefined;
  timeoutMs: number;
  dryRun: boolean;
}

export function readDeployGroupInputs(source: InputSource): DeployGroupInputs {
  return {
    ...readGroupInputs(source),
    overrides: listInput(source, 'overrides'),
    registry: optionalInput(source, 'registry') ?? 'ecr',
    awsRegion: optionalInput(source, 'aws-region'),
    timeoutMs: durationInput(source, 'timeout', '10m'),
    dryRun: booleanInput(source, 'dry-run', false),
  };
}

export async function run(source: InputSource): Promise<void> {
  const inputs = readDeployGroupInputs(source);
  throw new GreenlightError(`deploy-group: deploying group "${inputs.group}" is not available yet`, {
    hint: 'the blue/green engine lands in a later release; the inputs were valid',
  });
}
