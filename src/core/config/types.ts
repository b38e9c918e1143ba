/** The validated, typed forms of the config files, with defaults applied. */

export type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer';

export interface Quantities {
  cpu?: string;
  memory?: string;
}

export interface CatalogService {
  name: string;
  repository: string;
  port: number;
  readinessPath: string;
  livenessPath: string;
  replicas: number;
  resources: { requests?: Quantities; limits?: Quantities };
  env: Record<string, string>;
  calls: string[];
  githubRepository?: string;
  serviceType: ServiceType;
}

export interface Catalog {
  file: string;
  services: ReadonlyMap<string, CatalogService>;
}

/** Which image of a service a group deploys. */
export type ImageSelector =
  | { kind: 'branch'; branch: string }
  | { kind: 'tag'; tag: string }
  | { kind: 'digest'; digest: string };

export interface GroupService {
  name: string;
  image: ImageSelector;
  /** Where the selector came from: the group file, its default branch, or an override. */
  source: 'group' | 'default-branch' | 'override';
  replicas?: number;
}

export interface IntegrationSpec {
  mode: 'job' | 'command';
  /** Test image (mode job) or command (mode command). */
  run: string;
  timeout: string;
  env: Record<string, string>;
  /** A command runs without a shell unless the group names one. */
  shell?: 'sh' | 'bash';
  /** Where a command reaches the standby from: forwarded local ports, or the in-cluster names. */
  urls: 'port-forward' | 'in-cluster';
}

export interface PromotionSpec {
  approval?: string;
  requireVerifiedIn: string[];
}

export interface ScheduleSpec {
  up?: string;
  down?: string;
  timezone: string;
}

export interface Group {
  name: string;
  file: string;
  namespace: string;
  defaultBranch: string;
  services: GroupService[];
  integration?: IntegrationSpec;
  promotion: PromotionSpec;
  schedule?: ScheduleSpec;
}

export const DEFAULT_BRANCH = 'master';
export const DEFAULT_TEST_TIMEOUT = '10m';

export function describeSelector(image: ImageSelector): string {
  switch (image.kind) {
    case 'branch':
      return `branch ${image.branch}`;
    case 'tag':
      return `tag ${image.tag}`;
    case 'digest':
      return `digest ${image.digest}`;
  }
}
