/**
 * Resolution: every service of a group -> the exact image digest a deploy would run, read
 * from ECR (DescribeImages) or any OCI registry (distribution API). A branch resolves
 * through its last-good tag. Every failure is collected, so one run names all of them.
 */
import type { ECRClient } from '@aws-sdk/client-ecr';
import { createEcrClient, describeImage, listImages, RegistryError } from '../registry/ecr.ts';
import { listTags, manifestDigest, type OciRegistry, openOciRegistry } from '../registry/oci.ts';
import { nearest } from './config/suggest.ts';
import { type Catalog, describeSelector, type Group, type ImageSelector } from './config/types.ts';
import { GreenlightError, InputError } from './errors.ts';
import { LAST_GOOD_TAG_PREFIX, lastGoodTag } from './naming.ts';

export type ImageSource =
  | { kind: 'ecr'; client: ECRClient; region: string }
  | { kind: 'oci'; registry: OciRegistry };

export interface ResolvedImage {
  service: string;
  repository: string;
  selector: ImageSelector;
  /** The tag looked up (`branch-...` for a branch), absent for a digest pin. */
  tag?: string;
  digest: string;
  /** Full reference for a pod spec: `<host>/<repository>@<digest>`. */
  image: string;
}

export class ResolveError extends GreenlightError {
  override name = 'ResolveError';
  readonly failures: readonly string[];

  constructor(failures: readonly string[], hint: string | undefined) {
    super(failures.join('\n'), hint === undefined ? {} : { hint });
    this.failures = failures;
  }
}

const NEARBY_TAGS = 3;

export function describeSource(source: ImageSource): string {
  return source.kind === 'ecr' ? `ECR (${source.region})` : `registry ${source.registry.host}`;
}

/** Resolves every service of the group; a ResolveError lists every service that failed. */
export async function resolveReleaseDigests(
  group: Group,
  catalog: Catalog,
  source: ImageSource,
): Promise<ResolvedImage[]> {
  const outcomes = await Promise.all(
    group.services.map(async (service) => {
      const repository = catalog.services.get(service.name)?.repository ?? service.name;
      try {
        return await resolveImage(source, service.name, repository, service.image);
      } catch (error) {
        if (error instanceof RegistryError)
          return { failure: explainFailure(error, service.name, repository, source, service.image) };
        throw error;
      }
    }),
  );
  const failures = outcomes.flatMap((outcome) => ('failure' in outcome ? [outcome.failure] : []));
  if (failures.length > 0) {
    const hints = failures.map((failure) => failure.hint).filter((hint) => hint !== undefined);
    throw new ResolveError(
      failures.map((failure) => failure.message),
      [...new Set(hints)].join('; ') || undefined,
    );
  }
  return outcomes.filter((outcome): outcome is ResolvedImage => !('failure' in outcome));
}

/** Thrown inside resolution when the image is simply not there; turned into a message with nearby tags. */
class MissingImage extends RegistryError {
  readonly lookedFor: string;
  readonly nearby: string[];

  constructor(lookedFor: string, nearby: string[]) {
    super('image-not-found', `${lookedFor} not found`);
    this.lookedFor = lookedFor;
    this.nearby = nearby;
  }
}

export async function resolveImage(
  source: ImageSource,
  service: string,
  repository: string,
  selector: ImageSelector,
): Promise<ResolvedImage> {
  const tag = tagOf(selector);
  const reference = tag ?? (selector.kind === 'digest' ? selector.digest : '');
  const found = await lookupDigest(source, repository, reference);
  if (!found) {
    const tags = await listRepositoryTags(source, repository);
    const candidates =
      selector.kind === 'branch' ? tags.filter((t) => t.startsWith(LAST_GOOD_TAG_PREFIX)) : tags;
    throw new MissingImage(reference, nearest(reference, candidates, NEARBY_TAGS));
  }
  return {
    service,
    repository,
    selector,
    ...(tag === undefined ? {} : { tag }),
    digest: found.digest,
    image: `${found.host}/${repository}@${found.digest}`,
  };
}

/** The tag a selector is looked up by: a branch's last-good tag, a tag itself; none for a digest pin. */
export function tagOf(selector: ImageSelector): string | undefined {
  if (selector.kind === 'branch') return lastGoodTag(selector.branch);
  return selector.kind === 'tag' ? selector.tag : undefined;
}

