/** The build-push-ecr action's inputs, with the event that triggered the job, read before anything else is loaded. */
import { existsSync, readFileSync } from 'node:fs';
import {
  type BuildPushEcrInputs,
  githubEventFrom,
  readBuildPushEcrInputs,
} from '../../src/image-build/inputs.ts';
import type { InputSource } from '../../src/runner/inputs.ts';

export function readActionInputs(source: InputSource): BuildPushEcrInputs {
  return readBuildPushEcrInputs(source, githubEventFrom(process.env, readEventPayload()));
}

function readEventPayload(): unknown {
  const path = process.env.GITHUB_EVENT_PATH;
  return path && existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : undefined;
}
