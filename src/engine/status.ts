/**
 * Status: per service what runs live and on standby, the group's phase and its history.
 * Read-only, except for one thing: a switch a killed run left half-done is finished (or
 * reverted) here too, when no other run holds the lock, so the group ends on one color.
 */
import type { Catalog, Group } from '../core/config/types.ts';
import { EngineError } from '../core/errors.ts';
import type { Color } from '../core/naming.ts';
import { newestFirst, pendingSwitch } from '../core/release.ts';
import type { ColorSummaryView, StatusView } from '../core/render-engine.ts';
import type { EngineDeps } from './deps.ts';
import { withGroupLock } from './session.ts';
import { type GroupView, isScaledDown, liveReleaseId, readGroupView, standbyReleaseId } from './view.ts';

export interface StatusInput {
  catalog: Catalog;
  group: Group;
  historyLimit?: number;
  timeoutMs: number;
}

export type GroupStatus = StatusView;

export async function groupStatus(input: StatusInput, deps: EngineDeps): Promise<GroupStatus> {
  let view = await readGroupView(input, deps);
  let recovered = false;
  const pending = pendingSwitch([...view.records.values()].map((entry) => entry.record));
  if (pending) {
    try {
      view = await withGroupLock({ ...input, lockTimeoutMs: 0 }, deps, async (session) => session.view);
      recovered = true;
    } catch (error) {
      // Held by a live run: it is switching right now; report that instead of waiting.
      if (!(error instanceof EngineError && error.kind === 'lock-held')) throw error;
    }
  }
  return statusOf(view, input.historyLimit ?? 10, recovered);
}

export function statusOf(view: GroupView, historyLimit: number, recovered: boolean): GroupStatus {
  const records = newestFirst([...view.records.values()].map((entry) => entry.record));
  const live = liveReleaseId(view);
  const onStandby = standbyReleaseId(view);
  const standbyRecord = onStandby ? view.records.get(onStandby)?.record : undefined;
  const liveRecord = live ? view.records.get(live)?.record : undefined;
  // The group's phase is its candidate's while one is in play on standby, else its live release's.
  const candidate =
    standbyRecord !== undefined &&
    ['deploying', 'ready', 'verified', 'failed'].includes(standbyRecord.phase) &&
    !isScaledDown(view, view.standbyColor);
  const pending = records.find((record) => record.switch);
  return {
    group: view.group.name,
    namespace: view.group.namespace,
    liveColor: view.liveColor ?? null,
    liveReleaseId: live ?? null,
    strays: view.strays,
    down: view.liveColor !== undefined && isScaledDown(view, view.liveColor),
    phase: (candidate ? standbyRecord?.phase : liveRecord?.phase) ?? standbyRecord?.phase ?? 'empty',
    standby: {
      color: view.standbyColor,
      releaseId: onStandby ?? null,
      phase: standbyRecord?.phase ?? null,
    },
    services: view.group.services.map((service) => {
      const state = view.state.services[service.name];
      const liveColor = state?.liveColor;
      return {
        service: service.name,
        live: liveColor ? summary(view, service.name, liveColor) : null,
        standby: summary(view, service.name, view.standbyColor),
      };
    }),
    history: records.slice(0, historyLimit),
    switching: pending?.switch
      ? { by: pending.switch.by, to: pending.switch.to, startedAt: pending.switch.startedAt }
      : null,
    recovered,
  };
}

function summary(view: GroupView, service: string, color: Color): ColorSummaryView | null {
  const state = view.state.services[service]?.colors[color];
  if (!state) return null;
  return {
    color,
    digest: state.digest ?? null,
    branch: state.branch ?? null,
    commit: state.commit ?? null,
    release: state.release ?? null,
    readyReplicas: state.readyReplicas,
    replicas: state.replicas,
  };
}
