/**
 * The one place Greenlight talks to Amazon ECR. Retries (throttling, 5xx) are the SDK's,
 * configured here; ECR's error names are turned into RegistryErrors that say what to do.
 */
import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  type ImageDetail,
  PutImageCommand,
} from '@aws-sdk/client-ecr';
import { commitsFromTags } from '../core/last-good.ts';
import {
  ACCEPTED_MANIFEST_TYPES,
  type FoundImage,
  type ImageRegistry,
  RegistryError,
} from '../core/registry.ts';

export interface EcrConnection {
  region: string;
  /** Endpoint override (moto, VPC endpoints). The SDK also honours AWS_ENDPOINT_URL_ECR itself. */
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  maxAttempts?: number;
}

export function createEcrClient(connection: EcrConnection): ECRClient {
  return new ECRClient({
    region: connection.region,
    maxAttempts: connection.maxAttempts ?? 5,
    retryMode: 'adaptive',
    ...(connection.endpoint ? { endpoint: connection.endpoint } : {}),
    ...(connection.credentials ? { credentials: connection.credentials } : {}),
  });
}

export interface RegistryLogin {
  username: string;
  password: string;
  /** Registry host without scheme, e.g. `123456789012.dkr.ecr.us-east-1.amazonaws.com`. */
  registry: string;
  expiresAt: Date | undefined;
}

