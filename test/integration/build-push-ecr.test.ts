/**
 * build-push-ecr against real parts: ECR's API (moto), the CNCF registry, buildah, git.
 * moto has no layer-upload API, so "push to ECR" is done here as ECR itself records a
 * push: PutImage of the manifest under its sha- tag. The step after the push, moving the
 * last-good tag, is the real code, and every assertion reads the registry back.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateRepositoryCommand, type ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { commitTag, lastGoodTag } from '../../src/core/naming.ts';
import { RegistryError } from '../../src/core/registry.ts';
import { type CommandRunner, createCommandRunner, type Logger } from '../../src/exec/command-runner.ts';
import {
  buildAndPush,
  checkRepository,
  deleteLastGoodTag,
  type LastGoodRequest,
  loginBuilder,
  moveLastGoodTag,
} from '../../src/image-build/build-push-ecr.ts';
import { buildOptions, type PushedImage, runBuildPushEcr } from '../../src/image-build/flow.ts';
import type { GitCheckout } from '../../src/image-build/git.ts';
import { type GithubEvent, readBuildPushEcrInputs } from '../../src/image-build/inputs.ts';
import type { BuildahSettings } from '../../src/image-build/options.ts';
import { renderBuildSummary } from '../../src/image-build/summary.ts';
import {
  createEcrClient,
  describeImage,
  getImageManifest,
  getRegistryLogin,
  putImageTag,
} from '../../src/registry/ecr.ts';
import { mapInputSource } from '../../src/runner/inputs.ts';
import { awsEnv, uniqueName } from '../stack/helpers.ts';
import { runActionBundle } from '../support/action-runner.ts';
import { recordingLogger } from '../support/logger.ts';

const stack = inject('stack');
const work = mkdtempSync(join(tmpdir(), 'greenlight-bpe-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const ecr: ECRClient = createEcrClient({
  region: stack.region,
  endpoint: stack.ecrEndpoint,
  credentials: { accessKeyId: stack.awsAccessKeyId, secretAccessKey: stack.awsSecretAccessKey },
  maxAttempts: 2,
});

async function createRepository(
  prefix: string,
  mutability: 'MUTABLE' | 'IMMUTABLE' | 'IMMUTABLE_WITH_EXCLUSION' = 'MUTABLE',
): Promise<string> {
  const name = uniqueName(`bpe-${prefix}`);
  await ecr.send(
    new CreateRepositoryCommand({
      repositoryName: name,
      imageTagMutability: mutability,
      ...(mutability === 'IMMUTABLE_WITH_EXCLUSION'
        ? { imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'branch-*' }] }
        : {}),
    }),
  );
  return name;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** An image manifest unique to `seed`; moto stores it without checking the blobs it names. */
