/** The run-integration action's inputs, read and checked before anything else is loaded. */
import { type GroupInputs, readGroupInputs } from '../../src/runner/group-inputs.ts';
import { choiceInput, durationInput, type InputSource, optionalInput } from '../../src/runner/inputs.ts';

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
