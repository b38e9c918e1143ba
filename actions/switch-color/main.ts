/**
 * switch-color entry: promote the tested release on standby (the whole group together),
 * reject it (standby to zero, live untouched), or roll back to the previous live release.
 */
import * as core from '@actions/core';
import { renderProbeLine, renderProbeMarkdown } from '../../src/core/probe.ts';
import { historyEntry, renderStatusMarkdown } from '../../src/core/render-engine.ts';
import { requiredGroups } from '../../src/disk/groups.ts';
import { resolveSwitchProbe } from '../../src/engine/probe.ts';
import {
  promoteRelease,
  rejectRelease,
  rollbackRelease,
  type SwitchOperationResult,
} from '../../src/engine/promote.ts';
import { statusOf } from '../../src/engine/status.ts';
import { readGroupView } from '../../src/engine/view.ts';
import { actionEngineDeps, actionKubeClient } from '../../src/runner/engine.ts';
import { workspace } from '../../src/runner/group-inputs.ts';
import { connectRegistry } from '../../src/wiring/connect.ts';
import { switchProbesFor } from '../../src/wiring/probe.ts';
import type { SwitchColorInputs } from './inputs.ts';

export async function run(inputs: SwitchColorInputs): Promise<void> {
  const { validated } = inputs;
  const deps = actionEngineDeps(validated);
  const common = {
    ...validated,
    timeoutMs: inputs.timeoutMs,
    lockTimeoutMs: inputs.lockTimeoutMs,
    scaleDownDelay: inputs.scaleDownDelay,
    signal: deps.signal,
  };
  const probe = inputs.probe
    ? {
        probe: await resolveSwitchProbe(
          validated.group,
          connectRegistry({ registry: inputs.registry, env: process.env, region: inputs.awsRegion }),
        ),
        probes: switchProbesFor(actionKubeClient(), validated.group.namespace),
      }
    : undefined;
  const result = await operate(
    inputs,
    { ...common, probe: probe?.probe },
    { ...deps, probes: probe?.probes },
  );
  core.setOutput('live-colors', JSON.stringify(result.liveColors));
  core.setOutput('history-entry', JSON.stringify(result.record ? historyEntry(result.record) : null));
  core.setOutput('outcome', result.outcome);
  core.setOutput('probe', JSON.stringify(result.probe ?? null));
  core.info(
    `${inputs.operation} of ${validated.group.name}: ${result.outcome}${result.releaseId ? ` (release ${result.releaseId})` : ''}`,
  );
  if (result.probe) {
    const line = renderProbeLine(result.probe);
    if (result.probe.failed > 0) core.warning(line);
    else core.info(line);
  }
  const status = statusOf(await readGroupView(validated, deps), 5, false);
  await core.summary
    .addRaw(renderStatusMarkdown(status, `Greenlight ${inputs.operation}: ${result.outcome}`))
    .addRaw(result.probe ? `\n${renderProbeMarkdown(result.probe)}` : '')
    .write();
}

function operate(
  inputs: SwitchColorInputs,
  common: Parameters<typeof rollbackRelease>[0],
  deps: Parameters<typeof rollbackRelease>[1],
): Promise<SwitchOperationResult> {
  switch (inputs.operation) {
    case 'promote':
      return promoteRelease(
        {
          ...common,
          releaseId: inputs.releaseId,
          force: inputs.force ? { reason: inputs.reason ?? '' } : undefined,
          requireVerifiedIn: requiredGroups({ cwd: workspace(), groupsDir: inputs.groupsDir }, common.group),
        },
        deps,
      );
    case 'reject':
      return rejectRelease({ ...common, releaseId: inputs.releaseId }, deps);
    case 'rollback':
      return rollbackRelease(common, deps);
  }
}
