/** The run-integration action's inputs, read and checked before anything else is loaded. */
import type { ValidatedGroup } from '../../src/disk/groups.ts';
import { type GroupInputs, loadActionGroup, readGroupInputs } from '../../src/runner/group-inputs.ts';
import {
  booleanInput,
  choiceInput,
  durationInput,
  type InputSource,
  optionalInput,
} from '../../src/runner/inputs.ts';

export const MODES = ['auto', 'job', 'command'] as const;
export const URLS = ['group', 'port-forward', 'in-cluster'] as const;

export interface RunIntegrationInputs extends GroupInputs {
  releaseId: string | undefined;
  mode: (typeof MODES)[number];
  urls: (typeof URLS)[number];
  registry: string;
  awsRegion: string | undefined;
  timeoutMs: number;
  lockTimeoutMs: number;
  githubToken: string | undefined;
  reportPath: string;
  failOnFailure: boolean;
  validated: ValidatedGroup;
}

export function readRunIntegrationInputs(source: InputSource): RunIntegrationInputs {
  const group = readGroupInputs(source);
  const inputs = {
    ...group,
    releaseId: optionalInput(source, 'release-id'),
    mode: choiceInput(source, 'mode', MODES, 'auto'),
    urls: choiceInput(source, 'urls', URLS, 'group'),
    registry: optionalInput(source, 'registry') ?? 'ecr',
    awsRegion: optionalInput(source, 'aws-region'),
    timeoutMs: durationInput(source, 'timeout', '30m'),
    lockTimeoutMs: durationInput(source, 'lock-timeout', '10m'),
    githubToken: optionalInput(source, 'github-token'),
    reportPath: optionalInput(source, 'report-path') ?? 'greenlight-junit.xml',
    failOnFailure: booleanInput(source, 'fail-on-failure', true),
  };
  return { ...inputs, validated: loadActionGroup(group) };
}