async function lookupDigest(
  source: ImageSource,
  repository: string,
  reference: string,
): Promise<{ digest: string; host: string } | undefined> {
  if (source.kind === 'oci') {
    const digest = await manifestDigest(source.registry, repository, reference);
    return digest === undefined ? undefined : { digest, host: source.registry.host };
  }
  const ref = reference.startsWith('sha256:')
    ? { repository, digest: reference }
    : { repository, tag: reference };
  const detail = await describeImage(source.client, ref);
  if (!detail?.imageDigest) return undefined;
  return {
    digest: detail.imageDigest,
    host: `${detail.registryId ?? 'unknown'}.dkr.ecr.${source.region}.amazonaws.com`,
  };
}

async function listRepositoryTags(source: ImageSource, repository: string): Promise<string[]> {
  if (source.kind === 'oci') return listTags(source.registry, repository);
  const images = await listImages(source.client, repository);
  return images.flatMap((image) => image.imageTags ?? []);
}

function explainFailure(
  error: RegistryError,
  service: string,
  repository: string,
  source: ImageSource,
  selector: ImageSelector,
): { message: string; hint?: string } {
  const where = `repository ${repository} in ${describeSource(source)}`;
  const subject = `${service} (${describeSelector(selector)})`;
  if (error instanceof MissingImage) {
    const what = error.lookedFor.startsWith('sha256:')
      ? `digest ${error.lookedFor}`
      : `tag ${error.lookedFor}`;
    const nearby = error.nearby.length
      ? `; nearest tags: ${error.nearby.join(', ')}`
      : '; the repository has no matching tags at all';
    return {
      message: `${subject}: ${what} not found in ${where}${nearby}`,
      hint: "a branch's tag exists once a build of it succeeded (build-push-ecr); check the branch name or build it",
    };
  }
  switch (error.kind) {
    case 'repository-not-found':
      return {
        message: `${subject}: ${where} does not exist`,
        hint: 'create the repository (terraform/ecr.tf) or fix `repository` in groups/services.yaml',
      };
    case 'access-denied':
      return {
        message: `${subject}: access denied to ${where}: ${error.message}`,
        ...(error.hint ? { hint: error.hint } : {}),
      };
    default:
      return { message: `${subject}: could not resolve from ${where}: ${error.message}` };
  }
}

export interface ImageSourceOptions {
  /** `ecr`, or an OCI registry host (`ghcr.io`, `127.0.0.1:5000`, `http://host:port`). */
  registry: string;
  region?: string;
  /** ECR endpoint override (moto, VPC endpoints). */
  endpoint?: string;
  awsCredentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  registryCredentials?: { username: string; password: string };
}

/** The image source for `--registry` / the `registry` input; ECR needs a region. */
export function createImageSource(options: ImageSourceOptions): ImageSource {
  if (options.registry !== 'ecr') {
    return {
      kind: 'oci',
      registry: openOciRegistry({
        registry: options.registry,
        ...(options.registryCredentials ? { credentials: options.registryCredentials } : {}),
      }),
    };
  }
  if (!options.region) {
    throw new InputError('resolving images in ECR needs an AWS region', {
      hint: 'set AWS_REGION (the CLI) or the aws-region input (the action), or pass --registry HOST for another registry',
    });
  }
  return {
    kind: 'ecr',
    region: options.region,
    client: createEcrClient({
      region: options.region,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.awsCredentials ? { credentials: options.awsCredentials } : {}),
    }),
  };
}

/**
 * Region, endpoint and credentials from an environment map the entry point hands over
 * (the CLI's io.env, the action's process.env); core code never reads process.env itself.
 */
export function imageSourceOptionsFromEnv(
  registry: string,
  env: Readonly<Record<string, string | undefined>>,
  region: string | undefined = env.AWS_REGION ?? env.AWS_DEFAULT_REGION,
): ImageSourceOptions {
  const endpoint = env.AWS_ENDPOINT_URL_ECR ?? env.AWS_ENDPOINT_URL;
  const {
    AWS_ACCESS_KEY_ID: accessKeyId,
    AWS_SECRET_ACCESS_KEY: secretAccessKey,
    AWS_SESSION_TOKEN: sessionToken,
  } = env;
  const { REGISTRY_USERNAME: username, REGISTRY_PASSWORD: password } = env;
  return {
    registry,
    ...(region ? { region } : {}),
    ...(endpoint ? { endpoint } : {}),
    ...(accessKeyId && secretAccessKey
      ? { awsCredentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } }
      : {}),
    ...(username && password ? { registryCredentials: { username, password } } : {}),
  };
}
