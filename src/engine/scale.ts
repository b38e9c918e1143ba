/**
 * Down and up, for the per-group schedule and by hand: `down` scales every color of the
 * group to zero and keeps its Services and history; `up` brings the live release back to
 * the replicas it was deployed with, and waits for it.
 */
import type { Catalog, Group } from '../core/config/types.ts';
import { EngineError } from '../core/errors.ts';
import { COLORS, type Color } from '../core/naming.ts';
import type { EngineDeps, LockOptions } from './deps.ts';
import { withGroupLock } from './session.ts';
import { colorTargets, scaleColor } from './switch.ts';
import { liveReleaseId } from './view.ts';
import { waitForRollout } from './wait.ts';

export interface ScaleInput extends LockOptions {
  catalog: Catalog;
  group: Group;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

export interface ScaleResult {
  outcome: 'down' | 'up' | 'already-down';
  liveColor: Color | undefined;
  releaseId: string | undefined;
}

export async function scaleGroupDown(input: ScaleInput, deps: EngineDeps): Promise<ScaleResult> {
  return withGroupLock(input, deps, async ({ view, deps: locked }) => {
    const running = COLORS.filter((color) =>
      view.group.services.some(
        (service) => (view.state.services[service.name]?.colors[color]?.replicas ?? 0) > 0,
      ),
    );
    for (const color of running) await scaleColor(view, color, 0, locked);
    locked.log.info(
      running.length > 0
        ? `scaled ${running.join(' and ')} of ${view.group.name} to zero; Services and history kept`
        : `${view.group.name} was already down`,
    );
    return {
      outcome: running.length > 0 ? 'down' : 'already-down',
      liveColor: view.liveColor,
      releaseId: liveReleaseId(view),
    };
  });
}

export async function scaleGroupUp(input: ScaleInput, deps: EngineDeps): Promise<ScaleResult> {
  return withGroupLock(input, deps, async (session) => {
    const { view } = session;
    const live = liveReleaseId(view);
    if (!view.liveColor || !live) {
      throw new EngineError(
        'nothing-live',
        `group ${view.group.name} has no live release to bring up (promote one first)`,
      );
    }
    await scaleColor(view, view.liveColor, 'desired', session.deps);
    const fresh = await session.reread();
    await waitForRollout(
      {
        targets: colorTargets(fresh, view.liveColor, live, { includePreview: false }).map((target) => ({
          ...target,
          endpointServices: [...target.endpointServices, target.service],
        })),
        timeoutMs: input.timeoutMs,
        what: `the live release ${live} (${view.liveColor})`,
        signal: session.signal,
      },
      session.deps,
    );
    return { outcome: 'up', liveColor: view.liveColor, releaseId: live };
  });
}