/** GetAuthorizationToken: base64 of `AWS:<password>`, valid for 12 hours. */
export async function getRegistryLogin(client: ECRClient): Promise<RegistryLogin> {
  const output = await send('get an ECR login', () => client.send(new GetAuthorizationTokenCommand({})));
  const data = output.authorizationData?.[0];
  if (!data?.authorizationToken || !data.proxyEndpoint) {
    throw new RegistryError('invalid', 'ECR GetAuthorizationToken returned no token');
  }
  const decoded = Buffer.from(data.authorizationToken, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0)
    throw new RegistryError('invalid', 'ECR authorization token is not of the form user:password');
  return {
    username: decoded.slice(0, colon),
    password: decoded.slice(colon + 1),
    registry: data.proxyEndpoint.replace(/^https?:\/\//, ''),
    expiresAt: data.expiresAt,
  };
}

export interface RepositoryInfo {
  name: string;
  /** `<account>.dkr.ecr.<region>.amazonaws.com/<name>` */
  uri: string;
  /** MUTABLE, IMMUTABLE, IMMUTABLE_WITH_EXCLUSION or MUTABLE_WITH_EXCLUSION. */
  tagMutability: string;
  /** Wildcard filters of the tags the mutability setting does not apply to. */
  mutabilityExclusions: string[];
}

/** The repository's settings; a RegistryError of kind `repository-not-found` when it is missing. */
export async function describeRepository(client: ECRClient, repository: string): Promise<RepositoryInfo> {
  const output = await send(`describe repository ${repository}`, () =>
    client.send(new DescribeRepositoriesCommand({ repositoryNames: [repository] })),
  );
  const found = output.repositories?.[0];
  if (!found?.repositoryUri) {
    throw toRegistryError(
      Object.assign(new Error(repository), { name: 'RepositoryNotFoundException' }),
      `describe repository ${repository}`,
    );
  }
  return {
    name: found.repositoryName ?? repository,
    uri: found.repositoryUri,
    tagMutability: found.imageTagMutability ?? 'MUTABLE',
    mutabilityExclusions: (found.imageTagMutabilityExclusionFilters ?? []).flatMap((filter) =>
      filter.filter ? [filter.filter] : [],
    ),
  };
}

/** Whether ECR lets `tag` move to another image in this repository. */
export function isTagMutable(repository: RepositoryInfo, tag: string): boolean {
  const excluded = repository.mutabilityExclusions.some((filter) => wildcardMatches(filter, tag));
  switch (repository.tagMutability) {
    case 'IMMUTABLE':
      return false;
    case 'IMMUTABLE_WITH_EXCLUSION':
      return excluded;
    case 'MUTABLE_WITH_EXCLUSION':
      return !excluded;
    default:
      return true;
  }
}

/** ECR's WILDCARD filter: `*` matches any run of characters, everything else itself. */
export function wildcardMatches(filter: string, tag: string): boolean {
  const pattern = filter
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\-]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${pattern}$`).test(tag);
}

export interface ImageRef {
  repository: string;
  tag?: string;
  digest?: string;
}

function describeRef(ref: ImageRef): string {
  return `${ref.repository}${ref.digest ? `@${ref.digest}` : `:${ref.tag ?? '?'}`}`;
}

function imageId(ref: ImageRef): { imageTag?: string; imageDigest?: string } {
  return ref.digest ? { imageDigest: ref.digest } : { imageTag: ref.tag ?? '' };
}

/** The image a tag or digest points at, or undefined when the repository has no such image. */
export async function describeImage(client: ECRClient, ref: ImageRef): Promise<ImageDetail | undefined> {
  try {
    const output = await send(`describe ${describeRef(ref)}`, () =>
      client.send(new DescribeImagesCommand({ repositoryName: ref.repository, imageIds: [imageId(ref)] })),
    );
    return output.imageDetails?.[0];
  } catch (error) {
    if (error instanceof RegistryError && error.registryKind === 'image-not-found') return undefined;
    throw error;
  }
}

/** Every tag in a repository, newest push first. Pages are bounded so a huge repository cannot loop forever. */
export async function listImages(
  client: ECRClient,
  repository: string,
  maxPages = 50,
): Promise<ImageDetail[]> {
  const images: ImageDetail[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const output = await send(`list images of ${repository}`, () =>
      client.send(
        new DescribeImagesCommand({ repositoryName: repository, ...(nextToken ? { nextToken } : {}) }),
      ),
    );
    images.push(...(output.imageDetails ?? []));
    nextToken = output.nextToken;
    if (!nextToken) break;
  }
  return images.sort((a, b) => (b.imagePushedAt?.getTime() ?? 0) - (a.imagePushedAt?.getTime() ?? 0));
}

export interface ImageManifest {
  manifest: string;
  mediaType: string;
  digest: string;
}

export async function getImageManifest(client: ECRClient, ref: ImageRef): Promise<ImageManifest> {
  const output = await send(`read the manifest of ${describeRef(ref)}`, () =>
    client.send(
      new BatchGetImageCommand({
        repositoryName: ref.repository,
        imageIds: [imageId(ref)],
        acceptedMediaTypes: ACCEPTED_MANIFEST_TYPES,
      }),
    ),
  );
  const image = output.images?.[0];
  if (!image?.imageManifest || !image.imageId?.imageDigest) {
    const reason = output.failures?.[0];
    const notFound =
      reason?.failureCode === 'ImageNotFound' || reason?.failureCode === 'ImageTagDoesNotMatchDigest';
    throw new RegistryError(
      notFound ? 'image-not-found' : 'invalid',
      `ECR has no image ${describeRef(ref)}${reason?.failureReason ? `: ${reason.failureReason}` : ''}`,
    );
  }
  return {
    manifest: image.imageManifest,
    mediaType: image.imageManifestMediaType ?? mediaTypeOf(image.imageManifest),
    digest: image.imageId.imageDigest,
  };
}

function mediaTypeOf(manifest: string): string {
  const parsed = JSON.parse(manifest) as { mediaType?: unknown };
  return typeof parsed.mediaType === 'string'
    ? parsed.mediaType
    : 'application/vnd.docker.distribution.manifest.v2+json';
}

export type TagResult = 'tagged' | 'already-tagged';

/**
 * Points `tag` at an existing manifest with PutImage: a retag without pulling layers.
 * ECR answers ImageAlreadyExistsException when the tag already names this very image,
 * which is success: retagging is idempotent.
 */
export async function putImageTag(
  client: ECRClient,
  repository: string,
  image: ImageManifest,
  tag: string,
): Promise<TagResult> {
  try {
    await send(`tag ${repository}@${image.digest} as ${tag}`, () =>
      client.send(
        new PutImageCommand({
          repositoryName: repository,
          imageManifest: image.manifest,
          imageManifestMediaType: image.mediaType,
          imageDigest: image.digest,
          imageTag: tag,
        }),
      ),
    );
    return 'tagged';
  } catch (error) {
    if (!(error instanceof RegistryError && error.registryKind === 'invalid' && isAlreadyExists(error.cause)))
      throw error;
    // moto raises ImageAlreadyExistsException where AWS raises ImageTagAlreadyExistsException
    // for an immutable tag on another image, so read the tag back instead of trusting the name.
    const current = await describeImage(client, { repository, tag });
    if (current?.imageDigest === image.digest) return 'already-tagged';
    throw toRegistryError(
      Object.assign(new Error(`tag ${tag} names ${current?.imageDigest ?? 'another image'}`), {
        name: 'ImageTagAlreadyExistsException',
      }),
      `tag ${repository}@${image.digest} as ${tag}`,
    );
  }
}

/** Removes one tag. The image itself goes only when no tag is left (ECR's rule). */
export async function deleteImageTag(client: ECRClient, repository: string, tag: string): Promise<boolean> {
  const output = await send(`delete tag ${repository}:${tag}`, () =>
    client.send(new BatchDeleteImageCommand({ repositoryName: repository, imageIds: [{ imageTag: tag }] })),
  );
  const failure = output.failures?.[0];
  if (failure && failure.failureCode !== 'ImageNotFound') {
    throw new RegistryError(
      'invalid',
      `could not delete ${repository}:${tag}: ${failure.failureReason ?? failure.failureCode}`,
    );
  }
  return (output.imageIds?.length ?? 0) > 0;
}

function isAlreadyExists(error: unknown): boolean {
  return error instanceof Error && error.name === 'ImageAlreadyExistsException';
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : '';
}

/** Runs one ECR call and turns ECR's exceptions into RegistryErrors naming what was attempted. */
async function send<Output>(attempted: string, call: () => Promise<Output>): Promise<Output> {
  try {
    return await call();
  } catch (error) {
    throw toRegistryError(error, attempted);
  }
}

export function toRegistryError(error: unknown, attempted: string): RegistryError {
  const name = errorName(error);
  const detail = error instanceof Error ? error.message : String(error);
  switch (name) {
    case 'RepositoryNotFoundException':
      return new RegistryError(
        'repository-not-found',
        `could not ${attempted}: the ECR repository does not exist`,
        {
          hint: 'create it with terraform (one repository per service in groups/services.yaml) or check the repository name and region',
          cause: error,
        },
      );
    case 'ImageNotFoundException':
      return new RegistryError('image-not-found', `could not ${attempted}: no such image`, { cause: error });
    case 'AccessDeniedException':
    case 'UnrecognizedClientException':
    case 'ExpiredTokenException':
      return new RegistryError('access-denied', `could not ${attempted}: access denied (${detail})`, {
        hint: 'check the role assumed through OIDC: it needs ecr:DescribeImages, ecr:BatchGetImage and ecr:PutImage on this repository',
        cause: error,
      });
    case 'ImageTagAlreadyExistsException':
      return new RegistryError(
        'tag-immutable',
        `could not ${attempted}: the repository's tags are immutable`,
        {
          hint: 'set image_tag_mutability = "IMMUTABLE_WITH_EXCLUSION" with an exclusion filter "branch-*", so sha- tags stay immutable and last-good tags can move',
          cause: error,
        },
      );
    default:
      if (isUnreachable(error)) {
        return new RegistryError('unavailable', `could not ${attempted}: ECR did not answer (${detail})`, {
          hint: 'check the region and the network path to ECR (VPC endpoint, proxy, AWS_ENDPOINT_URL_ECR)',
          cause: error,
        });
      }
      return new RegistryError(
        name === 'ThrottlingException' || name === 'ServerException' ? 'unavailable' : 'invalid',
        `could not ${attempted}: ${name ? `${name}: ` : ''}${detail}`,
        { cause: error },
      );
  }
}

const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

/** Connection failures and timeouts, after the SDK's own retries: nothing answered. */
function isUnreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return error.name === 'TimeoutError' || (typeof code === 'string' && NETWORK_ERROR_CODES.has(code));
}

/** ECR as an ImageRegistry: DescribeImages answers digest and tags (so the commit) in one call. */
export function ecrImageRegistry(client: ECRClient, region: string): ImageRegistry {
  return {
    description: `ECR (${region})`,
    async lookup(repository, reference): Promise<FoundImage | undefined> {
      const ref = reference.startsWith('sha256:')
        ? { repository, digest: reference }
        : { repository, tag: reference };
      const detail = await describeImage(client, ref);
      if (!detail?.imageDigest) return undefined;
      const [commit] = commitsFromTags(detail.imageTags ?? []);
      return {
        digest: detail.imageDigest,
        host: `${detail.registryId ?? 'unknown'}.dkr.ecr.${region}.amazonaws.com`,
        ...(commit === undefined ? {} : { commit }),
      };
    },
    async listTags(repository) {
      const images = await listImages(client, repository);
      return images.flatMap((image) => image.imageTags ?? []);
    },
  };
}
