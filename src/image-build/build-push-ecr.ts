/**
 * The build-push-ecr flow as separate steps, so each can run (and be tested) on its own:
 *
 *   checkRepository -> loginBuilder -> buildAndPush -> moveLastGoodTag
 *   (delete event:    deleteLastGoodTag)
 *
 * The last-good tag moves only after the push succeeded, by ECR PutImage of the pushed
 * manifest (no layer is pulled), and only forward in the branch's history (core/last-good.ts).
 */
import { readFileSync, rmSync } from 'node:fs';
import type { ECRClient } from '@aws-sdk/client-ecr';
import { GreenlightError } from '../core/errors.ts';
import {
  commitsFromTags,
  decideLastGoodMove,
  type HeldCommit,
  type LastGoodDecision,
} from '../core/last-good.ts';
import { lastGoodTag } from '../core/naming.ts';
import { RegistryError } from '../core/registry.ts';
import type { CommandRunner, Logger } from '../exec/command-runner.ts';
import {
  deleteImageTag,
  describeImage,
  describeRepository,
  getImageManifest,
  isTagMutable,
  putImageTag,
  type RegistryLogin,
  type RepositoryInfo,
} from '../registry/ecr.ts';
import { getBuildahArgs, getBuildahLoginArgs, getBuildahPushArgs } from './buildah.ts';
import { digestFromBuildxMetadata, getBuildxArgs, getDockerLoginArgs } from './buildx.ts';
import { compareHeldCommits, type GitCheckout, readRemoteBranchHead } from './git.ts';
import type { BuildahSettings, Builder, BuilderChoice, BuildOptions } from './options.ts';

export const MUTABILITY_HINT =
  'set the repository\'s tag mutability to IMMUTABLE_WITH_EXCLUSION with a WILDCARD exclusion filter "branch-*" ' +
  '(aws ecr put-image-tag-mutability --image-tag-mutability IMMUTABLE_WITH_EXCLUSION ' +
  '--image-tag-mutability-exclusion-filters filterType=WILDCARD,filter="branch-*"): sha- tags stay immutable, last-good tags can move';

/**
 * Before building: the repository exists, and its settings let the last-good tag move.
 * Failing here saves a build whose result could not be recorded.
 */
export async function checkRepository(
  ecr: ECRClient,
  repository: string,
  branch: string | undefined,
): Promise<RepositoryInfo> {
  const info = await describeRepository(ecr, repository);
  if (branch !== undefined && !isTagMutable(info, lastGoodTag(branch))) throw immutableTagError(info, branch);
  return info;
}

function immutableTagError(info: RepositoryInfo, branch: string): RegistryError {
  const exclusions = info.mutabilityExclusions.length
    ? ` (exclusions: ${info.mutabilityExclusions.join(', ')})`
    : '';
  return new RegistryError(
    'tag-immutable',
    `ECR repository ${info.name} has tag mutability ${info.tagMutability}${exclusions}, so the last-good tag ${lastGoodTag(branch)} of branch ${branch} cannot move`,
    { hint: MUTABILITY_HINT },
  );
}

/** The registry host of an ECR repository URI. */
export function registryOf(info: RepositoryInfo): string {
  return info.uri.slice(0, info.uri.indexOf('/'));
}

/** `auto`: docker when a daemon answers (hosted runners), else buildah. */
export async function resolveBuilder(runner: CommandRunner, choice: BuilderChoice): Promise<Builder> {
  if (choice !== 'auto') return choice;
  const probe = await runner.run('docker', ['info', '--format', '{{.ServerVersion}}'], {
    echo: false,
    timeoutMs: 20_000,
  });
  return probe.exitCode === 0 ? 'docker' : 'buildah';
}

/**
 * Logs the builder in to the registry. The password is registered as a secret (masked by
 * `mask` in the job log, redacted by the runner everywhere) and reaches the builder on
 * stdin only.
 */
