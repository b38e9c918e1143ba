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
  /** Seconds a stopping pod keeps serving before its process gets SIGTERM (0: none). */
  preStopSleepSeconds: number;
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

/** The switch probe (switch-color `probe: true`, `greenlight promote --probe`). */
export interface ProbeSpec {
  /** The probe image (sample-apps/switch-probe), resolved like integration.image. */
  image: string;
  /** Requests per second to each live Service. */
  rate: number;
}

export interface PromotionSpec {
  approval?: string;
  requireVerifiedIn: string[];
  probe?: ProbeSpec;
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
/** Long enough for kube-proxy (and most load balancers' health checks) to drop a stopping pod. */
export const DEFAULT_PRESTOP_SLEEP_SECONDS = 5;
export const DEFAULT_PROBE_RATE = 20;

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
