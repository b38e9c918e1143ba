/**
 * The whole build-push-ecr run for one event, composed from the steps in build-push-ecr.ts.
 * Used by the action entry and the CLI; clients and logging come in as arguments.
 */
import { join } from 'node:path';
import type { ECRClient } from '@aws-sdk/client-ecr';
import { InputError } from '../core/errors.ts';
import { commitTag } from '../core/naming.ts';
import type { CommandRunner, Logger } from '../exec/command-runner.ts';
import {
  describeImage,
  getImageManifest,
  getRegistryLogin,
  type ImageManifest,
  putImageTag,
} from '../registry/ecr.ts';
import {
  buildAndPush,
  checkRepository,
  type DeleteResult,
  deleteLastGoodTag,
  type LastGoodResult,
  loginBuilder,
  moveLastGoodTag,
  registryOf,
  resolveBuilder,
} from './build-push-ecr.ts';
import type { GitCheckout } from './git.ts';
import type { BuildPushEcrInputs } from './inputs.ts';
import { type BuildahSettings, type Builder, type BuildOptions, imageLabels, imageRef } from './options.ts';

export interface BuildPushDeps {
  /** Created on first use: a run against a plain registry never talks to ECR. */
  ecr: () => ECRClient;
  runner: CommandRunner;
  log: Logger;
  /** Hides a secret in the job log (core.setSecret on a runner). */
  mask: (secret: string) => void;
  now: Date;
  /** A directory for the builder's result files. */
  tempDir: string;
  git: GitCheckout | undefined;
  buildah?: BuildahSettings;
}

export interface PushedImage {
  event: 'push';
  repository: string;
  /** `<registry>/<repository>` */
  imageName: string;
  builder: Builder;
  commit: string;
  branch: string | undefined;
  /** Undefined when push was off. */
  digest: string | undefined;
  /** `<registry>/<repository>@<digest>` */
  image: string | undefined;
  /** Every full reference that names this image after the run. */
  tags: string[];
  lastGood: LastGoodResult | undefined;
  /** Why the last-good tag was not considered, when it was not. */
  lastGoodSkipped: string | undefined;
}

export interface DeletedBranch {
  event: 'delete';
  repository: string;
  /** Undefined when the deleted ref was a tag: there is nothing to remove then. */
  branch: string | undefined;
  deleted: DeleteResult | undefined;
}

export type BuildPushResult = PushedImage | DeletedBranch;

export async function runBuildPushEcr(
  inputs: BuildPushEcrInputs,
  deps: BuildPushDeps,
): Promise<BuildPushResult> {
  if (inputs.event === 'delete') return deleteBranch(inputs, deps);
  const commit = requireValue(inputs.sha, 'sha');
  const useEcr = inputs.registry === undefined && inputs.push;
  const registry = useEcr ? await checkEcrTarget(inputs, deps) : (inputs.registry ?? inputs.ecrHost);
  const builder = await resolveBuilder(deps.runner, inputs.builder);
  const options = buildOptions(inputs, commit, registry, deps, builder);
  const existing = useEcr ? await findCommitImage(deps.ecr(), inputs.repository, commit) : undefined;
  const digest = existing
    ? await reuseCommitImage(deps, inputs.repository, existing, inputs.tags)
    : await loginBuildAndPush(inputs, deps, builder, options, useEcr ? registry : undefined);
  const pushed = pushedImage(inputs, { commit, builder, digest, registry, refs: options.imageRefs }, useEcr);
  if (pushed.lastGoodSkipped !== undefined || !digest || !inputs.branch) return pushed;
  const lastGood = await moveLastGoodTag(
    deps.ecr(),
    { repository: inputs.repository, branch: inputs.branch, commit, digest },
    deps.git,
    deps.log,
  );
  const tags =
    lastGood.outcome === 'kept'
      ? pushed.tags
      : [...pushed.tags, imageRef(registry, inputs.repository, lastGood.tag)];
  return { ...pushed, lastGood, tags };
}

/** The repository exists, its settings let the last-good tag move, and it is where the URI said. */
async function checkEcrTarget(inputs: BuildPushEcrInputs, deps: BuildPushDeps): Promise<string> {
  const info = await checkRepository(deps.ecr(), inputs.repository, inputs.branch);
  const registry = registryOf(info);
  if (inputs.ecrHost && inputs.ecrHost !== registry) {
    throw new InputError(
      `Input "repository" names ${inputs.ecrHost}, but these credentials find ${inputs.repository} at ${registry}`,
      { hint: 'give the repository name alone, or assume a role in the account the URI names' },
    );
  }
  return registry;
}

/**
 * sha- tags are immutable, so a re-run for a commit already in ECR (a retried job) cannot
 * push it again: it reuses that image, adds the extra tags to it, and goes on to the
 * last-good tag.
 */