export async function loginBuilder(
  runner: CommandRunner,
  builder: Builder,
  login: RegistryLogin,
  mask: (secret: string) => void,
  settings: BuildahSettings = {},
): Promise<void> {
  mask(login.password);
  runner.addSecret(login.password);
  const [command, args] =
    builder === 'docker'
      ? ['docker', getDockerLoginArgs(login.registry, login.username)]
      : ['buildah', getBuildahLoginArgs(login.registry, login.username, settings)];
  await runner.check(command, args, { stdin: `${login.password}\n`, echo: false, timeoutMs: 120_000 });
}

/** Builds and (unless push is off) pushes every reference; returns the pushed manifest digest. */
export async function buildAndPush(
  runner: CommandRunner,
  builder: Builder,
  options: BuildOptions,
  settings: BuildahSettings = {},
): Promise<string | undefined> {
  if (builder === 'docker') {
    await runner.check('docker', getBuildxArgs(options));
    return options.push
      ? requireDigest(digestFromBuildxMetadata(readFileSync(options.resultFile, 'utf8')))
      : undefined;
  }
  await runner.check('buildah', getBuildahArgs(options, settings));
  if (!options.push) return undefined;
  return pushWithBuildah(runner, options, settings);
}

/** buildah pushes one reference at a time; every one must end as the same manifest. */
async function pushWithBuildah(runner: CommandRunner, options: BuildOptions, settings: BuildahSettings) {
  const digests = new Set<string>();
  for (const ref of options.imageRefs) {
    rmSync(options.resultFile, { force: true }); // never read the digest of the previous push
    await runner.check('buildah', getBuildahPushArgs(options, ref, settings));
    digests.add(requireDigest(readFileSync(options.resultFile, 'utf8').trim()));
  }
  if (digests.size !== 1) {
    throw new GreenlightError(`buildah pushed different manifests for one image: ${[...digests].join(', ')}`);
  }
  return [...digests][0];
}

function requireDigest(digest: string | undefined): string {
  if (!digest || !/^sha256:[0-9a-f]{64}$/.test(digest)) {
    throw new GreenlightError(
      `the builder reported no manifest digest after pushing (got "${digest ?? ''}")`,
    );
  }
  return digest;
}

export interface LastGoodRequest {
  repository: string;
  branch: string;
  commit: string;
  /** The digest just pushed, tagged `sha-<commit>`. */
  digest: string;
}

export interface LastGoodResult {
  tag: string;
  decision: LastGoodDecision;
  /** What ECR holds now: the tag on this image, or left on the newer one. */
  outcome: 'tagged' | 'already-tagged' | 'kept';
}

export interface LastGoodOptions {
  /**
   * How long to wait after writing before reading the tag back. ECR has no conditional
   * write, so two runs can both decide to move the tag; the one that reads back another
   * image decides again, and the newer commit ends up holding the tag. Default 2 s.
   */
  settleMs?: number;
  /** Rounds of decide-write-verify before giving up; default 3. */
  maxRounds?: number;
}

/**
 * Points the branch's last-good tag at the pushed image, unless it already holds a newer
 * commit. Call only after the push succeeded.
 */
