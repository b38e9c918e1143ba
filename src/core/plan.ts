/**
 * The plan: what a deploy of the group would do, per service, computed from the config,
 * the resolved digests and the cluster state. Pure: no I/O, so the CLI, the action and the
 * tests call it with plain values.
 *
 * One color per group: every service goes to the group's standby color. A service whose
 * digest equals its live one is `unchanged` (the live digest is carried to standby, so the
 * group under test is complete); one without a live color is a `first-deploy`, which is
 * still tested on standby before it goes live.
 */
import { createHash } from 'node:crypto';
import type { GroupState, ServiceState } from './cluster.ts';
import type { Catalog, Group, GroupService, ImageSelector } from './config/types.ts';
import { type Color, otherColor } from './naming.ts';
import type { ResolvedImage } from './resolve.ts';

export type ServiceAction = 'deploy' | 'unchanged' | 'first-deploy';

export interface LiveImage {
  color: Color;
  digest?: string;
  branch?: string;
  commit?: string;
}

export interface ServicePlan {
  service: string;
  action: ServiceAction;
  selector: ImageSelector;
  source: GroupService['source'];
  repository: string;
  tag?: string;
  digest: string;
  image: string;
  /** The commit the image was built from, when the registry tells. */
  commit?: string;
  replicas: number;
  live?: LiveImage;
}

export interface Plan {
  group: string;
  namespace: string;
  /** undefined: the identity may not read Namespace objects. */
  namespaceExists: boolean | undefined;
  releaseId: string;
  liveColor?: Color;
  standbyColor: Color;
  services: ServicePlan[];
  warnings: string[];
}

export interface PlanInput {
  catalog: Catalog;
  group: Group;
  resolved: readonly ResolvedImage[];
  state: GroupState;
}

const RELEASE_ID_LENGTH = 16;

/** A release is its exact service -> digest set; the id is a hash of that set, sorted. */
export function releaseIdOf(digests: Readonly<Record<string, string>>): string {
  const lines = Object.entries(digests)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([service, digest]) => `${service}=${digest}\n`);
  return createHash('sha256').update(lines.join('')).digest('hex').slice(0, RELEASE_ID_LENGTH);
}

export function planRelease(input: PlanInput): Plan {
  const { group, state } = input;
  const resolvedByService = new Map(input.resolved.map((image) => [image.service, image]));
  const { liveColor, warnings } = groupLiveColor(state);
  const services = group.services.map((service) => {
    const resolved = resolvedByService.get(service.name);
    if (!resolved) throw new Error(`planRelease: no resolved image for ${service.name}`);
    return planService(service, resolved, input.catalog, state.services[service.name]);
  });
  return {
    group: group.name,
    namespace: group.namespace,
    namespaceExists: state.namespaceExists,
    releaseId: releaseIdOf(Object.fromEntries(services.map((service) => [service.service, service.digest]))),
    ...(liveColor ? { liveColor } : {}),
    standbyColor: liveColor ? otherColor(liveColor) : 'blue',
    services,
    warnings,
  };
}

/**
 * The group's live color. Services of a group should all be live on the same color; if
 * they are not (a half-finished switch by hand), the most common one wins and the plan says so.
 */
function groupLiveColor(state: GroupState): { liveColor?: Color; warnings: string[] } {
  const live = Object.values(state.services).flatMap((service) => (service.liveColor ? [service] : []));
  if (live.length === 0) return { warnings: [] };
  const count = (color: Color) => live.filter((service) => service.liveColor === color).length;
  const liveColor: Color = count('green') > count('blue') ? 'green' : 'blue';
  const strays = live.filter((service) => service.liveColor !== liveColor);
  if (strays.length === 0) return { liveColor, warnings: [] };
  const list = live.map((service) => `${service.service} ${service.liveColor}`).join(', ');
  return {
    liveColor,
    warnings: [`live colors disagree (${list}); the deploy puts every service on ${otherColor(liveColor)}`],
  };
}

function planService(
  service: GroupService,
  resolved: ResolvedImage,
  catalog: Catalog,
  state: ServiceState | undefined,
): ServicePlan {
  const live = liveImageOf(state);
  const action: ServiceAction =
    live === undefined ? 'first-deploy' : live.digest === resolved.digest ? 'unchanged' : 'deploy';
  return {
    service: service.name,
    action,
    selector: service.image,
    source: service.source,
    repository: resolved.repository,
    ...(resolved.tag === undefined ? {} : { tag: resolved.tag }),
    digest: resolved.digest,
    image: resolved.image,
    ...(resolved.commit === undefined ? {} : { commit: resolved.commit }),
    replicas: service.replicas ?? catalog.services.get(service.name)?.replicas ?? 1,
    ...(live ? { live } : {}),
  };
}

function liveImageOf(state: ServiceState | undefined): LiveImage | undefined {
  if (!state?.liveColor) return undefined;
  const color = state.colors[state.liveColor];
  return {
    color: state.liveColor,
    ...(color?.digest === undefined ? {} : { digest: color.digest }),
    ...(color?.branch === undefined ? {} : { branch: color.branch }),
    ...(color?.commit === undefined ? {} : { commit: color.commit }),
  };
}
