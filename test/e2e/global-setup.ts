/**
 * vitest globalSetup for the `e2e` project: starts one local stack with a real
 * node (pods really run: test/stack/real-nodes/) for the whole run and hands
 * its StackInfo to tests (`inject('e2e')`). Without root or the real-node tools
 * the tier is skipped with one line, except under CI, where that fails
 * (test/support/tier.ts).
 *
 * GREENLIGHT_STACK_QUIET=1 hides the start-up progress lines.
 */
import type { TestProject } from 'vitest/node';
import { resolveNodeTools } from '../stack/real-nodes/node.ts';
import { startStack } from '../stack/stack.ts';
import { MissingToolError, systemBinary, toolPath } from '../stack/tools.ts';
import { tierCannotRun } from '../support/tier.ts';
import './types.ts';

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  try {
    resolveNodeTools();
    // the load generator and the image builder of the tests
    toolPath('vegeta');
    systemBinary('buildah');
  } catch (error) {
    if (!(error instanceof MissingToolError)) throw error;
    tierCannotRun('e2e (the real-node tier)', error.message);
    project.provide('e2e', { skipped: error.message });
    return undefined;
  }
  const quiet = process.env.GREENLIGHT_STACK_QUIET === '1';
  const stack = await startStack({
    label: 'greenlight-e2e-stack',
    lifetime: 'owned',
    realNodes: true,
    log: (line) => {
      if (!quiet) process.stderr.write(`${line}\n`);
    },
  });
  process.stderr.write(
    `local stack with a real node ready in ${stack.state.startupSeconds.toFixed(1)}s: ${stack.info.dir}\n`,
  );
  project.provide('e2e', { stack: stack.info });
  return async () => {
    await stack.stop();
  };
}
