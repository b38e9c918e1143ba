/**
 * A group of its own for an engine test against the local stack: a catalog and a group
 * file in a temp dir, repositories in the stack's registry with fresh images, a unique
 * namespace, and the CLI pointed at all of it. State is read back with kubectl, an
 * independent client, never through Greenlight's own code.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { lastGoodTag } from '../../src/core/naming.ts';
import { kubectl, uniqueName, uniqueNamespace } from '../stack/helpers.ts';
import type { StackInfo } from '../stack/types.ts';
import { type CliRun, runCli } from './cli.ts';
import { pushOciImage } from './registry.ts';

export interface FixtureService {
  replicas?: number;
  /** The branch the group deploys (default: the group's default branch). */
  branch?: string;
  /** `owner/name` of its source repository, for PR comments and commit statuses. */
  githubRepository?: string;
  calls?: string[];
  /** The last path element of the repository: `never-ready` or `crashloop` make kwok misbehave. */
  image?: string;
  serviceType?: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
}

export interface GroupFixtureOptions {
  services?: Record<string, FixtureService>;
  /** Extra lines of the group file (integration, promotion, schedule). */
  groupYaml?: string;
  /** Other groups in the same directory: name -> { namespace, services, yaml }. */
  otherGroups?: Record<string, { services: string[]; yaml?: string }>;
  /**
   * Registers the clean-up (namespaces, the temp dir); default vitest's onTestFinished.
   * Concurrent tests pass their context's own, which the global one cannot tell apart.
   */
  onFinished?: (cleanup: () => Promise<void>) => void;
}

export interface GroupFixture extends NamespaceReader {
  dir: string;
  group: string;
  namespace: string;
  namespaces: Record<string, string>;
  repositories: Record<string, string>;
  /** Pushes a new image of `service` under `branch`'s last-good tag (built from `commit`, when given); returns its digest. */
  push(service: string, branch?: string, commit?: string): Promise<string>;
  /** Rewrites the catalog, e.g. to point a service at a misbehaving image. */
  writeCatalog(services: Record<string, FixtureService>): void;
  /** The CLI with --groups-dir and the admin kubeconfig (or `kubeconfig`). */
  cli(args: string[], options?: { kubeconfig?: string; env?: Record<string, string> }): Promise<CliRun>;
  /** `deploy GROUP --registry ... --json`, parsed; throws with the output when it fails. */
  deployJson(
    ...extra: string[]
  ): Promise<{ releaseId: string; standbyColor: string; phase: string; outcome: string }>;
  lockHolder(): Promise<string | undefined>;
  resourceVersions(): Promise<string[]>;
}

const DEFAULT_SERVICES: Record<string, FixtureService> = {
  'hello-a': { replicas: 2 },
  'hello-b': { calls: ['hello-a'], serviceType: 'LoadBalancer' },
};

