/**
 * vitest globalSetup for the `integration` project: starts one local stack for
 * the whole run, hands its StackInfo to tests (`inject('stack')`), and stops it
 * at the end. Test files share it, so each test isolates itself by unique
 * namespaces and repository names (see helpers.ts).
 *
 * GREENLIGHT_STACK_QUIET=1 hides the start-up progress lines.
 */
import type { TestProject } from 'vitest/node';
import { startStack } from './stack.ts';
import './types.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const quiet = process.env.GREENLIGHT_STACK_QUIET === '1';
  const stack = await startStack({
    label: 'greenlight-test-stack',
    lifetime: 'owned',
    log: (line) => {
      if (!quiet) process.stderr.write(`${line}\n`);
    },
  });
  process.stderr.write(`local stack ready in ${stack.state.startupSeconds.toFixed(1)}s: ${stack.info.dir}\n`);
  project.provide('stack', stack.info);
  return async () => {
    await stack.stop();
  };
}
