/**
 * The whole build-push-ecr run for one event, composed from the steps in build-push-ecr.ts.
 * Used by the action entry and the CLI; clients and logging come in as arguments.
 */
import { join } from 'node:path';
import type { ECRClient } from '@aws-sdk/client-ecr';
import { InputError } from '../core/errors.ts';
import { commitTag } from '../core/naming.ts';
import { getRegistryLogin } from '../registry/ecr.ts';
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
import type { CommandRunner, Logger } from './exec.ts';
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
  branch: string;
  deleted: DeleteResult;
}

export type BuildPushResult = PushedImage | DeletedBranch;

export async function runBuildPushEcr(
  inputs: BuildPushEcrInputs,
  deps: BuildPushDeps,
): Promise<BuildPushResult> {
  if (inputs.event === 'delete') return deleteBranch(inputs, deps);
  const commit = requireValue(inputs.sha, 'sha');
  const useEcr = inputs.registry === undefined;
  const repositoryInfo = useEcr
    ? await checkRepository(deps.ecr(), inputs.repository, inputs.branch)
    : undefined;
  const registry = inputs.registry ?? (repositoryInfo ? registryOf(repositoryInfo) : '');
  const builder = await resolveBuilder(deps.runner, inputs.builder);
  if (inputs.provenance && builder === 'buildah')
    deps.log.warning('provenance: buildah makes no attestations; ignored');
  if (useEcr && inputs.push) {
    const login = await getRegistryLogin(deps.ecr());
    await loginBuilder(deps.runner, builder, { ...login, registry }, deps.mask, deps.buildah);
  }
  const options = buildOptions(inputs, commit, registry, deps, builder);
  const digest = await buildAndPush(deps.runner, builder, options, deps.buildah);
  const imageName = `${registry}/${inputs.repository}`;
  const pushed: PushedImage = {
    event: 'push',
    repository: inputs.repository,
    imageName,
    builder,
    commit,
    branch: inputs.branch,
    digest,
    image: digest ? `${imageName}@${digest}` : undefined,
    tags: digest ? options.imageRefs : [],
    lastGood: undefined,
    lastGoodSkipped: lastGoodSkipReason(inputs, useEcr),
  };
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

function lastGoodSkipReason(inputs: BuildPushEcrInputs, useEcr: boolean): string | undefined {
  if (!inputs.push) return 'push is off';
  if (!useEcr) return 'last-good tags are kept in ECR only, and this run pushed to another registry';
  if (!inputs.branch) return 'the run is not for a branch (a tag push?)';
  return undefined;
}

async function deleteBranch(inputs: BuildPushEcrInputs, deps: BuildPushDeps): Promise<DeletedBranch> {
  const branch = requireValue(inputs.branch, 'branch');
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
  registry: string,
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
    ...(inputs.cache
      ? {
          cacheRef:
            builder === 'docker'
              ? imageRef(registry, cacheRepository, 'buildcache')
              : `${registry}/${cacheRepository}`,
        }
      : {}),
    provenance: inputs.provenance,
    resultFile: join(deps.tempDir, builder === 'docker' ? 'build-metadata.json' : 'pushed-digest'),
  };
}

function requireValue(value: string | undefined, name: string): string {
  if (value === undefined) throw new InputError(`Input required and not supplied: ${name}`);
  return value;
}