export async function groupFixture(
  stack: StackInfo,
  options: GroupFixtureOptions = {},
): Promise<GroupFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'greenlight-engine-'));
  const group = 'team';
  const namespace = uniqueNamespace('engine');
  const services = options.services ?? DEFAULT_SERVICES;
  const prefix = uniqueName('eng');
  const repositoryOf = (name: string, spec: FixtureService) =>
    `${prefix}/${name}${spec.image ? `/${spec.image}` : ''}`;
  const repositories: Record<string, string> = {};
  const namespaces: Record<string, string> = { [group]: namespace };

  const writeCatalog = (catalog: Record<string, FixtureService>) => {
    const lines = ['services:'];
    for (const [name, spec] of Object.entries(catalog)) {
      repositories[name] = repositoryOf(name, spec);
      lines.push(`  ${name}:`, `    repository: ${repositories[name]}`, '    port: 8080');
      if (spec.replicas) lines.push(`    replicas: ${spec.replicas}`);
      if (spec.calls) lines.push(`    calls: [${spec.calls.join(', ')}]`);
      if (spec.serviceType) lines.push(`    serviceType: ${spec.serviceType}`);
      if (spec.githubRepository) lines.push(`    githubRepository: ${spec.githubRepository}`);
    }
    writeFileSync(join(dir, 'services.yaml'), `${lines.join('\n')}\n`);
  };
  writeCatalog(services);
  const groupFile = [
    `namespace: ${namespace}`,
    'services:',
    ...Object.entries(services).map(([name, spec]) => `  ${name}:${spec.branch ? ` ${spec.branch}` : ''}`),
  ];
  writeFileSync(join(dir, `${group}.yaml`), `${[...groupFile, options.groupYaml ?? ''].join('\n')}\n`);
  for (const [name, other] of Object.entries(options.otherGroups ?? {})) {
    namespaces[name] = uniqueNamespace(`engine-${name}`);
    const body = [
      `namespace: ${namespaces[name]}`,
      'services:',
      ...other.services.map((s) => `  ${s}:`),
      other.yaml ?? '',
    ];
    writeFileSync(join(dir, `${name}.yaml`), `${body.join('\n')}\n`);
  }

  (options.onFinished ?? onTestFinished)(async () => {
    for (const ns of Object.values(namespaces)) {
      await kubectl(stack, ['delete', 'namespace', ns, '--wait=false', '--ignore-not-found']);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  const reader = namespaceReader(stack, namespace);

  const fixture: GroupFixture = {
    dir,
    group,
    namespace,
    namespaces,
    repositories,
    push: (service, branch = 'master', commit) =>
      pushOciImage(
        stack.registry,
        repositories[service] ?? service,
        [lastGoodTag(branch)],
        commit ? { 'org.opencontainers.image.revision': commit } : {},
      ),
    writeCatalog,
    cli: (args, cliOptions = {}) =>
      runCli([...args, '--groups-dir', dir, '--kubeconfig', cliOptions.kubeconfig ?? stack.kubeconfig], {
        cwd: '/',
        env: cliOptions.env ?? {},
      }),
    async deployJson(...extra) {
      const run = await fixture.cli([
        'deploy',
        group,
        '--registry',
        stack.registry,
        '--json',
        '--timeout',
        '60s',
        ...extra,
      ]);
      if (run.code !== 0) throw new Error(`deploy exited ${run.code}:\n${run.stderr}\n${run.stdout}`);
      return JSON.parse(run.stdout);
    },
    liveSelectors: reader.liveSelectors,
    deployments: reader.deployments,
    records: reader.records,
    async lockHolder() {
      const result = await kubectl(
        stack,
        ['get', 'lease', 'greenlight-lock', '-n', namespace, '-o', 'json'],
        {
          allowFailure: true,
        },
      );
      if (result.code !== 0) return undefined;
      return (
        (JSON.parse(result.stdout) as { spec: { holderIdentity?: string } }).spec.holderIdentity || undefined
      );
    },
    async resourceVersions() {
      const result = await kubectl(stack, [
        'get',
        'deployments,services,configmaps',
        '-n',
        namespace,
        '-o',
        'json',
      ]);
      const items = (JSON.parse(result.stdout) as { items: KubeItem[] }).items;
      return items
        .map((item) => `${item.kind}/${item.metadata.name}@${item.metadata.resourceVersion}`)
        .sort();
    },
  };
  return fixture;
}

/** What a namespace holds, read with kubectl (an independent client): live selectors, Deployments, release records. */
export interface NamespaceReader {
  /** Live Service -> the color it selects. */
  liveSelectors(): Promise<Record<string, string | undefined>>;
  deployments(): Promise<
    Record<string, { replicas: number; release: string; digest: string; resourceVersion: string }>
  >;
  /** Release id -> its record (the ConfigMap's release.json). */
  records(): Promise<Record<string, Record<string, unknown>>>;
}

export function namespaceReader(stack: StackInfo, namespace: string): NamespaceReader {
  const get = async (kind: string) => {
    const result = await kubectl(stack, ['get', kind, '-n', namespace, '-o', 'json'], { allowFailure: true });
    if (result.code !== 0) return [];
    return (JSON.parse(result.stdout) as { items: KubeItem[] }).items;
  };

  return {
    async liveSelectors() {
      const items = await get('services');
      return Object.fromEntries(
        items
          .filter((item) => item.metadata.labels?.['greenlight.dev/role'] === 'live')
          .map((item) => [item.metadata.name, item.spec?.selector?.['greenlight.dev/color']]),
      );
    },
    async deployments() {
      const items = await get('deployments');
      return Object.fromEntries(
        items.map((item) => [
          item.metadata.name,
          {
            replicas: item.spec?.replicas ?? 0,
            release: item.metadata.labels?.['greenlight.dev/release'] ?? '',
            digest: item.metadata.annotations?.['greenlight.dev/digest'] ?? '',
            resourceVersion: item.metadata.resourceVersion,
          },
        ]),
      );
    },
    async records() {
      const items = await get('configmaps');
      return Object.fromEntries(
        items
          .filter((item) => item.metadata.labels?.['greenlight.dev/record'] === 'release')
          .map((item) => {
            const record = JSON.parse(item.data?.['release.json'] ?? '{}') as Record<string, unknown>;
            return [String(record.id), record];
          }),
      );
    },
  };
}

interface KubeItem {
  kind: string;
  metadata: {
    name: string;
    resourceVersion: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: { replicas?: number; selector?: Record<string, string> };
  data?: Record<string, string>;
}
