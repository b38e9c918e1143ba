/**
 * The single error boundary of every action entry point. Inputs are read and validated
 * first, from a small module; the heavy part (the engine and its clients) is loaded only
 * after that, so a bad input fails fast and the action starts quickly.
 */
import * as core from '@actions/core';
import { describeError, GreenlightError } from '../core/errors.ts';
import type { InputSource } from './inputs.ts';

export const actionsInputSource: InputSource = { get: (name) => core.getInput(name) };

/**
 * Runs an action: `readInputs`, then the body `load` returns. A failure marks the step
 * failed with one clear message (exit code 1), names its kind in the `failure` output and
 * the job summary, so a workflow can branch on it. Then the process ends: a watch the
 * API server never began to answer would otherwise hold it for client-node's 30 s timeout.
 */
export async function runAction<Inputs>(
  readInputs: (source: InputSource) => Inputs,
  load: () => Promise<(inputs: Inputs) => Promise<void>>,
): Promise<void> {
  // The OCI registry password comes from the job's env: out of every log line, whatever fails.
  if (process.env.REGISTRY_PASSWORD) core.setSecret(process.env.REGISTRY_PASSWORD);
  try {
    const inputs = readInputs(actionsInputSource);
    const body = await load();
    await body(inputs);
  } catch (error) {
    if (!(error instanceof GreenlightError)) {
      core.debug(describeError(error));
      core.setFailed(String(error));
    } else {
      core.setOutput('failure', error.kind);
      core.setFailed(describeError(error));
      await writeFailureSummary(error);
    }
  }
  process.exit();
}

async function writeFailureSummary(error: GreenlightError): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  const fence = '```';
  await core.summary
    .addRaw(
      [
        `### Greenlight: ${error.kind}`,
        '',
        `${fence}text\n${error.message}\n${fence}`,
        ...(error.hint ? ['', `**What to do:** ${error.hint}`] : []),
        '',
      ].join('\n'),
    )
    .write();
}