export async function moveLastGoodTag(
  ecr: ECRClient,
  request: LastGoodRequest,
  git: GitCheckout | undefined,
  log: Logger,
  options: LastGoodOptions = {},
): Promise<LastGoodResult> {
  const tag = lastGoodTag(request.branch);
  const candidate = await getImageManifest(ecr, { repository: request.repository, digest: request.digest });
  const maxRounds = options.maxRounds ?? 3;
  let result: LastGoodResult | undefined;
  for (let round = 1; round <= maxRounds; round++) {
    const held = await describeImage(ecr, { repository: request.repository, tag });
    const heldDigest = held?.imageDigest;
    const decision = await decideForHeld(request, git, heldDigest, held?.imageTags ?? []);
    logDecision(log, tag, decision);
    if (decision.action === 'keep') return { tag, decision, outcome: 'kept' };
    // Comparing commits can take seconds (a fetch): if the tag moved meanwhile, decide again.
    if (decision.action === 'move' && (await tagDigest(ecr, request.repository, tag)) !== heldDigest)
      continue;
    const outcome =
      decision.action === 'move' ? await putLastGoodTag(ecr, request, candidate, tag) : 'already-tagged';
    result = { tag, decision, outcome };
    await sleep(options.settleMs ?? 2_000);
    if ((await tagDigest(ecr, request.repository, tag)) === request.digest) return result;
    log.warning(`last-good tag ${tag} was moved by another run right after this one: deciding again`);
  }
  throw new GreenlightError(
    `last-good tag ${tag} kept changing under this run (${maxRounds} rounds); another build of branch ${request.branch} is moving it`,
    { hint: 'run builds of one branch in one concurrency group' },
  );
}

/** The decision against the image the tag names now: `heldDigest`, tagged `heldTags`. */
async function decideForHeld(
  request: LastGoodRequest,
  git: GitCheckout | undefined,
  heldDigest: string | undefined,
  heldTags: string[],
): Promise<LastGoodDecision> {
  const needsOrder = heldDigest !== undefined && heldDigest !== request.digest;
  const commits = needsOrder ? await compareCommits(git, commitsFromTags(heldTags), request.commit) : [];
  return decideLastGoodMove({
    candidate: { commit: request.commit, digest: request.digest },
    ...(heldDigest ? { held: { digest: heldDigest, commits } } : {}),
    ...(needsOrder && git ? optionalHead(await readRemoteBranchHead(git, request.branch)) : {}),
  });
}

function logDecision(log: Logger, tag: string, decision: LastGoodDecision): void {
  const message = `last-good tag ${tag}: ${decision.action === 'keep' ? 'kept' : decision.action} (${decision.reason})`;
  if (decision.warn) log.warning(message);
  else log.info(message);
}

async function tagDigest(ecr: ECRClient, repository: string, tag: string): Promise<string | undefined> {
  return (await describeImage(ecr, { repository, tag }))?.imageDigest;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Without a checkout (the CLI outside a repository) nothing is known about the order. */
async function compareCommits(
  git: GitCheckout | undefined,
  held: string[],
  candidate: string,
): Promise<HeldCommit[]> {
  if (git) return compareHeldCommits(git, held, candidate);
  return held.map((commit) => ({ commit, ancestry: commit === candidate ? 'same' : 'unknown' }));
}

function optionalHead(remoteHead: string | undefined): { remoteHead?: string } {
  return remoteHead ? { remoteHead } : {};
}

async function putLastGoodTag(
  ecr: ECRClient,
  request: LastGoodRequest,
  manifest: Awaited<ReturnType<typeof getImageManifest>>,
  tag: string,
): Promise<'tagged' | 'already-tagged'> {
  try {
    return await putImageTag(ecr, request.repository, manifest, tag);
  } catch (error) {
    if (!(error instanceof RegistryError && error.registryKind === 'tag-immutable')) throw error;
    throw new RegistryError(
      'tag-immutable',
      `ECR refused to move ${request.repository}:${tag} (branch ${request.branch}): the tag is immutable in this repository`,
      { hint: MUTABILITY_HINT, cause: error },
    );
  }
}

export interface DeleteResult {
  tag: string;
  /** false when the branch had no last-good tag (already deleted, or never built). */
  removed: boolean;
}

/** A deleted branch loses its last-good tag; its sha- tags stay until lifecycle rules expire them. */
export async function deleteLastGoodTag(
  ecr: ECRClient,
  repository: string,
  branch: string,
): Promise<DeleteResult> {
  const tag = lastGoodTag(branch);
  return { tag, removed: await deleteImageTag(ecr, repository, tag) };
}
