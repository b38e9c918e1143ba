/**
 * `plan` against the local stack: a namespace with blue/green state created through the API
 * (the labels and annotations of src/kube/model.ts), images in the local registry. The plan is
 * read back as JSON from the CLI and from the deploy-group bundle. And the invariant: a plan or
 * a dry run writes nothing, and invalid input fails before any write (objects and
 * resourceVersions compared before and after).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import { AppsV1Api, CoreV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deploymentName as colorDeploymentName, lastGoodTag } from '../../src/core/naming.ts';
import { liveServiceName } from '../../src/core/workload.ts';
import { colorLabels, LABEL_COLOR, provenanceAnnotations, serviceLabels } from '../../src/kube/model.ts';
import {
  adminKubeConfig,
  kubectl,
  namespaceForTest,
  serviceAccountKubeconfig,
  uniqueName,
  uniqueNamespace,
} from '../stack/helpers.ts';
import { runActionBundle } from '../support/action-runner.ts';
import { runCli } from '../support/cli.ts';
import { pushOciImage, putEcrImage } from '../support/registry.ts';
import '../stack/types.ts';

const stack = inject('stack');
const kc = adminKubeConfig(stack);
const core = kc.makeApiClient(CoreV1Api);
const apps = kc.makeApiClient(AppsV1Api);
const rbac = kc.makeApiClient(RbacAuthorizationV1Api);

/** What Greenlight's engine will write for one color of a service: a Deployment with the model's labels and annotations. */
async function createColor(
  namespace: string,
  service: string,
  color: 'blue' | 'green',
  digest: string,
  branch: string,
) {
  const labels = colorLabels(service, 'plan-test', color, 'r-previous');
  await apps.createNamespacedDeployment({
    namespace,
    body: {
      metadata: {
        name: colorDeploymentName(service, color),
        labels,
        annotations: provenanceAnnotations({ digest, branch, commit: 'c0ffee0' }),
      },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: { containers: [{ name: service, image: `${stack.registry}/x@${digest}` }] },
        },
      },
    },
  });
}

async function createLiveService(namespace: string, service: string, color: 'blue' | 'green') {
  await core.createNamespacedService({
    namespace,
    body: {
      metadata: { name: liveServiceName(service), labels: serviceLabels(service, 'plan-test') },
      spec: {
        selector: { ...serviceLabels(service, 'plan-test'), [LABEL_COLOR]: color },
        ports: [{ port: 8080 }],
      },
    },
  });
}

/** Every object of the namespace with its resourceVersion, read with kubectl as an independent client. */
async function snapshot(namespace: string): Promise<string[]> {
  const kinds =
    'deployments,replicasets,services,configmaps,secrets,serviceaccounts,leases,jobs,pods,endpoints';
  const result = await kubectl(stack, ['get', kinds, '-n', namespace, '-o', 'json']);
  const list = JSON.parse(result.stdout) as {
    items: { kind: string; metadata: { name: string; resourceVersion: string } }[];
  };
  return list.items
    .map((item) => `${item.kind}/${item.metadata.name}@${item.metadata.resourceVersion}`)
    .sort();
}

/**
 * The snapshot once the controllers are done with the objects we created (kwok marks pods
 * ready, the Deployment's status follows): two equal readings a second apart. Bounded.
 */
async function settledSnapshot(namespace: string): Promise<string[]> {
  let previous = await snapshot(namespace);
  for (let attempt = 0; attempt < 30; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const current = await snapshot(namespace);
    if (JSON.stringify(current) === JSON.stringify(previous)) return current;
    previous = current;
  }
  throw new Error(`namespace ${namespace} did not settle within 30s: ${previous.join(', ')}`);
}

async function namespaces(): Promise<string[]> {
  const result = await kubectl(stack, ['get', 'namespaces', '-o', 'name']);
  return result.stdout.trim().split('\n').sort();
}

/** The CLI in-process, from `/` so only the paths given count, with the environment given. */
const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { env, cwd: '/' });

