/**
 * What the next command does about a run that was killed half-way: a switch intent on a
 * record is completed when the color it switched to is ready, and reverted otherwise, so a
 * group never stays split across colors; a scale-down whose delay has passed is done.
 */
import { pendingSwitch, type StoredRelease } from '../core/release.ts';
import { judgeRollout } from '../core/rollout.ts';
import type { EngineDeps } from './deps.ts';
import { nowIso } from './deps.ts';
import { changeRecord } from './records.ts';
import { colorTargets, completeSwitch, revertSwitch, scaleColor } from './switch.ts';
import { type GroupView, readGroupView } from './view.ts';

export async function recoverGroup(
  view: GroupView,
  input: { timeoutMs: number; signal?: AbortSignal | undefined },
  deps: EngineDeps,
): Promise<GroupView> {
  let current = view;
  const stored = [...view.records.values()];
  const pending = pendingSwitch(stored.map((entry) => entry.record));
  if (pending) {
    const entry = view.records.get(pending.id);
    if (entry) await recoverSwitch(current, entry, input, deps);
    current = await readGroupView(current, deps);
  }
  if (await finishDueScaleDowns(current, deps)) current = await readGroupView(current, deps);
  return current;
}

async function recoverSwitch(
  view: GroupView,
  stored: StoredRelease,
  input: { timeoutMs: number; signal?: AbortSignal | undefined },
  deps: EngineDeps,
): Promise<void> {
  const intent = stored.record.switch;
  if (!intent) return;
  const snapshot = await deps.cluster.readRolloutSnapshot();
  const verdict = judgeRollout(
    colorTargets(view, intent.to, stored.record.id, { includePreview: false }),
    snapshot,
  );
  if (verdict.done) {
    deps.log.warn(
      `found an unfinished ${intent.operation} of release ${stored.record.id} to ${intent.to} (started ${intent.startedAt} by ${intent.by}); ${intent.to} is ready, so completing it`,
    );
    await completeSwitch(view, stored, intent, input, deps);
    return;
  }
  deps.log.warn(
    `found an unfinished ${intent.operation} of release ${stored.record.id} to ${intent.to} (started ${intent.startedAt} by ${intent.by}); ${intent.to} is not ready, so putting every live Service back on ${intent.from ?? 'no color'}`,
  );
  await revertSwitch(
    view,
    stored,
    intent,
    new Error('the run was interrupted and its target color is not ready'),
    deps,
  );
}

/** Scale-downs whose delay passed while no run was there to do them. */
async function finishDueScaleDowns(view: GroupView, deps: EngineDeps): Promise<boolean> {
  const now = deps.clock.now();
  let changed = false;
  for (const entry of view.records.values()) {
    const pending = entry.record.scaleDown;
    if (!pending || Date.parse(pending.notBefore) > now) continue;
    if (pending.color !== view.liveColor) await scaleColor(view, pending.color, 0, deps);
    await changeRecord(deps.records, entry.record.id, entry, (record) => {
      if (!record?.scaleDown) return undefined;
      const { scaleDown: _done, ...rest } = record;
      return { ...rest, updatedAt: nowIso(deps.clock) };
    });
    changed = true;
  }
  return changed;
}
