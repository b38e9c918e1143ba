import { type GroupInputs, readGroupInputs } from '../../src/action/group-inputs.ts';
import { choiceInput, durationInput, type InputSource, optionalInput } from '../../src/action/inputs.ts';
import { GreenlightError } from '../../src/core/errors.ts';

export const MODES = ['auto', 'job', 'command'] as const;

export interface RunIntegrationInputs extends GroupInputs {
  releaseId: string | undefined;
  mode: (typeof MODES)[number];
  timeoutMs: number;
  githubToken: string | undefined;
  reportPath: string;
}

export function readRunIntegrationInputs(source: InputSource): RunIntegrationInputs {
  return {
    ...readGroupInputs(source),
    releaseId: optionalInput(source, 'release-id'),
    mode: choiceInput(source, 'mode', MODES, 'auto'),
    timeoutMs: durationInput(source, 'timeout', '15m'),
    githubToken: optionalInput(source, 'github-token'),
    reportPath: optionalInput(source, 'report-path') ?? 'greenlight-junit.xml',
  };
}

export async function run(source: InputSource): Promise<void> {
  const inputs = readRunIntegrationInputs(source);
  throw new GreenlightError(`run-integration: testing group "${inputs.group}" is not available yet`, {
    hint: 'the blue/green engine lands in a later release; the inputs were valid',
  });
}