function manifestFor(seed: string): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: {
      mediaType: 'application/vnd.oci.image.config.v1+json',
      digest: `sha256:${sha256(`c${seed}`)}`,
      size: 2,
    },
    layers: [
      { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${sha256(seed)}`, size: 3 },
    ],
  });
}

/** What ECR records for a push of `commit`: its manifest under `sha-<commit>`. Returns the digest. */
async function recordPush(
  repository: string,
  commit: string,
  manifest = manifestFor(commit),
  tag = commitTag(commit),
): Promise<string> {
  const output = await ecr.send(
    new PutImageCommand({
      repositoryName: repository,
      imageManifest: manifest,
      imageManifestMediaType: JSON.parse(manifest).mediaType,
      // ECR's digest is that of the manifest bytes; moto would derive its own without this.
      imageDigest: `sha256:${sha256(manifest)}`,
      imageTag: tag,
    }),
  );
  const digest = output.image?.imageId?.imageDigest;
  if (!digest) throw new Error('moto returned no digest');
  return digest;
}

async function digestOfTag(repository: string, tag: string): Promise<string | undefined> {
  return (await describeImage(ecr, { repository, tag }))?.imageDigest;
}

/** A git repository whose commits get the committer times given, so "later" is controlled. */
class TestRepo {
  readonly dir: string;
  constructor(name: string) {
    this.dir = join(work, name);
    mkdirSync(this.dir);
    this.git(['init', '--quiet', '--initial-branch=main']);
  }

  git(args: string[], time?: number): string {
    const date =
      time === undefined ? {} : { GIT_AUTHOR_DATE: `@${time} +0000`, GIT_COMMITTER_DATE: `@${time} +0000` };
    return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
      cwd: this.dir,
      encoding: 'utf8',
      env: { ...process.env, ...date },
    }).trim();
  }

  commit(message: string, time: number): string {
    writeFileSync(join(this.dir, 'file.txt'), message);
    this.git(['add', 'file.txt']);
    this.git(['commit', '--quiet', '-m', message], time);
    return this.git(['rev-parse', 'HEAD']);
  }

  checkout(runner: CommandRunner): GitCheckout {
    return { runner, cwd: this.dir };
  }
}

const quietRunner = () => createCommandRunner(recordingLogger());

/** The real move, with a short read-back delay: tests have no other writer unless they make one. */
const moveTag = (client: ECRClient, request: LastGoodRequest, git: GitCheckout | undefined, log: Logger) =>
  moveLastGoodTag(client, request, git, log, { settleMs: 20 });

/** A finished build of `main` without a checkout: move main's last-good tag to `commit`'s image. */
const moveMain = (repository: string, commit: string, digest: string) =>
  moveTag(ecr, { repository, branch: 'main', commit, digest }, undefined, recordingLogger());

describe('moving the last-good tag in ECR (moto)', () => {
  it('retags the pushed image by manifest: the branch tag and the sha tag name one image', async () => {
    const repository = await createRepository('retag');
    const commit = 'a'.repeat(40);
    const digest = await recordPush(repository, commit);
    const log = recordingLogger();

    const result = await moveTag(
      ecr,
      { repository, branch: 'feature/Login', commit, digest },
      undefined,
      log,
    );

    expect(result).toMatchObject({ tag: lastGoodTag('feature/Login'), outcome: 'tagged' });
    const image = await describeImage(ecr, { repository, tag: lastGoodTag('feature/Login') });
    expect(image?.imageDigest).toBe(digest);
    expect(image?.imageTags?.sort()).toEqual([lastGoodTag('feature/Login'), commitTag(commit)].sort());
  });

  it('is idempotent: retagging an image that already has the tag succeeds and changes nothing', async () => {
    const repository = await createRepository('idem');
    const commit = 'b'.repeat(40);
    const digest = await recordPush(repository, commit);
    const manifest = await getImageManifest(ecr, { repository, digest });

    expect(await putImageTag(ecr, repository, manifest, 'branch-main')).toBe('tagged');
    // ECR (and moto) answer ImageAlreadyExistsException here: that is success.
    expect(await putImageTag(ecr, repository, manifest, 'branch-main')).toBe('already-tagged');
    const again = await moveMain(repository, commit, digest);
    expect(again.outcome).toBe('already-tagged');
    expect(await digestOfTag(repository, 'branch-main')).toBe(digest);
  });

  it('refuses an IMMUTABLE repository before building, naming the setting to use', async () => {
    const repository = await createRepository('immutable', 'IMMUTABLE');
    const error = await checkRepository(ecr, repository, 'main').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).registryKind).toBe('tag-immutable');
    expect((error as RegistryError).message).toBe(
      `ECR repository ${repository} has tag mutability IMMUTABLE, so the last-good tag branch-main of branch main cannot move`,
    );
    expect((error as RegistryError).hint).toContain(
      'IMMUTABLE_WITH_EXCLUSION with a WILDCARD exclusion filter "branch-*"',
    );
  });

  it('in an IMMUTABLE repository, a move ECR refuses leaves the tag where it was and says which setting to use', async () => {
    const repository = await createRepository('immutable-move', 'IMMUTABLE');
    const [older, newer] = ['c'.repeat(40), 'd'.repeat(40)];
    const olderDigest = await recordPush(repository, older);
    await moveMain(repository, older, olderDigest);
    const newerDigest = await recordPush(repository, newer);

    const error = await moveMain(repository, newer, newerDigest).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).registryKind).toBe('tag-immutable');
    expect((error as RegistryError).hint).toContain('IMMUTABLE_WITH_EXCLUSION');
    expect(await digestOfTag(repository, 'branch-main')).toBe(olderDigest);
  });

  it('moves branch- tags in an IMMUTABLE_WITH_EXCLUSION branch-* repository, the setup terraform makes', async () => {
    const repository = await createRepository('exclusion', 'IMMUTABLE_WITH_EXCLUSION');
    await expect(checkRepository(ecr, repository, 'main')).resolves.toMatchObject({
      tagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      mutabilityExclusions: ['branch-*'],
    });
    const [older, newer] = ['e'.repeat(40), 'f'.repeat(40)];
    const olderDigest = await recordPush(repository, older);
    await moveMain(repository, older, olderDigest);
    const newerDigest = await recordPush(repository, newer);
    const moved = await moveMain(repository, newer, newerDigest);
    expect(moved.outcome).toBe('tagged');
    expect(await digestOfTag(repository, 'branch-main')).toBe(newerDigest);
  });

  it('names a missing repository, before building and when moving', async () => {
    const repository = uniqueName('bpe-missing');
    const before = await checkRepository(ecr, repository, 'main').catch((caught: unknown) => caught);
    expect(before).toBeInstanceOf(RegistryError);
    expect((before as RegistryError).registryKind).toBe('repository-not-found');
    expect((before as RegistryError).message).toBe(
      `could not describe repository ${repository}: the ECR repository does not exist`,
    );
    const moving = await moveMain(repository, '1'.repeat(40), `sha256:${'1'.repeat(64)}`).catch(
      (caught: unknown) => caught,
    );
    expect((moving as RegistryError).registryKind).toBe('repository-not-found');
  });

  it('removes only the branch tag when the branch is deleted; the sha tag stays', async () => {
    const repository = await createRepository('delete');
    const commit = '2'.repeat(40);
    const digest = await recordPush(repository, commit);
    await moveTag(ecr, { repository, branch: 'gone', commit, digest }, undefined, recordingLogger());
    expect(await digestOfTag(repository, 'branch-gone')).toBe(digest);

    expect(await deleteLastGoodTag(ecr, repository, 'gone')).toEqual({ tag: 'branch-gone', removed: true });

    expect(await digestOfTag(repository, 'branch-gone')).toBeUndefined();
    expect(await digestOfTag(repository, commitTag(commit))).toBe(digest);
    expect(await deleteLastGoodTag(ecr, repository, 'gone')).toEqual({ tag: 'branch-gone', removed: false });
  });
});

describe('runs that finish out of order (real git history)', () => {
  let repository: string;
  const origin = new TestRepo('origin');
  const [A, B, C] = [origin.commit('A', 1_000), origin.commit('B', 2_000), origin.commit('C', 3_000)];
  const digests = new Map<string, string>();

  beforeAll(async () => {
    repository = await createRepository('order');
    for (const commit of [A, B, C]) digests.set(commit, await recordPush(repository, commit));
  });

  const move = (branch: string, commit: string, git: GitCheckout | undefined, log = recordingLogger()) =>
    moveTag(ecr, { repository, branch, commit, digest: digests.get(commit) ?? '' }, git, log);

  it('keeps the tag on the newer commit when the older build finishes last', async () => {
    const git = origin.checkout(quietRunner());
    expect((await move('late', B, git)).outcome).toBe('tagged');
    const log = recordingLogger();

    const late = await move('late', A, git, log);

    expect(late.outcome).toBe('kept');
    expect(late.decision.reason).toContain('this run finished out of order');
    expect(await digestOfTag(repository, 'branch-late')).toBe(digests.get(B));
    expect(log.lines.join('\n')).toContain('last-good tag branch-late: kept');
  });

  it('moves forward when they finish in order', async () => {
    const git = origin.checkout(quietRunner());
    await move('inorder', A, git);
    expect((await move('inorder', B, git)).outcome).toBe('tagged');
    expect(await digestOfTag(repository, 'branch-inorder')).toBe(digests.get(B));
  });

  it('in a one-commit-deep clone (actions/checkout default) fetches the history it needs', async () => {
    const clone = join(work, 'shallow');
    execFileSync('git', ['clone', '--quiet', '--depth=1', `file://${origin.dir}`, clone]);
    const git: GitCheckout = { runner: quietRunner(), cwd: clone };
    const hasCommit = (commit: string) => {
      try {
        execFileSync('git', ['cat-file', '-e', `${commit}^{commit}`], { cwd: clone, stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    };
    expect(hasCommit(A)).toBe(false);
    await move('shallow', B, git);

    // The remote head is C, neither of the two: ancestry decides, after fetching A and B.
    const late = await move('shallow', A, git);

    expect(late.outcome).toBe('kept');
    expect(hasCommit(A)).toBe(true);
    expect(await digestOfTag(repository, 'branch-shallow')).toBe(digests.get(B));
    // The remote head always wins, even over an image the tag holds.
    expect((await move('shallow', C, git)).outcome).toBe('tagged');
    expect(await digestOfTag(repository, 'branch-shallow')).toBe(digests.get(C));
  });

  it('two runs at once: an older run writing right after the newer one is undone by the newer run', async () => {
    const git = origin.checkout(quietRunner());
    const log = recordingLogger();
    const newer = moveLastGoodTag(
      ecr,
      { repository, branch: 'race', commit: B, digest: digests.get(B) ?? '' },
      git,
      log,
      { settleMs: 1_500 },
    );
    // What an older run that read the tag before B wrote it does: write A over it.
    for (let i = 0; i < 100 && (await digestOfTag(repository, 'branch-race')) !== digests.get(B); i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const manifestA = await getImageManifest(ecr, { repository, digest: digests.get(A) ?? '' });
    expect(await putImageTag(ecr, repository, manifestA, 'branch-race')).toBe('tagged');

    const result = await newer;

    expect(result.outcome).toBe('tagged');
    expect(await digestOfTag(repository, 'branch-race')).toBe(digests.get(B));
    expect(log.lines).toContain(
      'warning: last-good tag branch-race was moved by another run right after this one: deciding again',
    );
  });

  it('two runs at once, really concurrent: the newer commit holds the tag every time', async () => {
    const git = origin.checkout(quietRunner());
    for (const branch of ['both-1', 'both-2', 'both-3']) {
      const run = (commit: string) =>
        moveLastGoodTag(
          ecr,
          { repository, branch, commit, digest: digests.get(commit) ?? '' },
          git,
          recordingLogger(),
          {
            settleMs: 300,
          },
        );
      await Promise.all([run(A), run(B)]);
      expect(await digestOfTag(repository, lastGoodTag(branch))).toBe(digests.get(B));
    }
  });

  it('after a force push, the later-committed line wins, whichever run finishes last', async () => {
    const forced = new TestRepo('forced');
    const base = forced.commit('base', 1_000);
    const first = forced.commit('first', 2_000);
    forced.git(['reset', '--quiet', '--hard', base]);
    const rewritten = forced.commit('rewritten', 3_000);
    for (const commit of [first, rewritten]) digests.set(commit, await recordPush(repository, commit));
    const git = forced.checkout(quietRunner());

    await move('forced', first, git);
    const log = recordingLogger();
    const moved = await move('forced', rewritten, git, log);
    expect(moved).toMatchObject({ outcome: 'tagged', decision: { warn: true } });
    expect(
      log.lines.some((line) =>
        line.startsWith('warning: last-good tag branch-forced: move (history was rewritten'),
      ),
    ).toBe(true);

    const stale = await move('forced', first, git);
    expect(stale).toMatchObject({ outcome: 'kept', decision: { warn: true } });
    expect(await digestOfTag(repository, 'branch-forced')).toBe(digests.get(rewritten));
  });
});

/** Storage, isolation and registry settings for a daemonless buildah in a temp dir. */
function buildahSettings(name: string, withLogin: boolean): BuildahSettings {
  const dir = join(work, `buildah-${name}`);
  return {
    storageDriver: 'vfs',
    root: join(dir, 'root'),
    runroot: join(dir, 'runroot'),
    isolation: 'chroot',
    tlsVerify: false,
    // buildah refuses an --authfile that does not exist yet; only `buildah login` creates it.
    ...(withLogin ? { authFile: join(dir, 'auth.json') } : {}),
  };
}

function buildContext(name: string, content: string): string {
  const dir = join(work, `context-${name}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\nCOPY hello.txt /hello.txt\n');
  writeFileSync(join(dir, 'hello.txt'), content);
  return dir;
}

const OCI_ACCEPT = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/** A manifest as the registry serves it: body, media type and its digest header. */
async function registryManifest(repository: string, reference: string) {
  const response = await fetch(`http://${stack.registry}/v2/${repository}/manifests/${reference}`, {
    headers: { Accept: OCI_ACCEPT },
  });
  if (!response.ok) throw new Error(`registry: ${response.status} for ${repository}:${reference}`);
  return {
    body: await response.text(),
    mediaType: response.headers.get('content-type') ?? '',
    digest: response.headers.get('docker-content-digest') ?? '',
  };
}

async function registryImageLabels(
  repository: string,
  manifestBody: string,
): Promise<Record<string, string>> {
  const configDigest = (JSON.parse(manifestBody) as { config: { digest: string } }).config.digest;
  const response = await fetch(`http://${stack.registry}/v2/${repository}/blobs/${configDigest}`);
  const config = (await response.json()) as { config?: { Labels?: Record<string, string> } };
  return config.config?.Labels ?? {};
}

const github = (sha: string): GithubEvent => ({
  eventName: 'push',
  refName: 'main',
  refType: 'branch',
  sha,
  serverUrl: 'https://github.com',
  repository: 'acme/hello-a',
});

describe('a real buildah build', () => {
  it('builds and pushes to a plain registry with the same tags; the registry serves the digest reported', async () => {
    const repository = uniqueName('bpe-buildah');
    const commit = sha256('buildah-plain').slice(0, 40);
    const inputs = readBuildPushEcrInputs(
      mapInputSource({
        repository,
        registry: stack.registry,
        builder: 'buildah',
        context: buildContext('plain', 'plain\n'),
        tags: 'v1.0.0',
        labels: 'team=qa',
      }),
      github(commit),
    );
    const log = recordingLogger();

    const result = (await runBuildPushEcr(inputs, {
      ecr: () => {
        throw new Error('a run against a plain registry must not call ECR');
      },
      runner: createCommandRunner(log),
      log,
      mask: () => {},
      now: new Date('2026-11-21T10:00:00Z'),
      tempDir: mkdtempSync(join(work, 'tmp-')),
      git: undefined,
      buildah: buildahSettings('plain', false),
    })) as PushedImage;

    const bySha = await registryManifest(repository, commitTag(commit));
    const byExtra = await registryManifest(repository, 'v1.0.0');
    expect(result.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(bySha.digest).toBe(result.digest);
    expect(byExtra.digest).toBe(result.digest);
    expect(result.image).toBe(`${stack.registry}/${repository}@${result.digest}`);
    expect(result.tags).toEqual([
      `${stack.registry}/${repository}:${commitTag(commit)}`,
      `${stack.registry}/${repository}:v1.0.0`,
    ]);
    expect(result.lastGood).toBeUndefined();
    expect(await registryImageLabels(repository, bySha.body)).toMatchObject({
      'org.opencontainers.image.revision': commit,
      'org.opencontainers.image.source': 'https://github.com/acme/hello-a',
      'org.opencontainers.image.created': '2026-11-21T10:00:00.000Z',
      team: 'qa',
    });
  });

  it('with push off, builds locally and neither pushes nor calls ECR', async () => {
    const repository = uniqueName('bpe-nopush');
    const commit = sha256('nopush').slice(0, 40);
    const inputs = readBuildPushEcrInputs(
      mapInputSource({
        repository,
        builder: 'buildah',
        push: 'false',
        context: buildContext('nopush', 'x\n'),
      }),
      github(commit),
    );
    const log = recordingLogger();
    const runner = createCommandRunner(log);
    const settings = buildahSettings('nopush', false);

    const result = (await runBuildPushEcr(inputs, {
      ecr: () => {
        throw new Error('push off must not call ECR');
      },
      runner,
      log,
      mask: () => {},
      now: new Date(),
      tempDir: mkdtempSync(join(work, 'tmp-')),
      git: undefined,
      buildah: settings,
    })) as PushedImage;

    expect(result).toMatchObject({
      digest: undefined,
      image: undefined,
      tags: [],
      lastGoodSkipped: 'push is off',
    });
    expect(
      runner.history.map((record) => record.argv.find((arg) => ['build', 'push'].includes(arg))),
    ).toEqual(['build']);
    const local = execFileSync(
      'buildah',
      [
        '--storage-driver',
        'vfs',
        '--root',
        settings.root ?? '',
        '--runroot',
        settings.runroot ?? '',
        'images',
        '--format',
        '{{.Name}}:{{.Tag}}',
      ],
      { encoding: 'utf8' },
    );
    expect(local).toContain(`${repository}:${commitTag(commit)}`);
    expect((await fetch(`http://${stack.registry}/v2/${repository}/tags/list`)).status).toBe(404);
  });

  it('the full flow with ECR: login, build, push, record in ECR, move the last-good tag; the password leaks nowhere', async () => {
    const repository = await createRepository('flow', 'IMMUTABLE_WITH_EXCLUSION');
    const commit = sha256('buildah-flow').slice(0, 40);
    const settings = buildahSettings('flow', true);
    const log = recordingLogger();
    const runner = createCommandRunner(log);
    const masked: string[] = [];
    const inputs = readBuildPushEcrInputs(
      mapInputSource({ repository, builder: 'buildah', context: buildContext('flow', 'flow\n') }),
      github(commit),
    );

    await checkRepository(ecr, repository, 'main');
    const login = await getRegistryLogin(ecr);
    // moto's registry host is not reachable; the builder logs in to (and pushes to) the local registry.
    await loginBuilder(
      runner,
      'buildah',
      { ...login, registry: stack.registry },
      (secret) => masked.push(secret),
      settings,
    );
    const tempDir = mkdtempSync(join(work, 'tmp-'));
    const options = buildOptions(inputs, commit, stack.registry, { now: new Date(), tempDir }, 'buildah');
    const digest = await buildAndPush(runner, 'buildah', options, settings);
    const pushed = await registryManifest(repository, commitTag(commit));
    const ecrDigest = await recordPush(repository, commit, pushed.body);
    const lastGood = await moveTag(
      ecr,
      { repository, branch: 'main', commit, digest: ecrDigest },
      undefined,
      log,
    );

    expect(ecrDigest).toBe(digest);
    expect(await digestOfTag(repository, 'branch-main')).toBe(digest);
    expect(lastGood.outcome).toBe('tagged');

    const summary = renderBuildSummary({
      event: 'push',
      repository,
      imageName: `${stack.registry}/${repository}`,
      builder: 'buildah',
      commit,
      branch: 'main',
      digest,
      image: `${stack.registry}/${repository}@${digest}`,
      tags: options.imageRefs,
      lastGood,
      lastGoodSkipped: undefined,
    });
    const captured = [
      ...log.lines,
      ...runner.history.flatMap((record) => [...record.argv, record.stdout, record.stderr]),
      summary,
    ].join('\n');
    // The password did reach buildah (on stdin): its auth file holds it.
    const authFile = readFileSync(settings.authFile ?? '', 'utf8');
    expect(authFile).toContain(Buffer.from(`AWS:${login.password}`).toString('base64'));
    expect(masked).toEqual([login.password]);
    expect(runner.history.some((record) => record.argv.includes('--password-stdin'))).toBe(true);
    expect(login.password.length).toBeGreaterThan(8);
    expect(captured).not.toContain(login.password);
    expect(captured).not.toContain(Buffer.from(`AWS:${login.password}`).toString('base64'));
  });
});

describe('the flow around the build', () => {
  const ecrOnly = (log: Logger, runner: CommandRunner) => ({
    ecr: () => ecr,
    runner,
    log,
    mask: () => {},
    now: new Date(),
    tempDir: mkdtempSync(join(work, 'tmp-')),
    git: undefined,
  });

  it('a re-run for a commit already in ECR reuses its image: no build, extra tags added, last-good moved', async () => {
    const repository = await createRepository('rerun', 'IMMUTABLE_WITH_EXCLUSION');
    const commit = sha256('rerun').slice(0, 40);
    const digest = await recordPush(repository, commit);
    const log = recordingLogger();
    const runner = createCommandRunner(log);
    const inputs = readBuildPushEcrInputs(
      mapInputSource({ repository, builder: 'buildah', tags: 'v2' }),
      github(commit),
    );

    const result = (await runBuildPushEcr(inputs, ecrOnly(log, runner))) as PushedImage;

    expect(runner.history).toEqual([]);
    expect(result.digest).toBe(digest);
    expect(await digestOfTag(repository, 'v2')).toBe(digest);
    expect(await digestOfTag(repository, 'branch-main')).toBe(digest);
    expect(log.lines).toContain(`${repository} already holds this commit as ${digest}: reused, not rebuilt`);
  });

  it('refuses a repository URI of another account than the credentials reach, before building', async () => {
    const repository = await createRepository('account');
    const runner = createCommandRunner(recordingLogger());
    const inputs = readBuildPushEcrInputs(
      mapInputSource({
        repository: `999999999999.dkr.ecr.${stack.region}.amazonaws.com/${repository}`,
        builder: 'buildah',
      }),
      github('3'.repeat(40)),
    );
    await expect(runBuildPushEcr(inputs, ecrOnly(recordingLogger(), runner))).rejects.toThrow(
      `Input "repository" names 999999999999.dkr.ecr.${stack.region}.amazonaws.com, but these credentials find ${repository} at ${stack.awsAccountId}.dkr.ecr.${stack.region}.amazonaws.com`,
    );
    expect(runner.history).toEqual([]);
  });
});

describe('the action bundle, run as the runner runs it', () => {
  /**
   * moto's registry host is not a real address, so a real builder cannot log in there; a
   * stand-in `buildah` on PATH records its argv, environment and stdin, and "pushes" by
   * writing the digest of an image this test records in moto first.
   */
  function stubBuildah(dir: string, digest: string): string {
    const bin = join(dir, 'bin');
    mkdirSync(bin, { recursive: true });
    const script = [
      '#!/bin/sh',
      `log=${dir}/calls.log`,
      'printf "argv:%s\\n" "$*" >> "$log"',
      'env | sed "s/^/env:/" >> "$log"',
      'case " $* " in *" login "*) printf "stdin:" >> "$log"; cat >> "$log"; echo "Login Succeeded!";; esac',
      'while [ $# -gt 0 ]; do',
      `  if [ "$1" = "--digestfile" ]; then printf "%s" "${digest}" > "$2"; fi`,
      '  shift',
      'done',
      'exit 0',
    ].join('\n');
    writeFileSync(join(bin, 'buildah'), `${script}\n`);
    chmodSync(join(bin, 'buildah'), 0o755);
    writeFileSync(join(bin, 'docker'), '#!/bin/sh\nexit 1\n'); // no daemon: auto picks buildah
    chmodSync(join(bin, 'docker'), 0o755);
    return bin;
  }

  it('builds, moves the last-good tag, writes outputs and summary, and never shows the password', async () => {
    const repository = await createRepository('bundle', 'IMMUTABLE_WITH_EXCLUSION');
    const commit = sha256('bundle').slice(0, 40);
    // Staged under another tag: with sha-<commit> present the run would reuse it and not build.
    const digest = await recordPush(repository, commit, manifestFor(commit), 'staged');
    const password = (await getRegistryLogin(ecr)).password;
    const dir = mkdtempSync(join(work, 'bundle-'));
    const bin = stubBuildah(dir, digest);

    const run = runActionBundle(
      'build-push-ecr',
      { repository },
      {
        ...awsEnv(stack),
        PATH: `${bin}:${process.env.PATH ?? ''}`,
        GITHUB_EVENT_NAME: 'push',
        GITHUB_REF_NAME: 'feature/x',
        GITHUB_REF_TYPE: 'branch',
        GITHUB_SHA: commit,
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_REPOSITORY: 'acme/hello-a',
      },
    );

    const registry = `${stack.awsAccountId}.dkr.ecr.${stack.region}.amazonaws.com`;
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toEqual({
      image: `${registry}/${repository}@${digest}`,
      digest,
      tags: [
        `${registry}/${repository}:sha-${commit}`,
        `${registry}/${repository}:${lastGoodTag('feature/x')}`,
      ].join('\n'),
    });
    expect(await digestOfTag(repository, lastGoodTag('feature/x'))).toBe(digest);
    expect(run.summary).toContain(`- **Image**: \`${registry}/${repository}@${digest}\``);

    const calls = readFileSync(join(dir, 'calls.log'), 'utf8');
    // The scan can see the password: it went to `buildah login` on stdin and was masked.
    expect(calls).toContain(`stdin:${password}\n`);
    expect(run.stdout).toContain(`::add-mask::${password}`);
    const everything = [
      run.stdout.replace(`::add-mask::${password}`, ''),
      run.stderr,
      JSON.stringify(run.outputs),
      run.summary,
      calls.replace(`stdin:${password}`, ''),
    ].join('\n');
    expect(everything).not.toContain(password);
  });

  it("on a branch delete event removes that branch's last-good tag only", async () => {
    const repository = await createRepository('bundle-delete');
    const commit = sha256('bundle-delete').slice(0, 40);
    const digest = await recordPush(repository, commit);
    await moveTag(ecr, { repository, branch: 'topic', commit, digest }, undefined, recordingLogger());
    const dir = mkdtempSync(join(work, 'event-'));
    writeFileSync(join(dir, 'event.json'), JSON.stringify({ ref: 'topic', ref_type: 'branch' }));

    const run = runActionBundle(
      'build-push-ecr',
      { repository },
      {
        ...awsEnv(stack),
        GITHUB_EVENT_NAME: 'delete',
        GITHUB_REF_NAME: 'main',
        GITHUB_EVENT_PATH: join(dir, 'event.json'),
      },
    );

    expect(run.exitCode).toBe(0);
    expect(await digestOfTag(repository, 'branch-topic')).toBeUndefined();
    expect(await digestOfTag(repository, commitTag(commit))).toBe(digest);
    expect(run.summary).toContain('its last-good tag `branch-topic` removed');
  });

  it('on a tag delete event does nothing, and succeeds', () => {
    const dir = mkdtempSync(join(work, 'event-'));
    writeFileSync(join(dir, 'event.json'), JSON.stringify({ ref: 'v1.0.0', ref_type: 'tag' }));
    // The repository does not exist: any ECR call would fail the run.
    const run = runActionBundle(
      'build-push-ecr',
      { repository: uniqueName('bpe-never') },
      { ...awsEnv(stack), GITHUB_EVENT_NAME: 'delete', GITHUB_EVENT_PATH: join(dir, 'event.json') },
    );
    expect(run.exitCode).toBe(0);
    expect(run.summary).toContain('A tag was deleted: there is no last-good tag to remove.');
  });
});
