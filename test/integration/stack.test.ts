/**
 * The local stack itself (issue 3): real controllers, scheduler and kwok make
 * Deployments and Jobs behave as on a cluster; RBAC is enforced; kubectl sees
 * the same state; moto answers the ECR API; buildah pushes to the registry.
 * Every assertion reads state back from the server that holds it.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DescribeImagesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  PutImageCommand,
} from '@aws-sdk/client-ecr';
import {
  ApiException,
  AppsV1Api,
  AuthenticationV1Api,
  BatchV1Api,
  CoreV1Api,
  KubeConfig,
  RbacAuthorizationV1Api,
  type V1Deployment,
  type V1Job,
  type V1Pod,
} from '@kubernetes/client-node';
import { describe, expect, inject, it } from 'vitest';
import {
  BEHAVIOR_ANNOTATION,
  EXIT_CODE_ANNOTATION,
  PodBehavior,
  READY_DELAY_ANNOTATION,
  RUN_DURATION_ANNOTATION,
} from '../stack/annotations.ts';
import {
  adminKubeConfig,
  kubectl,
  namespaceForTest,
  runCommand,
  uniqueName,
  uniqueNamespace,
  waitFor,
} from '../stack/helpers.ts';
import { kubectlPath, systemBinary } from '../stack/tools.ts';
import '../stack/types.ts';

const stack = inject('stack');
const kc = adminKubeConfig(stack);
const core = kc.makeApiClient(CoreV1Api);
const apps = kc.makeApiClient(AppsV1Api);
const batch = kc.makeApiClient(BatchV1Api);
const rbac = kc.makeApiClient(RbacAuthorizationV1Api);

function deployment(
  name: string,
  replicas: number,
  podAnnotations: Record<string, string> = {},
): V1Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      progressDeadlineSeconds: 6,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: {
          labels: { app: name },
          annotations: { [READY_DELAY_ANNOTATION]: '200ms', ...podAnnotations },
        },
        spec: { containers: [{ name: 'app', image: `registry.invalid/${name}:1` }] },
      },
    },
  };
}

function condition(
  obj: { status?: { conditions?: { type: string; status: string; reason?: string }[] } },
  type: string,
) {
  return obj.status?.conditions?.find((c) => c.type === type);
}

async function podsOf(namespace: string, app: string): Promise<V1Pod[]> {
  return (await core.listNamespacedPod({ namespace, labelSelector: `app=${app}` })).items;
}

describe('Kubernetes control plane with kwok', () => {
  it('kubectl, an independent client, sees the kwok node Ready', async () => {
    const { stdout } = await kubectl(stack, ['get', 'nodes', '-o', 'json']);
    const nodes = JSON.parse(stdout) as {
      items: { metadata: { name: string }; status: { conditions: { type: string; status: string }[] } }[];
    };
    const node = nodes.items.find((n) => n.metadata.name === stack.nodeName);
    expect(
      node,
      `node ${stack.nodeName} in ${nodes.items.map((n) => n.metadata.name).join(', ')}`,
    ).toBeDefined();
    expect(node?.status.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');

    const table = await kubectl(stack, ['get', 'node', stack.nodeName, '--no-headers']);
    expect(table.stdout.split(/\s+/)[1]).toBe('Ready');
  });

  it('a Deployment becomes Available: ReplicaSet, pods scheduled onto the kwok node, Ready', async () => {
    const namespace = await namespaceForTest(stack, 'stack-deploy');
    await apps.createNamespacedDeployment({ namespace, body: deployment('web', 2) });

    const available = await waitFor(
      'Deployment web Available with 2 ready replicas',
      async () => {
        const d = await apps.readNamespacedDeployment({ name: 'web', namespace });
        return condition(d, 'Available')?.status === 'True' && d.status?.readyReplicas === 2 ? d : undefined;
      },
      {
        describe: async () =>
          JSON.stringify((await apps.readNamespacedDeployment({ name: 'web', namespace })).status),
      },
    );
    expect(available.status?.availableReplicas).toBe(2);
    expect(condition(available, 'Progressing')?.reason).toBe('NewReplicaSetAvailable');

    // the ReplicaSet the deployment controller made, and the pods the ReplicaSet controller made
    const replicaSets = (await apps.listNamespacedReplicaSet({ namespace })).items;
    expect(replicaSets).toHaveLength(1);
    expect(replicaSets[0]?.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'Deployment', name: 'web' });
    const pods = await podsOf(namespace, 'web');
    expect(pods).toHaveLength(2);
    for (const pod of pods) {
      expect(pod.metadata?.ownerReferences?.[0]?.name).toBe(replicaSets[0]?.metadata?.name);
      expect(pod.spec?.nodeName).toBe(stack.nodeName); // the scheduler bound it
      expect(condition(pod, 'PodScheduled')?.status).toBe('True');
      expect(pod.status?.phase).toBe('Running'); // kwok ran it
      expect(condition(pod, 'Ready')?.status).toBe('True');
      expect(pod.status?.podIP).toMatch(/^10\.244\./);
    }

    // kubectl agrees
    const rollout = await kubectl(stack, [
      'rollout',
      'status',
      'deployment/web',
      '-n',
      namespace,
      '--timeout=10s',
    ]);
    expect(rollout.stdout).toContain('successfully rolled out');
  });

  it('a Deployment marked never-ready never becomes Available, and its pods say why', async () => {
    const namespace = await namespaceForTest(stack, 'stack-never-ready');
    await apps.createNamespacedDeployment({
      namespace,
      body: deployment('broken', 1, { [BEHAVIOR_ANNOTATION]: PodBehavior.neverReady }),
    });

    // the real deployment controller gives up after progressDeadlineSeconds (6 s)
    const failed = await waitFor(
      'Deployment broken to exceed its progress deadline',
      async () => {
        const d = await apps.readNamespacedDeployment({ name: 'broken', namespace });
        return condition(d, 'Progressing')?.reason === 'ProgressDeadlineExceeded' ? d : undefined;
      },
      { timeoutMs: 45_000 },
    );
    expect(condition(failed, 'Available')?.status).toBe('False');
    expect(failed.status?.readyReplicas ?? 0).toBe(0);

    const [pod] = await podsOf(namespace, 'broken');
    expect(pod?.status?.phase).toBe('Running');
    const ready = condition(pod ?? {}, 'Ready') as
      | { status: string; reason?: string; message?: string }
      | undefined;
    expect(ready).toMatchObject({ status: 'False', reason: 'ContainersNotReady' });
    expect(ready?.message).toContain('[app]');
    expect(pod?.status?.containerStatuses?.[0]).toMatchObject({ ready: false, started: true });

    const events = await core.listNamespacedEvent({
      namespace,
      fieldSelector: `involvedObject.name=${pod?.metadata?.name}`,
    });
    expect(events.items.map((e) => `${e.reason}: ${e.message}`)).toContainEqual(
      expect.stringMatching(/^Unhealthy: Readiness probe failed/),
    );
  });

  it('an image named never-ready behaves like the annotation; a crashloop pod shows CrashLoopBackOff with restarts', async () => {
    const namespace = await namespaceForTest(stack, 'stack-pod-behaviors');
    const pod = (name: string, image: string, annotations: Record<string, string> = {}): V1Pod => ({
      metadata: { name, annotations: { [READY_DELAY_ANNOTATION]: '200ms', ...annotations } },
      spec: { containers: [{ name: 'main', image }] },
    });
    await core.createNamespacedPod({
      namespace,
      body: pod('by-image', '127.0.0.1:5000/team/never-ready:v2'),
    });
    await core.createNamespacedPod({
      namespace,
      body: pod('crashing', 'registry.invalid/app:1', { [BEHAVIOR_ANNOTATION]: PodBehavior.crashLoop }),
    });

    const byImage = await waitFor('pod by-image Running', async () => {
      const p = await core.readNamespacedPod({ name: 'by-image', namespace });
      return p.status?.phase === 'Running' ? p : undefined;
    });
    expect(condition(byImage, 'Ready')).toMatchObject({ status: 'False', reason: 'ContainersNotReady' });

    const crashing = await waitFor('pod crashing to restart at least twice', async () => {
      const p = await core.readNamespacedPod({ name: 'crashing', namespace });
      return (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 2 ? p : undefined;
    });
    const status = crashing.status?.containerStatuses?.[0];
    expect(status?.state?.waiting?.reason).toBe('CrashLoopBackOff');
    expect(status?.lastState?.terminated?.exitCode).toBe(1);
    expect(condition(crashing, 'Ready')?.status).toBe('False');

    // kubectl prints the reason in its STATUS column, as on a real cluster
    const table = await kubectl(stack, ['get', 'pod', 'crashing', '-n', namespace, '--no-headers']);
    expect(table.stdout).toContain('CrashLoopBackOff');
  });

  it('Job pods exit with the chosen code, and the job controller marks the Jobs Complete or Failed', async () => {
    const namespace = await namespaceForTest(stack, 'stack-jobs');
    const job = (name: string, annotations: Record<string, string>): V1Job => ({
      metadata: { name },
      spec: {
        backoffLimit: 0,
        template: {
          metadata: {
            annotations: {
              [READY_DELAY_ANNOTATION]: '100ms',
              [RUN_DURATION_ANNOTATION]: '300ms',
              ...annotations,
            },
          },
          spec: {
            restartPolicy: 'Never',
            containers: [{ name: 'tests', image: 'registry.invalid/tests:1' }],
          },
        },
      },
    });
    await batch.createNamespacedJob({ namespace, body: job('passes', {}) });
    await batch.createNamespacedJob({ namespace, body: job('fails', { [EXIT_CODE_ANNOTATION]: '3' }) });

    const finished = (name: string) =>
      waitFor(`Job ${name} finished`, async () => {
        const j = await batch.readNamespacedJob({ name, namespace });
        const done = j.status?.conditions?.find(
          (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
        );
        return done ? j : undefined;
      });
    const [passes, fails] = await Promise.all([finished('passes'), finished('fails')]);
    expect(condition(passes, 'Complete')?.status).toBe('True');
    expect(passes.status?.succeeded).toBe(1);
    expect(condition(fails, 'Failed')).toMatchObject({ status: 'True', reason: 'BackoffLimitExceeded' });
    expect(fails.status?.failed).toBe(1);

    const failedPods = (await core.listNamespacedPod({ namespace, labelSelector: 'job-name=fails' })).items;
    expect(failedPods[0]?.status?.phase).toBe('Failed');
    expect(failedPods[0]?.status?.containerStatuses?.[0]?.state?.terminated?.exitCode).toBe(3);
  });

  it('RBAC is enforced: a ServiceAccount token with a narrow Role gets what the Role allows and 403 beyond it', async () => {
    const namespace = await namespaceForTest(stack, 'stack-rbac');
    await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'reader' } } });
    await rbac.createNamespacedRole({
      namespace,
      body: {
        metadata: { name: 'configmap-reader' },
        rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace,
      body: {
        metadata: { name: 'reader-reads-configmaps' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'configmap-reader' },
        subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace }],
      },
    });
    await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'settings' }, data: { a: '1' } },
    });

    const tokenRequest = await core.createNamespacedServiceAccountToken({
      name: 'reader',
      namespace,
      body: { spec: { audiences: [], expirationSeconds: 600 } },
    });
    const token = tokenRequest.status?.token;
    expect(token).toMatch(/^ey/);

    const saConfig = new KubeConfig();
    saConfig.loadFromOptions({
      clusters: [{ name: 'stack', server: stack.apiServerUrl, caFile: stack.caFile, skipTLSVerify: false }],
      users: [{ name: 'reader', token }],
      contexts: [{ name: 'reader@stack', cluster: 'stack', user: 'reader' }],
      currentContext: 'reader@stack',
    });
    const asReader = saConfig.makeApiClient(CoreV1Api);

    // who the API server thinks the token is
    const review = await saConfig.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({ body: {} });
    expect(review.status?.userInfo?.username).toBe(`system:serviceaccount:${namespace}:reader`);

    const cm = await asReader.readNamespacedConfigMap({ name: 'settings', namespace });
    expect(cm.data).toEqual({ a: '1' });
    const listed = await asReader.listNamespacedConfigMap({ namespace });
    expect(listed.items.map((c) => c.metadata?.name)).toContain('settings');

    const refused = async (call: () => Promise<unknown>) => {
      try {
        await call();
      } catch (error) {
        if (error instanceof ApiException) return error.code;
        throw error;
      }
      return 'allowed';
    };
    expect(
      await refused(() =>
        asReader.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'x' } } }),
      ),
    ).toBe(403);
    expect(await refused(() => asReader.listNamespacedSecret({ namespace }))).toBe(403);
    expect(await refused(() => asReader.listNamespacedConfigMap({ namespace: 'default' }))).toBe(403);
    // and the refused write really did not happen
    expect(await refused(() => core.readNamespacedConfigMap({ name: 'x', namespace }))).toBe(404);
  });
});

describe('ECR API (moto) through the AWS SDK', () => {
  const ecr = new ECRClient({
    endpoint: stack.ecrEndpoint,
    region: stack.region,
    credentials: { accessKeyId: stack.awsAccessKeyId, secretAccessKey: stack.awsSecretAccessKey },
  });

  it('creates a repository, puts a manifest, describes it by tag, and issues an authorization token', async () => {
    const repositoryName = uniqueName('greenlight/stack-test');
    const created = await ecr.send(
      new CreateRepositoryCommand({ repositoryName, imageTagMutability: 'IMMUTABLE' }),
    );
    expect(created.repository?.repositoryName).toBe(repositoryName);
    expect(created.repository?.repositoryUri).toContain(repositoryName);

    const sha256 = (data: string | Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;
    const config = Buffer.from(
      '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}',
    );
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: {
        mediaType: 'application/vnd.docker.container.image.v1+json',
        size: config.length,
        digest: sha256(config),
      },
      layers: [
        {
          mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
          size: 32,
          digest: sha256(repositoryName),
        },
      ],
    });
    const put = await ecr.send(
      new PutImageCommand({ repositoryName, imageManifest: manifest, imageTag: 'sha-0123abc' }),
    );
    const digest = put.image?.imageId?.imageDigest;
    // NB moto derives imageDigest from the layer digests, not from the manifest
    // bytes as ECR does (see README): assert what both agree on.
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);

    // move a second ("last-good") tag onto the same manifest, as a retag does
    await ecr.send(new PutImageCommand({ repositoryName, imageManifest: manifest, imageTag: 'branch-main' }));

    const described = await ecr.send(
      new DescribeImagesCommand({ repositoryName, imageIds: [{ imageTag: 'branch-main' }] }),
    );
    expect(described.imageDetails).toHaveLength(1);
    expect(described.imageDetails?.[0]?.imageDigest).toBe(digest);
    expect([...(described.imageDetails?.[0]?.imageTags ?? [])].sort()).toEqual([
      'branch-main',
      'sha-0123abc',
    ]);

    const fetched = await ecr.send(
      new BatchGetImageCommand({ repositoryName, imageIds: [{ imageTag: 'sha-0123abc' }] }),
    );
    expect(fetched.images?.[0]?.imageManifest).toBe(manifest);
    expect(fetched.images?.[0]?.imageId?.imageDigest).toBe(digest);

    const auth = await ecr.send(new GetAuthorizationTokenCommand({}));
    const data = auth.authorizationData?.[0];
    expect(data?.proxyEndpoint).toMatch(/^https:\/\//);
    expect(data?.expiresAt).toBeInstanceOf(Date);
    expect(Buffer.from(data?.authorizationToken ?? '', 'base64').toString('utf8')).toMatch(/^AWS:.+/);
  });
});

describe('buildah and the local registry', () => {
  it('builds a FROM scratch image, pushes it, and the registry serves the same manifest digest', async () => {
    const buildah = systemBinary('buildah');
    const work = mkdtempSync(join(tmpdir(), 'greenlight-buildah-'));
    try {
      const storage = [
        '--root',
        join(work, 'root'),
        '--runroot',
        join(work, 'runroot'),
        '--storage-driver',
        'vfs',
      ];
      const context = join(work, 'context');
      await runCommand('mkdir', ['-p', context]);
      writeFileSync(join(context, 'hello.txt'), `hello from ${work}\n`);
      writeFileSync(
        join(context, 'Containerfile'),
        'FROM scratch\nCOPY hello.txt /hello.txt\nLABEL org.greenlight.test=stack\n',
      );
      const repository = uniqueName('stack-test/hello');
      const localName = `localhost/${repository}:v1`;
      await runCommand(
        buildah,
        [
          ...storage,
          'build',
          '--isolation',
          'chroot',
          '-f',
          join(context, 'Containerfile'),
          '-t',
          localName,
          context,
        ],
        {
          timeoutMs: 120_000,
        },
      );
      const digestFile = join(work, 'digest');
      await runCommand(
        buildah,
        [
          ...storage,
          'push',
          '--tls-verify=false',
          '--digestfile',
          digestFile,
          localName,
          `docker://${stack.registry}/${repository}:v1`,
        ],
        { timeoutMs: 120_000 },
      );
      const pushedDigest = readFileSync(digestFile, 'utf8').trim();
      expect(pushedDigest).toMatch(/^sha256:[0-9a-f]{64}$/);

      const res = await fetch(`http://${stack.registry}/v2/${repository}/manifests/v1`, {
        headers: {
          accept:
            'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json',
        },
        signal: AbortSignal.timeout(10_000),
      });
      expect(res.status).toBe(200);
      const body = Buffer.from(await res.arrayBuffer());
      const servedDigest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
      expect(res.headers.get('docker-content-digest')).toBe(servedDigest);
      expect(servedDigest).toBe(pushedDigest);

      // the manifest points at one layer, and the registry has that blob
      const manifest = JSON.parse(body.toString('utf8')) as { layers: { digest: string }[] };
      expect(manifest.layers).toHaveLength(1);
      const blob = await fetch(
        `http://${stack.registry}/v2/${repository}/blobs/${manifest.layers[0]?.digest}`,
        {
          method: 'HEAD',
          signal: AbortSignal.timeout(10_000),
        },
      );
      expect(blob.status).toBe(200);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});

describe('stack:up / stack:down for a person', () => {
  it('starts a second, detached stack beside the test stack, usable through the printed exports, and stops it', async () => {
    const name = uniqueName('t').slice(0, 40);
    const cli = join(import.meta.dirname, '..', 'stack', 'cli.ts');
    const up = await runCommand(process.execPath, [cli, 'up', '--name', name], { timeoutMs: 90_000 });
    let downDone = false;
    try {
      const exports = Object.fromEntries(
        [...up.stdout.matchAll(/^export ([A-Z_]+)=(.*)$/gm)].map((m) => [m[1] as string, m[2] as string]),
      );
      expect(Object.keys(exports)).toEqual(
        expect.arrayContaining([
          'KUBECONFIG',
          'AWS_ENDPOINT_URL_ECR',
          'GREENLIGHT_REGISTRY',
          'AWS_REGION',
          'AWS_ACCESS_KEY_ID',
          'AWS_SECRET_ACCESS_KEY',
        ]),
      );
      expect(exports.KUBECONFIG).not.toBe(stack.kubeconfig);
      expect(exports.GREENLIGHT_REGISTRY).not.toBe(stack.registry);

      // its own API server, with its own node, answering kubectl
      const nodes = await runCommand(kubectlPath(), [
        `--kubeconfig=${exports.KUBECONFIG}`,
        'get',
        'nodes',
        '--no-headers',
      ]);
      expect(nodes.stdout).toMatch(/^kwok-node-0\s+Ready\s/m);
      const server = await runCommand(kubectlPath(), [
        `--kubeconfig=${exports.KUBECONFIG}`,
        'config',
        'view',
        '--minify',
        '-o',
        'jsonpath={.clusters[0].cluster.server}',
      ]);
      expect(server.stdout).not.toBe(stack.apiServerUrl);
      const registry = await fetch(`http://${exports.GREENLIGHT_REGISTRY}/v2/`, {
        signal: AbortSignal.timeout(5000),
      });
      expect(registry.status).toBe(200);

      // a namespace made there does not exist in the test stack
      const ns = uniqueNamespace('person');
      await runCommand(kubectlPath(), [`--kubeconfig=${exports.KUBECONFIG}`, 'create', 'namespace', ns]);
      const here = await kubectl(stack, ['get', 'namespace', ns], { allowFailure: true });
      expect(here.code).not.toBe(0);

      const statusBefore = await runCommand(process.execPath, [cli, 'status', '--name', name]);
      const pids = [...statusBefore.stdout.matchAll(/pid (\d+)\s+up/g)].map((m) => Number(m[1]));
      expect(pids.length).toBe(7);

      await runCommand(process.execPath, [cli, 'down', '--name', name], { timeoutMs: 30_000 });
      downDone = true;
      const alive = pids.filter((pid) => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      });
      expect(alive).toEqual([]);
      expect(existsSync(dirname(exports.KUBECONFIG as string))).toBe(false);
      // the test stack is untouched
      expect((await kubectl(stack, ['get', 'node', stack.nodeName, '--no-headers'])).stdout).toMatch(
        /\sReady\s/,
      );
    } finally {
      if (!downDone)
        await runCommand(process.execPath, [cli, 'down', '--name', name], { allowFailure: true });
    }
  });
});
