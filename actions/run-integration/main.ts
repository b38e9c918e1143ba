import { GreenlightError } from '../../src/core/errors.ts';
import type { RunIntegrationInputs } from './inputs.ts';

export async function run(inputs: RunIntegrationInputs): Promise<void> {
  throw new GreenlightError(`run-integration: testing group "${inputs.group}" is not available yet`, {
    hint: 'the blue/green engine lands in a later release; the inputs were valid',
  });
}
