/** The single error boundary of every action entry point. */
import * as core from '@actions/core';
import { describeError, GreenlightError } from '../core/errors.ts';
import type { InputSource } from './inputs.ts';

export const actionsInputSource: InputSource = { get: (name) => core.getInput(name) };

/** Runs an action body; a failure marks the step failed with one clear message (exit code 1). */
export async function runAction(body: (inputs: InputSource) => Promise<void>): Promise<void> {
  try {
    await body(actionsInputSource);
  } catch (error) {
    if (!(error instanceof GreenlightError)) core.debug(describeError(error));
    core.setFailed(error instanceof GreenlightError ? describeError(error) : String(error));
  }
}
