/**
 * .github/workflows/build.yml run by a real workflow runner (nektos/act, host mode:
 * test/support/act.ts) against the local stack: a push builds the changed sample app with
 * buildah, pushes it and moves its last-good tag in ECR (moto, through the ECR registry
 * bridge: test/support/ecr-registry-bridge.ts); a branch deletion removes the tags; a
 * service repository calls the workflow (workflow_call) as the README shows. Everything is
 * read back independently: moto with a fresh client of the test's own account, the
 * registry over HTTP.
 *
 * act ignores `concurrency` and `environment:` protections: those are checked by reading
 * the workflow files (test/tools/workflows.test.ts), not here.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DescribeImagesCommand, type ImageDetail, PutImageCommand } from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { toolPath } from '../stack/tools.ts';
import { type ActOptions, type ActRun, runAct } from '../support/act.ts';
import { REPO_ROOT } from '../support/action-runner.ts';
import { type EcrRegistryBridge, startEcrRegistryBridge } from '../support/ecr-registry-bridge.ts';
import { type MotoAccount, motoAccountForTest } from '../support/moto-account.ts';
import { tierCannotRun } from '../support/tier.ts';
import { createWorkflowRepo, type WorkflowRepo } from '../support/workflow-repo.ts';

const stack = inject('stack');
const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'greenlight-build-yml-'));
const SAMPLE_REPOSITORIES = ['hello-a', 'hello-b', 'hello-integration-tests', 'switch-probe'];
/** What build.yml needs of this repository to run here: itself, the action it uses, the apps. */
// The action's entry runs the shared bundle in dist/.
const GREENLIGHT_FILES = ['.github/workflows/build.yml', 'actions/build-push-ecr', 'dist', 'sample-apps'];

let blocked: string | undefined;
let account: MotoAccount;
let bridge: EcrRegistryBridge;
let baseImage = '';
const storageConf = join(work, 'storage.conf');

