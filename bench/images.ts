/**
 * Images for the generated services in the stack's registry, over the distribution API:
 * one tiny layer uploaded once, then mounted into every service's repository (a
 * cross-repository blob mount, no upload), and two small manifests per repository:
 * `v1`, and `v2` also tagged `branch-master` (the default branch's last-good tag).
 */
import { createHash, randomBytes } from 'node:crypto';
import pLimit from 'p-limit';
import { DEFAULT_BRANCH, type Release, repositoryOf } from './groups.ts';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const TIMEOUT_MS = 10_000;

const sha256 = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

interface Blob {
  bytes: Buffer;
  digest: string;
}

function blob(bytes: Buffer): Blob {
  return { bytes, digest: sha256(bytes) };
}

function checkLoopback(registry: string): void {
  if (!/^(127\.\d+\.\d+\.\d+|localhost|\[::1\]):\d+$/.test(registry)) {
    throw new Error(`registry ${registry}: the benchmarks only talk to a registry on loopback`);
  }
}

async function call(url: string, init: RequestInit, expected: number, what: string): Promise<Response> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
  if (response.status !== expected) {
    throw new Error(`${what}: HTTP ${response.status} (expected ${expected}): ${await response.text()}`);
  }
  return response;
}

async function upload(registry: string, repository: string, data: Blob): Promise<void> {
  const start = await call(
    `http://${registry}/v2/${repository}/blobs/uploads/`,
    { method: 'POST' },
    202,
    `start an upload to ${repository}`,
  );
  const location = new URL(start.headers.get('location') ?? '', `http://${registry}`);
  location.searchParams.set('digest', data.digest);
  await call(
    location.toString(),
    {
      method: 'PUT',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: new Uint8Array(data.bytes),
    },
    201,
    `upload ${data.digest} to ${repository}`,
  );
}

async function mount(registry: string, repository: string, from: string, data: Blob): Promise<void> {
  const query = new URLSearchParams({ mount: data.digest, from });
  await call(
    `http://${registry}/v2/${repository}/blobs/uploads/?${query}`,
    { method: 'POST' },
    201,
    `mount ${data.digest} from ${from} into ${repository}`,
  );
}

async function putManifest(
  registry: string,
  repository: string,
  tag: string,
  manifest: Buffer,
): Promise<void> {
  await call(
    `http://${registry}/v2/${repository}/manifests/${tag}`,
    { method: 'PUT', headers: { 'Content-Type': OCI_MANIFEST }, body: new Uint8Array(manifest) },
    201,
    `put ${repository}:${tag}`,
  );
}

function imageConfig(layer: Blob, release: Release): Blob {
  return blob(
    Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        config: { Labels: { 'greenlight.bench/release': release } },
        rootfs: { type: 'layers', diff_ids: [layer.digest] },
      }),
    ),
  );
}

function manifestFor(config: Blob, layer: Blob): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: config.digest,
        size: config.bytes.length,
      },
      layers: [
        {
          mediaType: 'application/vnd.oci.image.layer.v1.tar',
          digest: layer.digest,
          size: layer.bytes.length,
        },
      ],
    }),
  );
}

export interface PushedImages {
  /** manifest digest of each release (the same in every repository) */
  digests: Record<Release, string>;
  repositories: number;
}

/** Pushes `bench/<service>:{v1,v2,branch-master}` for every service; a few requests per repository. */
export async function pushServiceImages(
  registry: string,
  services: readonly string[],
): Promise<PushedImages> {
  checkLoopback(registry);
  const layer = blob(randomBytes(256));
  const configs = { v1: imageConfig(layer, 'v1'), v2: imageConfig(layer, 'v2') };
  const manifests = { v1: manifestFor(configs.v1, layer), v2: manifestFor(configs.v2, layer) };
  const [first, ...rest] = services;
  if (first === undefined) throw new Error('pushServiceImages: no services');
  const source = repositoryOf(first);
  for (const data of [layer, configs.v1, configs.v2]) await upload(registry, source, data);
  const limit = pLimit(8);
  const tags: [string, Buffer][] = [
    ['v1', manifests.v1],
    ['v2', manifests.v2],
    [`branch-${DEFAULT_BRANCH}`, manifests.v2],
  ];
  await Promise.all(
    [first, ...rest].map((svc) =>
      limit(async () => {
        const repository = repositoryOf(svc);
        if (repository !== source) {
          for (const data of [layer, configs.v1, configs.v2]) await mount(registry, repository, source, data);
        }
        for (const [tag, manifest] of tags) await putManifest(registry, repository, tag, manifest);
      }),
    ),
  );
  return { digests: { v1: sha256(manifests.v1), v2: sha256(manifests.v2) }, repositories: services.length };
}