const dir = mkdtempSync(join(tmpdir(), 'greenlight-plan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const repoA = `plan/${uniqueName('a')}`;
const repoB = `plan/${uniqueName('b')}`;
const digests: Record<string, string> = {};

function writeGroups(namespace: string, group = 'team'): void {
  writeFileSync(
    join(dir, 'services.yaml'),
    `services:\n  hello-a:\n    repository: ${repoA}\n    port: 8080\n  hello-b:\n    repository: ${repoB}\n    port: 8080\n    calls: [hello-a]\n`,
  );
  writeFileSync(
    join(dir, `${group}.yaml`),
    `namespace: ${namespace}\nservices:\n  hello-a:\n  hello-b: feature/login\n`,
  );
}

beforeAll(async () => {
  digests.aMaster = await pushOciImage(stack.registry, repoA, [lastGoodTag('master')]);
  digests.bMaster = await pushOciImage(stack.registry, repoB, [lastGoodTag('master')]);
  digests.bLogin = await pushOciImage(stack.registry, repoB, [lastGoodTag('feature/login')]);
});

/** `plan GROUP` over the groups in `dir` and the stack's registry, as the identity of `kubeconfig`. */
const planCommand = (group: string, kubeconfig: string, ...extra: string[]) => [
  'plan',
  group,
  '--groups-dir',
  dir,
  '--registry',
  stack.registry,
  '--kubeconfig',
  kubeconfig,
  ...extra,
];
const planArgs = (...extra: string[]) => planCommand('team', stack.kubeconfig, ...extra);

/**
 * A kubeconfig for a new ServiceAccount of `namespace`: a 10-minute token, the stack's CA, and
 * `contextNamespace` as the context's namespace when given. Its rights are what the test grants.
 */

describe('plan against blue/green state', () => {
  it('reads the live color and digests, and plans deploy / unchanged onto green, writing nothing', async () => {
    const namespace = await namespaceForTest(stack, 'plan-live');
    await createColor(namespace, 'hello-a', 'blue', digests.aMaster ?? '', 'master');
    await createColor(namespace, 'hello-b', 'blue', digests.bMaster ?? '', 'master');
    await createLiveService(namespace, 'hello-a', 'blue');
    await createLiveService(namespace, 'hello-b', 'blue');
    writeGroups(namespace);
    const before = await settledSnapshot(namespace);

    const run = await cli(planArgs('--json'));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const plan = JSON.parse(run.stdout);
    expect(plan).toMatchObject({
      group: 'team',
      namespace,
      namespaceExists: true,
      liveColor: 'blue',
      standbyColor: 'green',
    });
    expect(
      plan.services.map(
        (s: {
          service: string;
          action: string;
          digest: string;
          live: { digest: string; branch: string; commit: string };
        }) => [s.service, s.action, s.digest, s.live],
      ),
    ).toEqual([
      [
        'hello-a',
        'unchanged',
        digests.aMaster,
        { color: 'blue', digest: digests.aMaster, branch: 'master', commit: 'c0ffee0' },
      ],
      [
        'hello-b',
        'deploy',
        digests.bLogin,
        { color: 'blue', digest: digests.bMaster, branch: 'master', commit: 'c0ffee0' },
      ],
    ]);

    const table = await cli(planArgs());
    expect(table.stdout).toContain(
      `Group team in namespace ${namespace}: live blue, standby green, release ${plan.releaseId}`,
    );
    expect(table.stdout).toContain('1 deploy, 1 unchanged; every service goes to green');
    expect(await snapshot(namespace)).toEqual(before);
  });

  it('with green live, an override brings hello-b back to master: both unchanged, standby blue', async () => {
    const namespace = await namespaceForTest(stack, 'plan-green');
    await createColor(namespace, 'hello-a', 'green', digests.aMaster ?? '', 'master');
    await createColor(namespace, 'hello-b', 'green', digests.bMaster ?? '', 'master');
    await createColor(namespace, 'hello-b', 'blue', digests.bLogin ?? '', 'feature/login');
    await createLiveService(namespace, 'hello-a', 'green');
    await createLiveService(namespace, 'hello-b', 'green');
    writeGroups(namespace);
    const run = await cli(planArgs('--json', '--set', 'hello-b=master'));
    expect(run.stderr).toBe('');
    const plan = JSON.parse(run.stdout);
    expect(plan.standbyColor).toBe('blue');
    expect(plan.services.map((s: { action: string; source: string }) => [s.action, s.source])).toEqual([
      ['unchanged', 'default-branch'],
      ['unchanged', 'override'],
    ]);
  });

  it('a namespace that does not exist: first deploys, and the namespace is not created', async () => {
    const namespace = uniqueNamespace('plan-none');
    writeGroups(namespace);
    const before = await namespaces();
    const run = await cli(planArgs('--markdown'));
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('| hello-a | first-deploy | branch `master` (default) |');
    expect(run.stdout).toContain(`> namespace ${namespace} does not exist yet; the deploy creates it`);
    expect(await namespaces()).toEqual(before);
  });

  it('the deploy-group bundle dry run outputs the plan, release id, standby color and a job summary', async () => {
    const namespace = await namespaceForTest(stack, 'plan-action');
    await createColor(namespace, 'hello-a', 'blue', digests.aMaster ?? '', 'master');
    await createLiveService(namespace, 'hello-a', 'blue');
    writeGroups(namespace);
    const before = await settledSnapshot(namespace);
    const run = runActionBundle(
      'deploy-group',
      { group: 'team', 'groups-dir': dir, 'dry-run': 'true', registry: stack.registry },
      { KUBECONFIG: stack.kubeconfig },
    );
    expect(run.stdout).not.toContain('::error::');
    expect(run.exitCode).toBe(0);
    const plan = JSON.parse(run.outputs.plan ?? '{}');
    expect(plan.services.map((s: { service: string; action: string }) => [s.service, s.action])).toEqual([
      ['hello-a', 'unchanged'],
      ['hello-b', 'first-deploy'],
    ]);
    expect(run.outputs['release-id']).toBe(plan.releaseId);
    expect(run.outputs['standby-color']).toBe('green');
    expect(JSON.parse(run.outputs['preview-urls'] ?? '{}')).toEqual({
      'hello-a': `http://hello-a-preview.${namespace}.svc.cluster.local:8080`,
      'hello-b': `http://hello-b-preview.${namespace}.svc.cluster.local:8080`,
    });
    expect(run.summary).toContain('### Greenlight plan: `team`');
    expect(await snapshot(namespace)).toEqual(before);
  });
});

describe('plan through ECR (moto), configured from the environment as on a runner', () => {
  it('reads region, endpoint and credentials from the CLI environment', async () => {
    const ecr = new ECRClient({
      region: stack.region,
      endpoint: stack.ecrEndpoint,
      credentials: { accessKeyId: stack.awsAccessKeyId, secretAccessKey: stack.awsSecretAccessKey },
    });
    const repository = uniqueName('plan-ecr');
    await ecr.send(new CreateRepositoryCommand({ repositoryName: repository }));
    const digest = await putEcrImage(ecr, repository, [lastGoodTag('master')]);
    const namespace = uniqueNamespace('plan-ecr');
    writeFileSync(
      join(dir, 'services.yaml'),
      `services:\n  hello-a:\n    repository: ${repository}\n    port: 8080\n`,
    );
    writeFileSync(join(dir, 'ecr.yaml'), `namespace: ${namespace}\nservices:\n  hello-a:\n`);
    const env = {
      AWS_REGION: stack.region,
      AWS_ENDPOINT_URL_ECR: stack.ecrEndpoint,
      AWS_ACCESS_KEY_ID: stack.awsAccessKeyId,
      AWS_SECRET_ACCESS_KEY: stack.awsSecretAccessKey,
    };
    const run = await cli(
      ['plan', 'ecr', '--groups-dir', dir, '--kubeconfig', stack.kubeconfig, '--json'],
      env,
    );
    expect(run.stderr).toBe('');
    const plan = JSON.parse(run.stdout);
    expect(plan.services[0]).toMatchObject({
      service: 'hello-a',
      action: 'first-deploy',
      digest,
      image: `${stack.awsAccountId}.dkr.ecr.${stack.region}.amazonaws.com/${repository}@${digest}`,
    });

    const noRegion = await cli(['plan', 'ecr', '--groups-dir', dir, '--kubeconfig', stack.kubeconfig]);
    expect(noRegion.code).toBe(1);
    expect(noRegion.stderr).toContain('resolving images in ECR needs an AWS region');
  });
});

describe('plan with namespace-scoped rights only', () => {
  it('needs only list on Deployments and Services in the namespace', async () => {
    const namespace = await namespaceForTest(stack, 'plan-rbac');
    await createColor(namespace, 'hello-a', 'blue', digests.aMaster ?? '', 'master');
    await createLiveService(namespace, 'hello-a', 'blue');
    const kubeconfig = await serviceAccountKubeconfig(stack, dir, namespace, 'planner', namespace);
    await rbac.createNamespacedRole({
      namespace,
      body: {
        metadata: { name: 'planner' },
        rules: [
          { apiGroups: ['apps'], resources: ['deployments'], verbs: ['list'] },
          { apiGroups: [''], resources: ['services'], verbs: ['list'] },
        ],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace,
      body: {
        metadata: { name: 'planner' },
        subjects: [{ kind: 'ServiceAccount', name: 'planner', namespace }],
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'planner' },
      },
    });
    writeGroups(namespace);
    const run = await cli(planCommand('team', kubeconfig, '--json'));
    expect(run.stderr).toBe('');
    const plan = JSON.parse(run.stdout);
    // This identity may not read the Namespace object: the plan says "unknown" instead of failing.
    expect(plan.namespaceExists).toBeNull();
    expect(plan.liveColor).toBe('blue');
    expect(plan.services.map((s: { service: string; action: string }) => [s.service, s.action])).toEqual([
      ['hello-a', 'unchanged'],
      ['hello-b', 'first-deploy'],
    ]);
  });

  it('an identity without rights in the namespace gets a 403 that says what is missing', async () => {
    const namespace = await namespaceForTest(stack, 'plan-denied');
    const kubeconfig = await serviceAccountKubeconfig(stack, dir, namespace, 'nobody');
    writeGroups(namespace);
    const run = await cli(planCommand('team', kubeconfig));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(
        `^greenlight plan: could not list the (Deployments|Services) in ${namespace}: .*forbidden.* \\(HTTP 403\\)\n  hint: bind the greenlight-deployer Role of terraform/rbac/`,
      ),
    );
  });
});

describe('invalid input writes nothing', () => {
  let namespace = '';
  let before: string[] = [];

  beforeAll(async () => {
    namespace = uniqueNamespace('plan-invalid');
    await kubectl(stack, ['create', 'namespace', namespace]);
    await createColor(namespace, 'hello-a', 'blue', digests.aMaster ?? '', 'master');
    await createLiveService(namespace, 'hello-a', 'blue');
    writeGroups(namespace, 'invalid');
    before = await settledSnapshot(namespace);
  });
  afterAll(() => kubectl(stack, ['delete', 'namespace', namespace, '--wait=false']));

  it.each([
    [['--set', 'hello-b=bad..branch'], 'expected a git branch name, got "bad..branch"'],
    [['--set', 'hello-c=main'], 'unknown service "hello-c"'],
    [['--set', 'hello-b=no-such-branch'], `tag ${lastGoodTag('no-such-branch')} not found`],
  ])('plan %j fails and the namespace is unchanged', async (extra, message) => {
    const run = await cli(planCommand('invalid', stack.kubeconfig, ...extra));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(message);
    expect(await snapshot(namespace)).toEqual(before);
  });

  it('a broken group file fails with its position and the namespace is unchanged', async () => {
    writeFileSync(
      join(dir, 'broken.yaml'),
      `namespace: ${namespace}\nservices:\n  hello-a:\n    replicas: 0\n`,
    );
    const run = await cli(planCommand('broken', stack.kubeconfig));
    expect(run.stderr).toBe(
      `greenlight plan: ${join(dir, 'broken.yaml')}:4:15: services.hello-a.replicas: expected an integer from 1 to 50, got 0\n`,
    );
    expect(await snapshot(namespace)).toEqual(before);
  });

  it('deploy-group with a bad override fails naming the input line, and the namespace is unchanged', async () => {
    const bad = runActionBundle(
      'deploy-group',
      {
        group: 'invalid',
        'groups-dir': dir,
        registry: stack.registry,
        overrides: 'hello-b=x..y',
        'dry-run': 'true',
      },
      { KUBECONFIG: stack.kubeconfig },
    );
    expect(bad.exitCode).toBe(1);
    expect(bad.stdout).toContain('Input "overrides" line 1 ("hello-b=x..y")');
    expect(await snapshot(namespace)).toEqual(before);
  });
});
