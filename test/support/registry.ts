/**
 * Images put into the local stack's registries for tests: a small OCI image pushed over the
 * distribution API, and a manifest recorded in moto's ECR (which has no layer upload).
 */
import { createHash, randomBytes } from 'node:crypto';
import { type ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { expect } from 'vitest';

/** `sha256:<hex>` of the bytes, as registries name blobs and manifests. */
export const sha256 = (data: string | Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/**
 * Pushes a small OCI image over the distribution API (blobs, then the manifest under each
 * tag), with basic auth when `credentials` are given; returns its digest.
 */
export async function pushOciImage(
  registry: string,
  repository: string,
  tags: string[],
  labels: Record<string, string> = {},
  credentials?: { username: string; password: string },
): Promise<string> {
  const auth: Record<string, string> = credentials
    ? {
        Authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`,
      }
    : {};
  const layer = randomBytes(64);
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Labels: labels },
      rootfs: { type: 'layers', diff_ids: [sha256(layer)] },
    }),
  );
  for (const blob of [layer, config]) await uploadBlob(registry, repository, blob, auth);
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: {
      mediaType: 'application/vnd.oci.image.config.v1+json',
      digest: sha256(config),
      size: config.length,
    },
    layers: [
      { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256(layer), size: layer.length },
    ],
  });
  for (const tag of tags) {
    const put = await fetch(`http://${registry}/v2/${repository}/manifests/${tag}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json', ...auth },
      body: manifest,
    });
    expect(put.status, await put.text()).toBe(201);
  }
  return sha256(manifest);
}

async function uploadBlob(
  registry: string,
  repository: string,
  blob: Buffer,
  auth: Record<string, string>,
): Promise<void> {
  const start = await fetch(`http://${registry}/v2/${repository}/blobs/uploads/`, {
    method: 'POST',
    headers: auth,
  });
  expect(start.status).toBe(202);
  const location = new URL(start.headers.get('location') ?? '', `http://${registry}`);
  location.searchParams.set('digest', sha256(blob));
  const put = await fetch(location, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/octet-stream', ...auth },
    body: blob,
  });
  expect(put.status, await put.text()).toBe(201);
}

/**
 * Records a new image in moto's ECR under each tag: PutImage of a fresh manifest whose blobs
 * moto never checks. Returns the digest ECR reports.
 */
export async function putEcrImage(ecr: ECRClient, repository: string, tags: string[]): Promise<string> {
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: {
      mediaType: 'application/vnd.docker.container.image.v1+json',
      size: 2,
      digest: sha256(randomBytes(8)),
    },
    layers: [
      {
        mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
        size: 32,
        digest: sha256(randomBytes(8)),
      },
    ],
  });
  let digest = '';
  for (const tag of tags) {
    const put = await ecr.send(
      new PutImageCommand({ repositoryName: repository, imageManifest: manifest, imageTag: tag }),
    );
    digest = put.image?.imageId?.imageDigest ?? '';
    if (!digest) throw new Error(`moto returned no digest for ${repository}:${tag}`);
  }
  return digest;
}
