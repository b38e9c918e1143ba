/**
 * What a test tier does when a tool it needs is missing. Outside CI a person may lack a
 * tool (no root, no terraform): the tier is skipped with one line saying what did not
 * run. Under CI (`CI=true`, as GitHub and `.ci/run` set it) a missing tool is a failure
 * with the reason, so a green run never hides a tier that silently did not run.
 */

export function isCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.CI?.toLowerCase();
  return value !== undefined && value !== '' && value !== 'false' && value !== '0';
}

export class MissingTierToolError extends Error {
  override name = 'MissingTierToolError';
}

/**
 * Reports that `what` cannot run because of `reason`: throws under CI, else prints one
 * line and returns, so the caller skips.
 */
export function tierCannotRun(what: string, reason: string, env: NodeJS.ProcessEnv = process.env): void {
  if (isCi(env)) {
    throw new MissingTierToolError(
      `${what} cannot run: ${reason} (CI is set, so a missing tool fails instead of skipping; run \`bash test/stack/install.sh\`)`,
    );
  }
  console.warn(`${what} did NOT run: ${reason}`);
}
