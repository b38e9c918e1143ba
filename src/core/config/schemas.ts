/**
 * The two config files, described once: `groups/services.yaml` (the catalog) and
 * `groups/<group>.yaml`. The validator and the JSON Schemas for editors both come from here.
 */
import {
  branchProblem,
  CPU_QUANTITY,
  cpuProblem,
  cronProblem,
  DIGEST,
  DNS_LABEL,
  DURATION_PATTERN,
  digestProblem,
  durationProblem,
  envNameProblem,
  GITHUB_REPOSITORY,
  githubRepositoryProblem,
  HTTP_PATH,
  httpPathProblem,
  IMAGE_REF,
  imageRefProblem,
  knownTimezones,
  MEMORY_QUANTITY,
  memoryProblem,
  namespaceProblem,
  REPOSITORY,
  repositoryProblem,
  serviceNameProblem,
  TAG,
  tagProblem,
  timezoneProblem,
} from './rules.ts';
import type { ObjectSpec, StringSpec } from './spec.ts';

export const MAX_REPLICAS = 50;
export const MAX_PRESTOP_SLEEP_SECONDS = 120;
export const MAX_PROBE_RATE = 200;

const serviceName: StringSpec = {
  type: 'string',
  expected: 'a service name',
  description: 'A service of the catalog: lowercase letters, digits and "-", at most 55 characters.',
  problem: serviceNameProblem,
  pattern: /^[a-z]([-a-z0-9]{0,53}[a-z0-9])?$/,
};