beforeAll(async () => {
  if (process.getuid?.() !== 0) {
    blocked = 'not root: buildah --isolation chroot and the local base image (debootstrap) need root';
    tierCannotRun('workflow-build (build.yml under act)', blocked);
    return;
  }
  account = await motoAccountForTest(stack);
  await account.createRepositories([...SAMPLE_REPOSITORIES, 'svc-web']);
  bridge = await startEcrRegistryBridge({
    registryHost: account.registryHost,
    upstream: stack.registry,
    ecr: account.ecr,
    dir: mkdirIn('bridge'),
  });
  // The job's buildah storage is this test's own; the sample apps' base is imported into it
  // from the cached root filesystem (sample-apps/base-image/build-base.sh: nothing is pulled).
  const storage = mkdirIn('buildah');
  writeFileSync(
    storageConf,
    `[storage]\ndriver = "vfs"\ngraphroot = "${storage}/root"\nrunroot = "${storage}/runroot"\n`,
  );
  const base = await run('bash', [join(REPO_ROOT, 'sample-apps/base-image/build-base.sh')], {
    env: { ...process.env, GREENLIGHT_BUILDAH_ROOT: storage },
    timeout: 900_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  baseImage = base.stdout.trim().split('\n').at(-1) ?? '';
}, 900_000);

afterAll(async () => {
  await bridge?.close();
  rmSync(work, { recursive: true, force: true });
});

function mkdirIn(name: string): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The runner machine: no Docker daemon (so buildah), hadolint installed, ECR through the bridge. */
function runnerOptions(repo: WorkflowRepo, overrides: Partial<ActOptions> = {}): ActOptions {
  return {
    repo: repo.dir,
    workflow: '.github/workflows/build.yml',
    event: 'push',
    vars: {
      GREENLIGHT_ROLE_ARN: account.roleArn,
      AWS_REGION: stack.region,
      GREENLIGHT_BUILD_ARGS: `BASE_IMAGE=${baseImage}`,
    },
    env: {
      SSL_CERT_FILE: bridge.caFile,
      CONTAINERS_STORAGE_CONF: storageConf,
      REGISTRY_AUTH_FILE: join(work, `auth-${Date.now()}.json`),
    },
    tools: { hadolint: toolPath('hadolint') },
    aws: { endpoint: stack.ecrEndpoint, roles: { [account.roleArn]: account.credentials } },
    proxyUrl: bridge.proxyUrl,
    // The released action a service repository's call uses: here, this very code.
    localRepositories: { 'greenlight-dev/greenlight@v1': repo.dir },
    timeoutMs: 600_000,
    ...overrides,
  };
}

async function imageByTag(repository: string, tag: string): Promise<ImageDetail | undefined> {
  try {
    const found = await account.ecr.send(
      new DescribeImagesCommand({ repositoryName: repository, imageIds: [{ imageTag: tag }] }),
    );
    return found.imageDetails?.[0];
  } catch (error) {
    if ((error as { name?: string }).name === 'ImageNotFoundException') return undefined;
    throw error;
  }
}

async function imageCount(repository: string): Promise<number> {
  const found = await account.ecr.send(new DescribeImagesCommand({ repositoryName: repository }));
  return found.imageDetails?.length ?? 0;
}

const OCI_ACCEPT = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/** The manifest digest and image labels the registry itself holds for a tag. */
async function registryImage(repository: string, tag: string) {
  const base = `http://${stack.registry}/v2/${repository}`;
  const manifest = await fetch(`${base}/manifests/${tag}`, { headers: { accept: OCI_ACCEPT } });
  if (!manifest.ok) throw new Error(`registry: ${manifest.status} for ${repository}:${tag}`);
  const digest = manifest.headers.get('docker-content-digest') ?? '';
  const { config } = (await manifest.json()) as { config: { digest: string } };
  const blob = (await (await fetch(`${base}/blobs/${config.digest}`)).json()) as {
    config?: { Labels?: Record<string, string> };
  };
  return { digest, labels: blob.config?.Labels ?? {} };
}

/** Runs act; `refused` is what the bridge refused during this run (any address but the ECR host). */
async function runOnRunner(options: ActOptions): Promise<ActRun & { bridgeRefused: string[] }> {
  const before = bridge.refused.length;
  const result = await runAct(options);
  return Object.assign(result, { bridgeRefused: bridge.refused.slice(before) });
}

function expectSucceeded(result: ActRun): void {
  expect(result.exitCode, result.transcript()).toBe(0);
  expect(result.timedOut).toBe(false);
}

const buildJobs = (result: ActRun) => result.jobs.filter((job) => job.id === 'build');

describe('build.yml on a push to this repository (the sample apps)', () => {
  let repo: WorkflowRepo;
  let before = '';
  let after = '';
  let pushed: Awaited<ReturnType<typeof runOnRunner>>;

  beforeAll(async () => {
    if (blocked) return;
    repo = createWorkflowRepo({ copy: GREENLIGHT_FILES });
    before = repo.git(['rev-parse', 'HEAD']);
    repo.push();
    // One commit that touches hello-a only: only hello-a builds.
    after = repo.commit('hello-a: note in the Dockerfile', {
      'sample-apps/hello-a/Dockerfile': `${repo.git(['show', 'HEAD:sample-apps/hello-a/Dockerfile'])}\n# rebuilt by the workflow test\n`,
    });
    repo.push();
    pushed = await runOnRunner(runnerOptions(repo, { payload: repo.pushPayload(before) }));
  }, 900_000);
  afterAll(() => repo?.remove());

  it('works out that only hello-a changed', (ctx) => {
    if (blocked) return ctx.skip(blocked);
    expectSucceeded(pushed);
    const changes = pushed.job('changes');
    expect(changes.result).toBe('success');
    const matrix = JSON.parse(changes.step('changed').outputs.matrix ?? '{}') as {
      include: { service: string }[];
    };
    expect(matrix.include.map((entry) => entry.service)).toEqual(['hello-a']);
    expect(buildJobs(pushed).map((job) => job.matrix.service)).toEqual(['hello-a']);
  });

  it("runs hello-a's tests and hadolint, assumes the role, then builds with buildah", (ctx) => {
    if (blocked) return ctx.skip(blocked);
    const build = pushed.job('build', { service: 'hello-a' });
    expect(build.result, pushed.transcript()).toBe('success');
    for (const id of ['test', 'hadolint', 'aws', 'local']) expect(build.step(id).result, id).toBe('success');
    expect(build.step('test').log).toMatch(/pass [1-9]/);
    expect(build.step('test').log).toMatch(/fail 0/);
    expect(build.step('hadolint').log).toContain('Haskell Dockerfile Linter 2.15.1');
    expect(build.steps.find((step) => step.id === 'published')?.result).not.toBe('success');
    expect(build.step('local').summary).toContain('buildah');
    expect(pushed.standinCalls).toEqual(
      expect.arrayContaining([
        {
          action: 'aws-actions/configure-aws-credentials',
          job: 'build',
          inputs: { 'aws-region': stack.region, 'role-to-assume': account.roleArn },
        },
        { action: 'actions/setup-node', job: 'build', inputs: { 'node-version': '24' } },
      ]),
    );
  });

  it('pushed sha-<commit> and moved branch-main to it in ECR; the registry holds that image', async (ctx) => {
    if (blocked) return ctx.skip(blocked);
    const outputs = pushed.job('build', { service: 'hello-a' }).step('local').outputs;
    const bySha = await imageByTag('hello-a', `sha-${after}`);
    const lastGood = await imageByTag('hello-a', 'branch-main');
    const registry = await registryImage('hello-a', `sha-${after}`);
    expect(bySha?.imageDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(lastGood?.imageDigest).toBe(bySha?.imageDigest);
    expect(registry.digest).toBe(bySha?.imageDigest);
    expect(outputs.digest).toBe(bySha?.imageDigest);
    expect(outputs.image).toBe(`${account.registryHost}/hello-a@${bySha?.imageDigest}`);
    expect(registry.labels['org.opencontainers.image.revision']).toBe(after);
    expect(registry.labels['org.opencontainers.image.base.name']).toBe(baseImage);
    expect(bridge.pushes).toContainEqual(
      expect.objectContaining({ repository: 'hello-a', tag: `sha-${after}`, digest: bySha?.imageDigest }),
    );
  });

  it('built nothing else, and nothing tried to reach another address', async (ctx) => {
    if (blocked) return ctx.skip(blocked);
    expect(await imageCount('hello-b')).toBe(0);
    expect(await imageCount('hello-integration-tests')).toBe(0);
    expect(pushed.bridgeRefused).toEqual([]);
  });

  it('a push that changes no service folder builds nothing', async (ctx) => {
    if (blocked) return ctx.skip(blocked);
    const head = repo.git(['rev-parse', 'HEAD']);
    repo.commit('sample apps: readme', { 'sample-apps/README.md': 'changed\n' });
    repo.push();
    const result = await runOnRunner(runnerOptions(repo, { payload: repo.pushPayload(head) }));
    expectSucceeded(result);
    expect(result.job('changes').step('changed').outputs.any).toBe('false');
    expect(buildJobs(result).filter((job) => job.result !== undefined)).toEqual([]);
    expect(await imageCount('hello-b')).toBe(0);
  }, 300_000);

  it("a branch deletion removes that branch's last-good tag of every sample app, and nothing else", async (ctx) => {
    if (blocked) return ctx.skip(blocked);
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: `sha256:${'c'.repeat(64)}`,
        size: 2,
      },
      layers: [],
    });
    for (const tag of ['sha-topic', 'branch-topic']) {
      await account.ecr.send(
        new PutImageCommand({
          repositoryName: 'hello-b',
          imageManifest: manifest,
          imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
          imageTag: tag,
        }),
      );
    }
    const result = await runOnRunner(
      runnerOptions(repo, {
        event: 'delete',
        payload: {
          ref: 'topic',
          ref_type: 'branch',
          repository: { full_name: repo.fullName, default_branch: 'main' },
        },
      }),
    );
    expectSucceeded(result);
    // Matrix jobs run side by side: compare in service order.
    const services = buildJobs(result).map((job) => [String(job.matrix.service), job.result]);
    expect(services.sort()).toEqual([
      ['hello-a', 'success'],
      ['hello-b', 'success'],
      ['integration-tests', 'success'],
      ['switch-probe', 'success'],
    ]);
    for (const job of buildJobs(result)) {
      expect(job.steps.find((step) => step.id === 'test')?.result).not.toBe('success');
    }
    expect(await imageByTag('hello-b', 'branch-topic')).toBeUndefined();
    expect(await imageByTag('hello-b', 'sha-topic')).toBeDefined();
    expect(await imageByTag('hello-a', 'branch-main')).toBeDefined();
  }, 300_000);
});

