/**
 * build-push-ecr entry: reads the inputs and the runner's environment, runs the flow in
 * src/image-build/flow.ts, and writes outputs and the job summary. Nothing else happens here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as core from '@actions/core';
import type { ECRClient } from '@aws-sdk/client-ecr';
import { InputError } from '../../src/core/errors.ts';
import { createCommandRunner, type Logger } from '../../src/exec/command-runner.ts';
import { type BuildPushResult, runBuildPushEcr } from '../../src/image-build/flow.ts';
import type { BuildPushEcrInputs } from '../../src/image-build/inputs.ts';
import { renderBuildSummary } from '../../src/image-build/summary.ts';
import { createEcrClient } from '../../src/registry/ecr.ts';

const actionsLogger: Logger = { info: core.info, warning: core.warning };

export async function run(inputs: BuildPushEcrInputs): Promise<void> {
  const runner = createCommandRunner(actionsLogger);
  const tempDir = mkdtempSync(join(process.env.RUNNER_TEMP ?? tmpdir(), 'build-push-ecr-'));
  try {
    const result = await runBuildPushEcr(inputs, {
      ecr: lazyEcrClient(inputs),
      runner,
      log: actionsLogger,
      mask: core.setSecret,
      now: new Date(),
      tempDir,
      git: { runner, cwd: process.env.GITHUB_WORKSPACE ?? process.cwd() },
    });
    writeOutputs(result);
    await core.summary.addRaw(renderBuildSummary(result)).write();
  } finally {
    rmSync(tempDir, { recursive: true, force: true });
  }
}

/** Credentials come from the job (aws-actions/configure-aws-credentials through OIDC). */
function lazyEcrClient(inputs: BuildPushEcrInputs): () => ECRClient {
  let client: ECRClient | undefined;
  return () => {
    if (!inputs.awsRegion) {
      throw new InputError('Input "aws-region" is not set, and neither is AWS_REGION in the job environment');
    }
    client ??= createEcrClient({ region: inputs.awsRegion });
    return client;
  };
}

function writeOutputs(result: BuildPushResult): void {
  if (result.event === 'delete') {
    for (const name of ['image', 'digest', 'tags']) core.setOutput(name, '');
    return;
  }
  core.setOutput('image', result.image ?? '');
  core.setOutput('digest', result.digest ?? '');
  core.setOutput('tags', result.tags.join('\n'));
}
