import { describe, expect, test } from 'vitest';
import { getBuildahArgs, getBuildahLoginArgs, getBuildahPushArgs } from '../../src/image-build/buildah.ts';
import { digestFromBuildxMetadata, getBuildxArgs, getDockerLoginArgs } from '../../src/image-build/buildx.ts';
import { buildOptions } from '../../src/image-build/flow.ts';
import { readBuildPushEcrInputs } from '../../src/image-build/inputs.ts';
import type { BuildahSettings, BuildOptions } from '../../src/image-build/options.ts';
import { mapInputSource } from '../../src/runner/inputs.ts';

const REPO = '123456789012.dkr.ecr.us-east-1.amazonaws.com/hello-a';
const SHA = '0123456789abcdef0123456789abcdef01234567';

const base: BuildOptions = {
  context: '.',
  imageRefs: [`${REPO}:sha-${SHA}`],
  labels: [],
  buildArgs: [],
  platforms: [],
  push: true,
  provenance: false,
  resultFile: '/tmp/result',
};

describe('getBuildxArgs', () => {
  test.each<[string, Partial<BuildOptions>, string[]]>([
    [
      'the minimum: one tag, no provenance, push',
      {},
      [
        'buildx',
        'build',
        '--tag',
        `${REPO}:sha-${SHA}`,
        '--provenance=false',
        '--metadata-file',
        '/tmp/result',
        '--push',
        '.',
      ],
    ],
    [
      'everything',
      {
        context: 'services/a',
        dockerfile: 'services/a/Dockerfile.prod',
        imageRefs: [`${REPO}:sha-${SHA}`, `${REPO}:v1`],
        labels: ['org.opencontainers.image.revision=abc', 'team=payments'],
        buildArgs: ['NODE_ENV=production', 'LIST=a,b'],
        target: 'runtime',
        platforms: ['linux/amd64', 'linux/arm64'],
        cacheRef: `${REPO}:buildcache`,
        provenance: true,
      },
      [
        'buildx',
        'build',
        '--file',
        'services/a/Dockerfile.prod',
        '--tag',
        `${REPO}:sha-${SHA}`,
        '--tag',
        `${REPO}:v1`,
        '--label',
        'org.opencontainers.image.revision=abc',
        '--label',
        'team=payments',
        '--build-arg',
        'NODE_ENV=production',
        '--build-arg',
        'LIST=a,b',
        '--target',
        'runtime',
        '--platform',
        'linux/amd64,linux/arm64',
        '--provenance=true',
        '--cache-from',
        `type=registry,ref=${REPO}:buildcache`,
        '--cache-to',
        `type=registry,ref=${REPO}:buildcache,mode=max,image-manifest=true,oci-mediatypes=true`,
        '--metadata-file',
        '/tmp/result',
        '--push',
        'services/a',
      ],
    ],
    [
      'no push: reads the cache but writes neither image nor cache',
      { push: false, cacheRef: `${REPO}:buildcache` },
      [
        'buildx',
        'build',
        '--tag',
        `${REPO}:sha-${SHA}`,
        '--provenance=false',
        '--cache-from',
        `type=registry,ref=${REPO}:buildcache`,
        '--metadata-file',
        '/tmp/result',
        '.',
      ],
    ],
  ])('%s', (_name, options, argv) => {
    expect(getBuildxArgs({ ...base, ...options })).toEqual(argv);
  });

  test('docker login takes the password on stdin, never in argv', () => {
    expect(getDockerLoginArgs('123456789012.dkr.ecr.us-east-1.amazonaws.com', 'AWS')).toEqual([
      'login',
      '--username',
      'AWS',
      '--password-stdin',
      '123456789012.dkr.ecr.us-east-1.amazonaws.com',
    ]);
  });

  test.each([
    [`{"containerimage.digest":"sha256:${'a'.repeat(64)}","image.name":"x"}`, `sha256:${'a'.repeat(64)}`],
    ['{"buildx.build.ref":"default/default/abc"}', undefined],
  ])('reads the pushed digest from buildx metadata %s', (json, digest) => {
    expect(digestFromBuildxMetadata(json)).toBe(digest);
  });
});

