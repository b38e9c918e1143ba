/**
 * Resolution: every service of a group -> the exact image digest a deploy would run, read
 * from ECR (DescribeImages) or any OCI registry (distribution API). A branch resolves
 * through its last-good tag. Every failure is collected, so one run names all of them.
 */
import pLimit from 'p-limit';
import { nearest } from './config/suggest.ts';
import { type Catalog, describeSelector, type Group, type ImageSelector } from './config/types.ts';
import { GreenlightError } from './errors.ts';
import { LAST_GOOD_TAG_PREFIX, lastGoodTag } from './naming.ts';
import { type ImageRegistry, RegistryError } from './registry.ts';

export interface ResolvedImage {
  service: string;
  repository: string;
  selector: ImageSelector;
  /** The tag looked up (`branch-...` for a branch), absent for a digest pin. */
  tag?: string;
  digest: string;
  /** Full reference for a pod spec: `<host>/<repository>@<digest>`. */
  image: string;
  /** The commit the image was built from, when the registry tells. */
  commit?: string;
}

export class ResolveError extends GreenlightError {
  override name = 'ResolveError';
  readonly failures: readonly string[];

  constructor(failures: readonly string[], hint: string | undefined, allMissing: boolean) {
    super(failures.join('\n'), { hint, kind: allMissing ? 'image-not-found' : 'registry-error' });
    this.failures = failures;
  }
}

const NEARBY_TAGS = 3;
const REGISTRY_CONCURRENCY = 16;

/** Resolves every service of the group; a ResolveError lists every service that failed. */
export async function resolveReleaseDigests(
  group: Group,
  catalog: Catalog,
  source: ImageRegistry,
): Promise<ResolvedImage[]> {
  // Bounded: a group of hundreds of services must not open hundreds of connections at once.
  const limit = pLimit(REGISTRY_CONCURRENCY);
  const outcomes = await Promise.all(
    group.services.map((service) =>
      limit(async () => {
        const repository = catalog.services.get(service.name)?.repository ?? service.name;
        try {
          return await resolveImage(source, service.name, repository, service.image);
        } catch (error) {
          if (error instanceof RegistryError)
            return { failure: explainFailure(error, service.name, repository, source, service.image) };
          throw error;
        }
      }),
    ),
  );
  const failures = outcomes.flatMap((outcome) => ('failure' in outcome ? [outcome.failure] : []));
  if (failures.length > 0) {
    const hints = failures.map((failure) => failure.hint).filter((hint) => hint !== undefined);
    throw new ResolveError(
      failures.map((failure) => failure.message),
      [...new Set(hints)].join('; ') || undefined,
      failures.every((failure) => failure.missing),
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
  source: ImageRegistry,
  service: string,
  repository: string,
  selector: ImageSelector,
): Promise<ResolvedImage> {
  const tag = tagOf(selector);
  const reference = tag ?? (selector.kind === 'digest' ? selector.digest : '');
  const found = await source.lookup(repository, reference);
  if (!found) {
    const tags = await source.listTags(repository);
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
    ...(found.commit === undefined ? {} : { commit: found.commit }),
  };
}

/** The tag a selector is looked up by: a branch's last-good tag, a tag itself; none for a digest pin. */
export function tagOf(selector: ImageSelector): string | undefined {
  if (selector.kind === 'branch') return lastGoodTag(selector.branch);
  return selector.kind === 'tag' ? selector.tag : undefined;
}

function explainFailure(
  error: RegistryError,
  service: string,
  repository: string,
  source: ImageRegistry,
  selector: ImageSelector,
): { message: string; hint?: string; missing: boolean } {
  const where = `repository ${repository} in ${source.description}`;
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
      missing: true,
      hint: "a branch's tag exists once a build of it succeeded (build-push-ecr); check the branch name or build it",
    };
  }
  switch (error.registryKind) {
    case 'repository-not-found':
      return {
        message: `${subject}: ${where} does not exist`,
        missing: false,
        hint: 'create the repository (terraform/ecr.tf) or fix `repository` in groups/services.yaml',
      };
    case 'access-denied':
      return {
        message: `${subject}: access denied to ${where}: ${error.message}`,
        missing: false,
        ...(error.hint ? { hint: error.hint } : {}),
      };
    default:
      return { message: `${subject}: could not resolve from ${where}: ${error.message}`, missing: false };
  }
}
