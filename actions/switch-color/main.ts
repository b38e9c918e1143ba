/**
 * switch-color entry: promote the tested release on standby (the whole group together),
 * reject it (standby to zero, live untouched), or roll back to the previous live release.
 */
import * as core from '@actions/core';
import { historyEntry, renderStatusMarkdown } from '../../src/core/render-engine.ts';
import { requiredGroups } from '../../src/disk/groups.ts';
import {
  promoteRelease,
  rejectRelease,
  rollbackRelease,
  type SwitchOperationResult,
} from '../../src/engine/promote.ts';
import { statusOf } from '../../src/engine/status.ts';
import { readGroupView } from '../../src/engine/view.ts';
import { actionEngineDeps } from '../../src/runner/engine.ts';
import { workspace } from '../../src/runner/group-inputs.ts';
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
  const result = await operate(inputs, common, deps);
  core.setOutput('live-colors', JSON.stringify(result.liveColors));
  core.setOutput('history-entry', JSON.stringify(result.record ? historyEntry(result.record) : null));
  core.setOutput('outcome', result.outcome);
  core.info(
    `${inputs.operation} of ${validated.group.name}: ${result.outcome}${result.releaseId ? ` (release ${result.releaseId})` : ''}`,
  );
  const status = statusOf(await readGroupView(validated, deps), 5, false);
  await core.summary
    .addRaw(renderStatusMarkdown(status, `Greenlight ${inputs.operation}: ${result.outcome}`))
    .write();
}

function operate(
  inputs: SwitchColorInputs,
  common: Parameters<typeof rejectRelease>[0],
  deps: ReturnType<typeof actionEngineDeps>,
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