async function reuseCommitImage(
  deps: BuildPushDeps,
  repository: string,
  existing: ImageManifest,
  extraTags: string[],
): Promise<string> {
  deps.log.info(`${repository} already holds this commit as ${existing.digest}: reused, not rebuilt`);
  for (const tag of extraTags) await putImageTag(deps.ecr(), repository, existing, tag);
  return existing.digest;
}

async function findCommitImage(ecr: ECRClient, repository: string, commit: string) {
  const image = await describeImage(ecr, { repository, tag: commitTag(commit) });
  return image?.imageDigest ? getImageManifest(ecr, { repository, digest: image.imageDigest }) : undefined;
}

async function loginBuildAndPush(
  inputs: BuildPushEcrInputs,
  deps: BuildPushDeps,
  builder: Builder,
  options: BuildOptions,
  ecrRegistry: string | undefined,
): Promise<string | undefined> {
  if (inputs.provenance && builder === 'buildah') {
    deps.log.warning('provenance: buildah makes no attestations; ignored');
  }
  if (ecrRegistry) {
    const login = await getRegistryLogin(deps.ecr());
    await loginBuilder(deps.runner, builder, { ...login, registry: ecrRegistry }, deps.mask, deps.buildah);
  }
  return buildAndPush(deps.runner, builder, options, deps.buildah);
}

function pushedImage(
  inputs: BuildPushEcrInputs,
  built: {
    commit: string;
    builder: Builder;
    digest: string | undefined;
    registry: string | undefined;
    refs: string[];
  },
  useEcr: boolean,
): PushedImage {
  const imageName = imageRef(built.registry, inputs.repository);
  return {
    event: 'push',
    repository: inputs.repository,
    imageName,
    builder: built.builder,
    commit: built.commit,
    branch: inputs.branch,
    digest: built.digest,
    image: built.digest ? `${imageName}@${built.digest}` : undefined,
    tags: built.digest ? built.refs : [],
    lastGood: undefined,
    lastGoodSkipped: lastGoodSkipReason(inputs, useEcr),
  };
}

function lastGoodSkipReason(inputs: BuildPushEcrInputs, useEcr: boolean): string | undefined {
  if (!inputs.push) return 'push is off';
  if (!useEcr) return 'last-good tags are kept in ECR only, and this run pushed to another registry';
  if (!inputs.branch) return 'the run is not for a branch (a tag push?)';
  return undefined;
}

async function deleteBranch(inputs: BuildPushEcrInputs, deps: BuildPushDeps): Promise<DeletedBranch> {
  const branch = inputs.branch;
  if (branch === undefined) {
    deps.log.info('a tag was deleted: no last-good tag to remove');
    return { event: 'delete', repository: inputs.repository, branch, deleted: undefined };
  }
  const deleted = await deleteLastGoodTag(deps.ecr(), inputs.repository, branch);
  deps.log.info(
    deleted.removed
      ? `removed ${inputs.repository}:${deleted.tag}`
      : `${inputs.repository}:${deleted.tag} did not exist`,
  );
  return { event: 'delete', repository: inputs.repository, branch, deleted };
}

/** What the builder is asked to do: the commit tag first, then the user's extra tags. */
export function buildOptions(
  inputs: BuildPushEcrInputs,
  commit: string,
  registry: string | undefined,
  deps: Pick<BuildPushDeps, 'now' | 'tempDir'>,
  builder: Builder,
): BuildOptions {
  const tags = [...new Set([commitTag(commit), ...inputs.tags])];
  const cacheRepository = inputs.cacheRepository ?? inputs.repository;
  return {
    context: inputs.context,
    ...(inputs.dockerfile ? { dockerfile: inputs.dockerfile } : {}),
    imageRefs: tags.map((tag) => imageRef(registry, inputs.repository, tag)),
    labels: imageLabels({
      commit,
      sourceUrl: inputs.sourceUrl,
      created: deps.now,
      userLabels: inputs.labels,
    }),
    buildArgs: inputs.buildArgs,
    ...(inputs.target ? { target: inputs.target } : {}),
    platforms: inputs.platforms,
    push: inputs.push,
    // buildx keeps its cache as one tagged artifact; buildah as many images in a repository.
    // A registry cache needs a registry: a local build (push off, no URI) has none.
    ...(inputs.cache && registry
      ? { cacheRef: imageRef(registry, cacheRepository, builder === 'docker' ? 'buildcache' : undefined) }
      : {}),
    provenance: inputs.provenance,
    resultFile: join(deps.tempDir, builder === 'docker' ? 'build-metadata.json' : 'pushed-digest'),
  };
}

function requireValue(value: string | undefined, name: string): string {
  if (value === undefined) throw new InputError(`Input required and not supplied: ${name}`);
  return value;
}