describe('getBuildahArgs', () => {
  const vfs: BuildahSettings = {
    storageDriver: 'vfs',
    root: '/tmp/s/root',
    runroot: '/tmp/s/run',
    isolation: 'chroot',
    tlsVerify: false,
    authFile: '/tmp/s/auth.json',
  };

  test.each<[string, Partial<BuildOptions>, BuildahSettings, string[]]>([
    ['the minimum', {}, {}, ['build', '--tag', `${REPO}:sha-${SHA}`, '.']],
    [
      'daemonless storage, plain-http registry, cache',
      {
        dockerfile: 'Containerfile',
        imageRefs: [`${REPO}:sha-${SHA}`, `${REPO}:v1`],
        labels: ['a=b'],
        buildArgs: ['X=1'],
        target: 'runtime',
        platforms: ['linux/amd64'],
        cacheRef: REPO,
      },
      vfs,
      [
        '--storage-driver',
        'vfs',
        '--root',
        '/tmp/s/root',
        '--runroot',
        '/tmp/s/run',
        'build',
        '--file',
        'Containerfile',
        '--tag',
        `${REPO}:sha-${SHA}`,
        '--tag',
        `${REPO}:v1`,
        '--label',
        'a=b',
        '--build-arg',
        'X=1',
        '--target',
        'runtime',
        '--platform',
        'linux/amd64',
        '--layers',
        '--cache-from',
        REPO,
        '--cache-to',
        REPO,
        '--isolation',
        'chroot',
        '--tls-verify=false',
        '--authfile',
        '/tmp/s/auth.json',
        '.',
      ],
    ],
    [
      'several platforms build a manifest list named by the commit tag',
      { platforms: ['linux/amd64', 'linux/arm64'], push: false, cacheRef: REPO },
      {},
      [
        'build',
        '--manifest',
        `${REPO}:sha-${SHA}`,
        '--platform',
        'linux/amd64,linux/arm64',
        '--layers',
        '--cache-from',
        REPO,
        '.',
      ],
    ],
  ])('%s', (_name, options, settings, argv) => {
    expect(getBuildahArgs({ ...base, ...options }, settings)).toEqual(argv);
  });

  test.each<[string, Partial<BuildOptions>, BuildahSettings, string[]]>([
    [
      'one platform: buildah push',
      {},
      { tlsVerify: false },
      [
        'push',
        '--digestfile',
        '/tmp/result',
        '--tls-verify=false',
        `${REPO}:sha-${SHA}`,
        `docker://${REPO}:v1`,
      ],
    ],
    [
      'several platforms: buildah manifest push --all',
      { platforms: ['linux/amd64', 'linux/arm64'] },
      { storageDriver: 'vfs' },
      [
        '--storage-driver',
        'vfs',
        'manifest',
        'push',
        '--all',
        '--digestfile',
        '/tmp/result',
        `${REPO}:sha-${SHA}`,
        `docker://${REPO}:v1`,
      ],
    ],
  ])('push: %s', (_name, options, settings, argv) => {
    expect(getBuildahPushArgs({ ...base, ...options }, `${REPO}:v1`, settings)).toEqual(argv);
  });

  test('buildah login takes the password on stdin, never in argv', () => {
    expect(getBuildahLoginArgs('127.0.0.1:5000', 'AWS', { tlsVerify: false })).toEqual([
      'login',
      '--username',
      'AWS',
      '--password-stdin',
      '--tls-verify=false',
      '127.0.0.1:5000',
    ]);
  });
});

describe('buildOptions: inputs -> what the builder is asked', () => {
  const created = new Date('2026-11-21T10:00:00Z');
  const github = { sha: SHA, serverUrl: 'https://github.com', repository: 'acme/hello-a' };

  test.each<[string, Record<string, string>, 'docker' | 'buildah', Partial<BuildOptions>]>([
    [
      'commit tag first, extra tags deduplicated, OCI labels then the user labels',
      { repository: 'hello-a', tags: `v1\nsha-${SHA}\nlatest`, labels: 'team=payments' },
      'docker',
      {
        imageRefs: [`${REPO}:sha-${SHA}`, `${REPO}:v1`, `${REPO}:latest`],
        labels: [
          `org.opencontainers.image.revision=${SHA}`,
          'org.opencontainers.image.source=https://github.com/acme/hello-a',
          'org.opencontainers.image.created=2026-11-21T10:00:00.000Z',
          'team=payments',
        ],
        resultFile: '/tmp/run/build-metadata.json',
      },
    ],
    [
      'a user label replaces ours with the same key',
      { repository: 'hello-a', labels: 'org.opencontainers.image.source=https://example.com/x' },
      'docker',
      {
        labels: [
          `org.opencontainers.image.revision=${SHA}`,
          'org.opencontainers.image.created=2026-11-21T10:00:00.000Z',
          'org.opencontainers.image.source=https://example.com/x',
        ],
      },
    ],
    [
      'buildx cache is one tag in the repository',
      { repository: 'hello-a', cache: 'true' },
      'docker',
      { cacheRef: `${REPO}:buildcache` },
    ],
    [
      'buildah cache is a repository, by default the image repository',
      { repository: 'hello-a', cache: 'true' },
      'buildah',
      { cacheRef: REPO, resultFile: '/tmp/run/pushed-digest' },
    ],
    [
      'buildah cache in its own repository',
      { repository: 'hello-a', cache: 'true', 'cache-repository': 'hello-a-cache' },
      'buildah',
      { cacheRef: '123456789012.dkr.ecr.us-east-1.amazonaws.com/hello-a-cache' },
    ],
  ])('%s', (_name, raw, builder, expected) => {
    const inputs = readBuildPushEcrInputs(mapInputSource(raw), github);
    const options = buildOptions(
      inputs,
      SHA,
      '123456789012.dkr.ecr.us-east-1.amazonaws.com',
      { now: created, tempDir: '/tmp/run' },
      builder,
    );
    expect(options).toMatchObject(expected);
  });
});
