/**
 * The group as it stands: what each color runs, which color is live, which release is on
 * standby, and the records. Every operation starts from this, read after taking the lock.
 */
import { type GroupObjects, type GroupState, groupStateOf } from '../core/cluster.ts';
import type { Catalog, Group } from '../core/config/types.ts';
import { COLORS, type Color, otherColor } from '../core/naming.ts';
import type { ClusterReader, ReleaseStore } from '../core/ports.ts';
import type { StoredRelease } from '../core/release.ts';
import { loadRecords } from './records.ts';

export interface GroupView {
  group: Group;
  catalog: Catalog;
  objects: GroupObjects;
  state: GroupState;
  /** Where most live Services point; undefined before the first promotion. */
  liveColor?: Color;
  /** Services whose live Service points elsewhere than liveColor (a switch done by hand, half-way). */
  strays: string[];
  standbyColor: Color;
  /** The release every service's Deployment of that color carries, when they agree. */
  releaseOn: Partial<Record<Color, string>>;
  records: Map<string, StoredRelease>;
}

export async function readGroupView(
  input: { group: Group; catalog: Catalog },
  deps: { cluster: ClusterReader; records: ReleaseStore },
): Promise<GroupView> {
  const [objects, records] = await Promise.all([deps.cluster.readGroupObjects(), loadRecords(deps.records)]);
  return viewOf(input.group, input.catalog, objects, records);
}

export function viewOf(
  group: Group,
  catalog: Catalog,
  objects: GroupObjects,
  records: Map<string, StoredRelease>,
): GroupView {
  const names = group.services.map((service) => service.name);
  const state = groupStateOf(group.namespace, names, objects);
  const live = Object.values(state.services).flatMap((service) => (service.liveColor ? [service] : []));
  const count = (color: Color) => live.filter((service) => service.liveColor === color).length;
  const liveColor: Color | undefined =
    live.length === 0 ? undefined : count('green') > count('blue') ? 'green' : 'blue';
  const strays = live.filter((service) => service.liveColor !== liveColor).map((service) => service.service);
  const releaseOn: Partial<Record<Color, string>> = {};
  for (const color of COLORS) {
    const releases = new Set(names.map((name) => state.services[name]?.colors[color]?.release));
    const [only] = releases;
    if (releases.size === 1 && only !== undefined) releaseOn[color] = only;
  }
  return {
    group,
    catalog,
    objects,
    state,
    ...(liveColor ? { liveColor } : {}),
    strays,
    standbyColor: liveColor ? otherColor(liveColor) : 'blue',
    releaseOn,
    records,
  };
}

/** The release on the live color, when every service's live Deployment carries the same one. */
export function liveReleaseId(view: GroupView): string | undefined {
  return view.liveColor ? view.releaseOn[view.liveColor] : undefined;
}

export function standbyReleaseId(view: GroupView): string | undefined {
  return view.releaseOn[view.standbyColor];
}

/** Replicas each service's Deployment of `color` should run when up (from the deploy's annotation). */
export function desiredReplicasOn(view: GroupView, color: Color): Map<string, number> {
  return new Map(
    view.group.services.map((service) => {
      const deployed = view.state.services[service.name]?.colors[color];
      return [service.name, deployed?.desiredReplicas ?? deployed?.replicas ?? 0] as const;
    }),
  );
}

/** Whether every service's Deployment of `color` is scaled to zero (or absent). */
export function isScaledDown(view: GroupView, color: Color): boolean {
  return view.group.services.every(
    (service) => (view.state.services[service.name]?.colors[color]?.replicas ?? 0) === 0,
  );
}
