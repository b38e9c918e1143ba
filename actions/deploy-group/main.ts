/**
 * deploy-group entry: read and validate the inputs and the group (nothing is contacted
 * before that), then either plan (dry-run) or deploy the group to its standby color, and
 * publish outputs and the job summary.
 */
import * as core from '@actions/core';
import type { Plan } from '../../src/core/plan.ts';
import { renderStatusMarkdown } from '../../src/core/render-engine.ts';
import { planToJson, renderPlanMarkdown } from '../../src/core/render-plan.ts';
import type { ValidatedGroup } from '../../src/disk/groups.ts';
import { deployGroup } from '../../src/engine/deploy.ts';
import { liveColorsOfPlan, previewUrls } from '../../src/engine/outputs.ts';
import { planGroup } from '../../src/engine/plan.ts';
import { statusOf } from '../../src/engine/status.ts';
import { readGroupView } from '../../src/engine/view.ts';
import { actionEngineDeps } from '../../src/runner/engine.ts';
import { connectRegistry } from '../../src/wiring/connect.ts';
import type { DeployGroupInputs } from './inputs.ts';

export async function run(inputs: DeployGroupInputs): Promise<void> {
  const { validated } = inputs;
  const images = connectRegistry({ registry: inputs.registry, env: process.env, region: inputs.awsRegion });
  const deps = actionEngineDeps(validated);
  if (inputs.dryRun) {
    const { plan } = await planGroup(validated, { images, cluster: deps.cluster });
    publish(plan, validated, plan.releaseId, 'planned');
    core.info(
      `plan for ${plan.group}: release ${plan.releaseId} to ${plan.standbyColor} (dry run, nothing written)`,
    );
    await core.summary.addRaw(renderPlanMarkdown(plan)).write();
    return;
  }
  const result = await deployGroup(
    {
      ...validated,
      timeoutMs: inputs.timeoutMs,
      lockTimeoutMs: inputs.lockTimeoutMs,
      keepFailed: inputs.keepFailed,
      signal: deps.signal,
    },
    { ...deps, images },
  );
  const phase = result.record?.phase ?? (result.outcome === 'already-live' ? 'promoted' : 'ready');
  publish(result.plan, validated, result.releaseId, phase);
  core.info(`release ${result.releaseId} on ${result.standbyColor}: ${result.outcome} (${phase})`);
  const status = statusOf(await readGroupView(validated, deps), 5, false);
  await core.summary
    .addRaw(renderPlanMarkdown(result.plan))
    .addRaw(renderStatusMarkdown(status, `Greenlight deploy: ${result.outcome}`))
    .write();
}

function publish(plan: Plan, validated: ValidatedGroup, releaseId: string, phase: string): void {
  core.setOutput('plan', JSON.stringify(planToJson(plan)));
  core.setOutput('release-id', releaseId);
  core.setOutput('standby-color', plan.standbyColor);
  core.setOutput('phase', phase);
  core.setOutput('preview-urls', JSON.stringify(previewUrls(validated, plan.namespace)));
  core.setOutput('live-colors', JSON.stringify(liveColorsOfPlan(plan)));
  // The group's approval environment, for workflows that gate the promotion on it.
  core.setOutput('approval', validated.group.promotion.approval ?? '');
}
