import * as core from '@actions/core';
import { type GroupInputs, readGroupInputs } from '../../src/action/group-inputs.ts';
import {
  booleanInput,
  durationInput,
  type InputSource,
  listInput,
  optionalInput,
} from '../../src/action/inputs.ts';
import { inputOverrideEntries } from '../../src/core/config/overrides.ts';
import { GreenlightError } from '../../src/core/errors.ts';
import type { Plan } from '../../src/core/plan.ts';
import {
  connectForPlan,
  loadGroupWithOverrides,
  planValidatedGroup,
  type ValidatedGroup,
} from '../../src/core/plan-group.ts';
import { planToJson, renderPlanMarkdown } from '../../src/core/render-plan.ts';
import { previewServiceUrl } from '../../src/kube/model.ts';

export interface DeployGroupInputs extends GroupInputs {
  overrides: string[];
  registry: string;
  awsRegion: string | undefined;
  timeoutMs: number;
  dryRun: boolean;
}

export function readDeployGroupInputs(source: InputSource): DeployGroupInputs {
  return {
    ...readGroupInputs(source),
    overrides: listInput(source, 'overrides'),
    registry: optionalInput(source, 'registry') ?? 'ecr',
    awsRegion: optionalInput(source, 'aws-region'),
    timeoutMs: durationInput(source, 'timeout', '10m'),
    dryRun: booleanInput(source, 'dry-run', false),
  };
}

export async function run(source: InputSource): Promise<void> {
  const inputs = readDeployGroupInputs(source);
  // Validation first, before any network call or write.
  const validated = loadGroupWithOverrides(
    { cwd: process.cwd(), groupsDir: inputs.groupsDir },
    inputs.group,
    inputOverrideEntries('overrides', inputs.overrides),
  );
  if (!inputs.dryRun) {
    throw new GreenlightError(
      `deploy-group: group "${validated.group.name}" is valid, but deploying arrives with the blue/green engine`,
      { hint: 'set dry-run: true to validate, resolve and plan without writing' },
    );
  }
  // The OCI registry password comes from the job's env; keep it out of every log line.
  if (process.env.REGISTRY_PASSWORD) core.setSecret(process.env.REGISTRY_PASSWORD);
  const plan = await planDryRun(validated, inputs, process.env);
  publishPlan(plan, validated);
  await core.summary.addRaw(renderPlanMarkdown(plan)).write();
}

function planDryRun(
  validated: ValidatedGroup,
  inputs: DeployGroupInputs,
  env: NodeJS.ProcessEnv,
): Promise<Plan> {
  return planValidatedGroup(
    validated,
    connectForPlan({ registry: inputs.registry, env, region: inputs.awsRegion }),
  );
}

function publishPlan(plan: Plan, validated: ValidatedGroup): void {
  core.setOutput('plan', JSON.stringify(planToJson(plan)));
  core.setOutput('release-id', plan.releaseId);
  core.setOutput('standby-color', plan.standbyColor);
  const previews = Object.fromEntries(
    plan.services.map((service) => {
      const port = validated.catalog.services.get(service.service)?.port ?? 80;
      return [service.service, previewServiceUrl(service.service, plan.namespace, port)];
    }),
  );
  core.setOutput('preview-urls', JSON.stringify(previews));
  core.info(
    `plan for ${plan.group}: release ${plan.releaseId} to ${plan.standbyColor} (dry run, nothing written)`,
  );
}