describe('the ECR registry bridge', () => {
  it('tunnels to the ECR host only: any other CONNECT and any plain proxy request are refused and listed', async (ctx) => {
    if (blocked) return ctx.skip(blocked);
    const before = bridge.refused.length;
    const { port } = new URL(bridge.proxyUrl);
    const connect = await new Promise<number | undefined>((resolve, reject) => {
      const request = httpRequest({ host: '127.0.0.1', port, method: 'CONNECT', path: 'example.com:443' });
      request.on('connect', (response, socket) => {
        socket.destroy();
        resolve(response.statusCode);
      });
      request.on('error', reject);
      request.end();
    });
    const plain = await new Promise<number | undefined>((resolve, reject) => {
      const request = httpRequest(
        { host: '127.0.0.1', port, path: `http://${account.registryHost}/v2/` },
        (response) => {
          response.resume();
          resolve(response.statusCode);
        },
      );
      request.on('error', reject);
      request.end();
    });
    expect([connect, plain]).toEqual([403, 403]);
    expect(bridge.refused.slice(before)).toEqual([
      'CONNECT example.com:443',
      `GET http://${account.registryHost}/v2/`,
    ]);
  });
});

describe('build.yml called by a service repository (workflow_call), as the README shows', () => {
  let greenlight: WorkflowRepo;
  const service = (testCommand: string, dockerfile = 'FROM scratch\nCOPY app.txt /app.txt\n') =>
    createWorkflowRepo({
      fullName: 'acme/svc-web',
      files: {
        'app.txt': 'web\n',
        Dockerfile: dockerfile,
        '.github/workflows/ci.yml': [
          'name: ci',
          'on: [push, delete]',
          'permissions: {}',
          'jobs:',
          '  build:',
          '    permissions:',
          '      contents: read',
          '      id-token: write',
          '    uses: greenlight-dev/greenlight/.github/workflows/build.yml@v1',
          '    with:',
          '      repository: svc-web',
          `      test-command: ${JSON.stringify(testCommand)}`,
          // biome-ignore lint/suspicious/noTemplateCurlyInString: a workflow expression
          '      role-to-assume: ${{ vars.GREENLIGHT_ROLE_ARN }}',
          // biome-ignore lint/suspicious/noTemplateCurlyInString: a workflow expression
          '      aws-region: ${{ vars.AWS_REGION }}',
          '',
        ].join('\n'),
      },
    });
  const callerOptions = (repo: WorkflowRepo): ActOptions =>
    runnerOptions(repo, {
      workflow: '.github/workflows/ci.yml',
      payload: repo.pushPayload('0'.repeat(40)),
      localRepositories: { 'greenlight-dev/greenlight@v1': greenlight.dir },
    });

  beforeAll(() => {
    if (blocked) return;
    greenlight = createWorkflowRepo({ copy: GREENLIGHT_FILES });
  });
  afterAll(() => greenlight?.remove());

  it('tests, lints, builds with the released action and moves branch-main', async (ctx) => {
    if (blocked) return ctx.skip(blocked);
    const repo = service('test -f app.txt');
    try {
      const head = repo.git(['rev-parse', 'HEAD']);
      repo.push();
      const result = await runOnRunner(callerOptions(repo));
      expectSucceeded(result);
      const build = result.job('build', { service: 'svc-web' });
      for (const id of ['test', 'hadolint', 'aws', 'published'])
        expect(build.step(id).result, id).toBe('success');
      expect(build.steps.find((step) => step.id === 'local')?.result).not.toBe('success');
      const bySha = await imageByTag('svc-web', `sha-${head}`);
      expect(bySha?.imageDigest).toMatch(/^sha256:/);
      expect((await imageByTag('svc-web', 'branch-main'))?.imageDigest).toBe(bySha?.imageDigest);
      expect((await registryImage('svc-web', `sha-${head}`)).digest).toBe(bySha?.imageDigest);
      expect(result.bridgeRefused).toEqual([]);
    } finally {
      repo.remove();
    }
  }, 300_000);

  it('failing tests stop the build: nothing is pushed and no tag moves', async (ctx) => {
    if (blocked) return ctx.skip(blocked);
    const repo = service('echo "the suite failed" && exit 3');
    try {
      const head = repo.git(['rev-parse', 'HEAD']);
      repo.push();
      const result = await runOnRunner(callerOptions(repo));
      expect(result.exitCode, result.transcript()).not.toBe(0);
      const build = result.job('build', { service: 'svc-web' });
      expect(build.result).toBe('failure');
      expect(build.step('test').result).toBe('failure');
      expect(build.step('test').log).toContain('the suite failed');
      expect(build.steps.find((step) => step.id === 'published')?.result).toBeUndefined();
      expect(await imageByTag('svc-web', `sha-${head}`)).toBeUndefined();
    } finally {
      repo.remove();
    }
  }, 300_000);

  it('a Dockerfile hadolint refuses stops the build before it starts', async (ctx) => {
    if (blocked) return ctx.skip(blocked);
    const repo = service('true', 'FROM alpine:latest\nCOPY app.txt /app.txt\n');
    try {
      const head = repo.git(['rev-parse', 'HEAD']);
      repo.push();
      const result = await runOnRunner(callerOptions(repo));
      const build = result.job('build', { service: 'svc-web' });
      expect(build.result, result.transcript()).toBe('failure');
      expect(build.step('hadolint').result).toBe('failure');
      expect(build.step('hadolint').log).toContain('DL3007');
      expect(await imageByTag('svc-web', `sha-${head}`)).toBeUndefined();
    } finally {
      repo.remove();
    }
  }, 300_000);
});
