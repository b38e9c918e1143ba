/**
 * run-integration entry: test the group's standby together (a Job in the namespace, or a
 * command here), record the verification, tell the team, publish outputs and the summary.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as core from '@actions/core';
import { EngineError } from '../../src/core/errors.ts';
import { runIntegrationTests } from '../../src/engine/test-run.ts';
import { actionEngineDeps } from '../../src/runner/engine.ts';
import { workspace } from '../../src/runner/group-inputs.ts';
import { withoutActionInputs } from '../../src/runner/inputs.ts';
import { connectKube, connectRegistry, lazyRegistry } from '../../src/wiring/connect.ts';
import { teamReporterFor, testDepsFor } from '../../src/wiring/testing.ts';
import type { RunIntegrationInputs } from './inputs.ts';

export async function run(inputs: RunIntegrationInputs): Promise<void> {
  if (inputs.githubToken) core.setSecret(inputs.githubToken);
  const { validated } = inputs;
  const deps = actionEngineDeps(validated);
  const images = lazyRegistry(() =>
    connectRegistry({ registry: inputs.registry, env: process.env, region: inputs.awsRegion }),
  );
  const reporter = teamReporterFor(inputs.githubToken, process.env, deps.log);
  const result = await runIntegrationTests(
    {
      ...validated,
      timeoutMs: inputs.timeoutMs,
      lockTimeoutMs: inputs.lockTimeoutMs,
      releaseId: inputs.releaseId,
      mode: inputs.mode,
      ...(inputs.urls === 'group' ? {} : { urls: inputs.urls }),
      cwd: workspace(),
    },
    testDepsFor(deps, connectKube(process.env), {
      images,
      // the test command's environment: the job's, never the action's inputs (the token)
      env: withoutActionInputs(process.env),
      reporter,
      tempRoot: process.env.RUNNER_TEMP,
    }),
  );
  const reportPath = resolve(workspace(), inputs.reportPath);
  if (result.junitXml !== undefined) writeFileSync(reportPath, result.junitXml);
  core.setOutput('passed', String(result.passed));
  core.setOutput('tests', String(result.totals.tests));
  core.setOutput('failures', String(result.totals.failures));
  core.setOutput('errors', String(result.totals.errors));
  core.setOutput('skipped', String(result.totals.skipped));
  core.setOutput('report-path', result.junitXml === undefined ? '' : reportPath);
  core.setOutput('release-id', result.releaseId);
  await core.summary.addRaw(result.summary).write();
  if (!result.passed && inputs.failOnFailure) {
    throw new EngineError(
      result.failure ?? 'test-failed',
      `the integration tests of release ${result.releaseId} did not pass`,
    );
  }
}
