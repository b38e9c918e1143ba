import { type GroupInputs, readGroupInputs } from '../../src/action/group-inputs.ts';
import { choiceInput, durationInput, type InputSource, optionalInput } from '../../src/action/inputs.ts';
import { GreenlightError, InputError } from '../../src/core/errors.ts';

export const OPERATIONS = ['promote', 'reject', 'rollback'] as const;

export interface SwitchColorInputs extends GroupInputs {
  operation: (typeof OPERATIONS)[number];
  releaseId: string | undefined;
  scaleDownDelayMs: number;
  timeoutMs: number;
}

export function readSwitchColorInputs(source: InputSource): SwitchColorInputs {
  const inputs: SwitchColorInputs = {
    ...readGroupInputs(source),
    operation: choiceInput(source, 'operation', OPERATIONS),
    releaseId: optionalInput(source, 'release-id'),
    scaleDownDelayMs: durationInput(source, 'scale-down-delay', '30s'),
    timeoutMs: durationInput(source, 'timeout', '5m'),
  };
  if (inputs.operation === 'promote' && !inputs.releaseId) {
    throw new InputError(
      'Input "release-id" is required when operation is promote: only a tested release can go live',
    );
  }
  return inputs;
}

export async function run(source: InputSource): Promise<void> {
  const inputs = readSwitchColorInputs(source);
  throw new GreenlightError(
    `switch-color: ${inputs.operation} of group "${inputs.group}" is not available yet`,
    {
      hint: 'the blue/green engine lands in a later release; the inputs were valid',
    },
  );
}
