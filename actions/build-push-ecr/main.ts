import { type InputSource, optionalInput, requiredInput } from '../../src/action/inputs.ts';
import { GreenlightError } from '../../src/core/errors.ts';

export interface BuildPushEcrInputs {
  repository: string;
  context: string;
  dockerfile: string | undefined;
  awsRegion: string | undefined;
}

export function readBuildPushEcrInputs(source: InputSource): BuildPushEcrInputs {
  return {
    repository: requiredInput(source, 'repository'),
    context: optionalInput(source, 'context') ?? '.',
    dockerfile: optionalInput(source, 'dockerfile'),
    awsRegion: optionalInput(source, 'aws-region'),
  };
}

export async function run(source: InputSource): Promise<void> {
  const inputs = readBuildPushEcrInputs(source);
  throw new GreenlightError(`build-push-ecr: building ${inputs.repository} is not available yet`);
}