const branch: StringSpec = {
  type: 'string',
  expected: 'a git branch name',
  description:
    "A git branch; its last-good image (tag branch-<sanitized name>) is deployed. Git's check-ref-format rules apply.",
  problem: branchProblem,
  // A regex cannot say every git rule; the validator checks them all.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: git refuses control characters
  pattern: /^(?!-)(?!.*\.\.)(?!.*\/\/)(?!.*@\{)[^\x00-\x20\x7f~^:?*[\\]+$/,
  examples: ['master', 'feature/login'],
};

const replicas = (description: string) =>
  ({ type: 'integer', description, minimum: 1, maximum: MAX_REPLICAS }) as const;

const quantities: ObjectSpec = {
  type: 'object',
  description: 'CPU and memory, in Kubernetes quantities.',
  fields: {
    cpu: {
      spec: {
        type: 'string',
        expected: 'a CPU quantity',
        description: 'e.g. 250m, 1, 0.5',
        problem: cpuProblem,
        pattern: CPU_QUANTITY,
        acceptNumbers: true,
      },
    },
    memory: {
      spec: {
        type: 'string',
        expected: 'a memory quantity',
        description: 'e.g. 64Mi, 1Gi',
        problem: memoryProblem,
        pattern: MEMORY_QUANTITY,
        acceptNumbers: true,
      },
    },
  },
};

const envMap = (description: string) =>
  ({
    type: 'map',
    description,
    key: {
      type: 'string',
      expected: 'an environment variable name',
      description: 'Letters, digits and "_"; the GREENLIGHT_ prefix is reserved.',
      problem: envNameProblem,
      pattern: /^(?!GREENLIGHT_)[A-Za-z_][A-Za-z0-9_]*$/,
    },
    value: {
      type: 'string',
      expected: 'a string',
      description: 'The value; quote numbers and booleans.',
    },
  }) as const;

const httpPath = (description: string): StringSpec => ({
  type: 'string',
  expected: 'an HTTP path',
  description,
  problem: httpPathProblem,
  pattern: HTTP_PATH,
});

export const CATALOG_SERVICE_SPEC: ObjectSpec = {
  type: 'object',
  description: 'One deployable service.',
  fields: {
    repository: {
      required: true,
      spec: {
        type: 'string',
        expected: 'a repository name',
        description: 'ECR repository name, or the image path in another registry (e.g. team/hello-a).',
        problem: repositoryProblem,
        pattern: REPOSITORY,
      },
    },
    port: {
      required: true,
      spec: {
        type: 'integer',
        description: 'The container port the service listens on.',
        minimum: 1,
        maximum: 65535,
      },
    },
    readinessPath: { spec: httpPath('HTTP path of the readiness probe (default /).') },
    livenessPath: { spec: httpPath('HTTP path of the liveness probe (default: the readiness path).') },
    replicas: { spec: replicas(`Pods per color, 1 to ${MAX_REPLICAS} (default 1).`) },
    resources: {
      spec: {
        type: 'object',
        description: 'Container resources.',
        fields: { requests: { spec: quantities }, limits: { spec: quantities } },
      },
    },
    env: { spec: envMap('Environment variables of the container.') },
    calls: {
      spec: {
        type: 'list',
        description: 'Services this one calls; each gets GREENLIGHT_URL_<NAME> pointing at the same color.',
        items: serviceName,
      },
    },
    githubRepository: {
      spec: {
        type: 'string',
        expected: 'a GitHub repository',
        description: 'owner/name of the service repository, for pull request comments and statuses.',
        problem: githubRepositoryProblem,
        pattern: GITHUB_REPOSITORY,
      },
    },
    serviceType: {
      spec: {
        type: 'enum',
        description: 'Type of the live Service (default ClusterIP); LoadBalancer for a public entry point.',
        values: ['ClusterIP', 'NodePort', 'LoadBalancer'],
      },
    },
    preStopSleepSeconds: {
      spec: {
        type: 'integer',
        description:
          'Seconds a stopping pod keeps serving before its process gets SIGTERM (a preStop sleep), so kube-proxy and load balancers stop sending to it first; 0 for none (default 5). The grace period grows by as much.',
        minimum: 0,
        maximum: MAX_PRESTOP_SLEEP_SECONDS,
      },
    },
  },
};

export const CATALOG_SPEC: ObjectSpec = {
  type: 'object',
  description: 'The Greenlight service catalog (groups/services.yaml).',
  fields: {
    services: {
      required: true,
      spec: {
        type: 'map',
        description: 'Every service Greenlight can deploy, by name.',
        key: serviceName,
        value: CATALOG_SERVICE_SPEC,
        minEntries: 1,
      },
    },
  },
};

const GROUP_SERVICE_SPEC: ObjectSpec = {
  type: 'object',
  description:
    'Which image of the service to deploy: a branch (its last-good image), a tag, or a digest. Empty: the default branch; a plain string: a branch.',
  shorthand: 'branch',
  atMostOne: ['branch', 'tag', 'digest'],
  fields: {
    branch: { spec: branch },
    tag: {
      spec: {
        type: 'string',
        expected: 'an image tag',
        description: 'An image tag, e.g. sha-<commit>.',
        problem: tagProblem,
        pattern: TAG,
      },
    },
    digest: {
      spec: {
        type: 'string',
        expected: 'an image digest',
        description: 'An exact image digest, sha256:<64 hex>.',
        problem: digestProblem,
        pattern: DIGEST,
      },
    },
    replicas: { spec: replicas('Pods per color for this group, overriding the catalog.') },
  },
};

const duration = (description: string): StringSpec => ({
  type: 'string',
  expected: 'a duration',
  description,
  problem: durationProblem,
  pattern: DURATION_PATTERN,
  examples: ['30s', '10m', '1h'],
});

const cron = (description: string): StringSpec => ({
  type: 'string',
  expected: 'a cron expression',
  description,
  problem: cronProblem,
  pattern: /^\s*\S+(\s+\S+){4}\s*$/,
  examples: ['0 7 * * 1-5'],
});

const groupName: StringSpec = {
  type: 'string',
  expected: 'a group name',
  description: 'Another group (groups/<name>.yaml).',
  problem: namespaceProblem,
  pattern: DNS_LABEL,
};

export const GROUP_SPEC: ObjectSpec = {
  type: 'object',
  description: 'A Greenlight deployment group (groups/<group>.yaml).',
  fields: {
    namespace: {
      required: true,
      spec: {
        type: 'string',
        expected: 'a Kubernetes namespace name',
        description: 'The namespace of the group (DNS-1123 label); one group per namespace.',
        problem: namespaceProblem,
        pattern: DNS_LABEL,
      },
    },
    defaultBranch: {
      spec: { ...branch, description: 'Branch of services that name none (default master).' },
    },
    services: {
      required: true,
      spec: {
        type: 'map',
        description: 'The services of the group (names from services.yaml) and which image of each.',
        key: serviceName,
        value: GROUP_SERVICE_SPEC,
        minEntries: 1,
      },
    },
    integration: {
      spec: {
        type: 'object',
        description: 'How the group is tested on its standby color.',
        exactlyOne: ['image', 'command'],
        fields: {
          image: {
            spec: {
              type: 'string',
              expected: 'an image reference',
              description: 'Test image run as a Kubernetes Job in the namespace.',
              problem: imageRefProblem,
              pattern: IMAGE_REF,
            },
          },
          command: {
            spec: {
              type: 'string',
              expected: 'a command',
              description:
                'Command run on the runner, split into words and run without a shell (unless `shell` says which).',
            },
          },
          shell: {
            spec: {
              type: 'enum',
              description: 'Run `command` through this shell (`sh -c`); by default no shell is involved.',
              values: ['sh', 'bash'],
            },
          },
          urls: {
            spec: {
              type: 'enum',
              description:
                'How a `command` reaches the standby: `port-forward` (default: local ports forwarded through the API server, for runners outside the cluster) or `in-cluster` (Service DNS names, for runners inside it).',
              values: ['port-forward', 'in-cluster'],
            },
          },
          timeout: { spec: duration('How long the tests may run (default 10m).') },
          env: { spec: envMap('Extra environment of the tests.') },
        },
      },
    },
    promotion: {
      spec: {
        type: 'object',
        description: 'What must happen before the standby goes live.',
        fields: {
          approval: {
            spec: {
              type: 'string',
              expected: 'a GitHub environment name',
              description: 'GitHub environment with required reviewers that gates promotion.',
              problem: (value) =>
                /^[^\s'"`,;:\\][^'"`,;:\\]{0,254}$/.test(value) && value.trim() === value
                  ? undefined
                  : 'not a GitHub environment name',
              pattern: /^[^\s'"`,;:\\][^'"`,;:\\]{0,254}$/,
            },
          },
          requireVerifiedIn: {
            spec: {
              type: 'list',
              description: 'Groups that must have verified the same digests before this group promotes them.',
              items: groupName,
            },
          },
          probe: {
            spec: {
              type: 'object',
              description:
                'The switch probe that switch-color `probe: true` and `greenlight promote --probe` run: a Job sending steady requests to every live Service across the switch, counting the failed ones.',
              fields: {
                image: {
                  required: true,
                  spec: {
                    type: 'string',
                    expected: 'an image reference',
                    description:
                      'The probe image, built from sample-apps/switch-probe; resolved like integration.image.',
                    problem: imageRefProblem,
                    pattern: IMAGE_REF,
                  },
                },
                rate: {
                  spec: {
                    type: 'integer',
                    description: `Requests per second to each live Service, 1 to ${MAX_PROBE_RATE} (default 20).`,
                    minimum: 1,
                    maximum: MAX_PROBE_RATE,
                  },
                },
              },
            },
          },
        },
      },
    },
    schedule: {
      spec: {
        type: 'object',
        description: 'Spin the group up and down on a schedule.',
        atLeastOne: ['up', 'down'],
        fields: {
          up: { spec: cron('When to scale the group up (5-field cron).') },
          down: { spec: cron('When to scale the group down to zero (5-field cron).') },
          timezone: {
            required: true,
            spec: {
              type: 'string',
              expected: 'an IANA time zone',
              description: 'Time zone of the cron expressions, e.g. Europe/Berlin or UTC.',
              problem: timezoneProblem,
              suggestions: knownTimezones,
            },
          },
        },
      },
    },
  },
};
