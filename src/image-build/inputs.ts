/**
 * The build-push-ecr action's inputs, read and checked up front so a malformed one fails
 * before anything is built or written. Defaults that come from the workflow event
 * (branch, commit, event name) arrive as a GithubEvent the entry reads from the runner's
 * environment; nothing here reads process.env.
 */

import { InputError } from '../core/errors.ts';
import { isCommitSha } from '../core/naming.ts';
import {
  booleanInput,
  choiceInput,
  type InputSource,
  listInput,
  optionalInput,
  requiredInput,
} from '../runner/inputs.ts';
import { BUILDER_CHOICES, type BuilderChoice } from './options.ts';

export type BuildEvent = 'push' | 'delete';
export const BUILD_EVENTS: readonly BuildEvent[] = ['push', 'delete'];

/** What the runner says about the event (GITHUB_* variables and the event payload). */
export interface GithubEvent {
  eventName?: string;
  /** GITHUB_REF_NAME */
  refName?: string;
  /** GITHUB_REF_TYPE: `branch` or `tag`. */
  refType?: string;
  /** GITHUB_HEAD_REF: the source branch of a pull request. */
  headRef?: string;
  /** GITHUB_SHA */
  sha?: string;
  /** GITHUB_SERVER_URL and GITHUB_REPOSITORY, for the image's source label. */
  serverUrl?: string;
  repository?: string;
  /** The `delete` event's payload: the deleted ref and whether it was a branch. */
  deletedRef?: string;
  deletedRefType?: string;
  /** AWS_REGION / AWS_DEFAULT_REGION of the job. */
  awsRegion?: string;
}

export interface BuildPushEcrInputs {
  event: BuildEvent;
  /** The repository name inside the registry, e.g. `hello-a` or `team/hello-a`. */
  repository: string;
  /**
   * A plain OCI registry host (`registry` input) to push to instead of ECR: no ECR login
   * and no last-good tag. Undefined: ECR, whose host comes from the repository.
   */
  registry: string | undefined;
  /** The ECR host of a repository URI, checked against where the repository really is. */
  ecrHost: string | undefined;
  awsRegion: string | undefined;
  /** Undefined when the run is for a tag or the branch is unknown: no last-good tag then. */
  branch: string | undefined;
  /** The commit the image is built from; only a `delete` run has none. */
  sha: string | undefined;
  context: string;
  dockerfile: string | undefined;
  builder: BuilderChoice;
  buildArgs: string[];
  target: string | undefined;
  platforms: string[];
  labels: string[];
  tags: string[];
  push: boolean;
  cache: boolean;
  cacheRepository: string | undefined;
  provenance: boolean;
  /** e.g. https://github.com/owner/repo, for org.opencontainers.image.source. */
  sourceUrl: string | undefined;
}

/** ECR repository names: lowercase path components separated by `/`, 2-256 characters. */
const REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const ECR_HOST = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;
const REGISTRY_HOST = /^(?:[a-zA-Z0-9.-]+|\[[0-9a-fA-F:]+\])(?::\d{1,5})?$/;
const DOCKER_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(?:\/[a-z0-9]+)?$/;
const STAGE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const BUILD_ARG = /^[A-Za-z_][A-Za-z0-9_]*=/;
const LABEL = /^[A-Za-z0-9][A-Za-z0-9_.\-/]*=/;

export function readBuildPushEcrInputs(source: InputSource, github: GithubEvent = {}): BuildPushEcrInputs {
  const event = readEvent(source, github);
  const { repository, registry, ecrHost, region } = readRepository(source);
  const awsRegion = readRegion(source, region, github);
  const sha = event === 'push' ? readSha(source, github) : undefined;
  return {
    event,
    repository,
    registry,
    ecrHost,
    awsRegion,
    branch: readBranch(source, github, event),
    sha,
    context: optionalInput(source, 'context') ?? '.',
    dockerfile: optionalInput(source, 'dockerfile'),
    builder: choiceInput(source, 'builder', BUILDER_CHOICES, 'auto'),
    buildArgs: checkedLines(source, 'build-args', BUILD_ARG, 'KEY=value'),
    target: checkedOptional(source, 'target', STAGE_NAME, 'a build stage name'),
    platforms: checkedList(source, 'platforms', PLATFORM, 'os/arch such as linux/amd64'),
    labels: checkedLines(source, 'labels', LABEL, 'key=value'),
    tags: checkedList(source, 'tags', DOCKER_TAG, 'a Docker tag such as v1.2.3 (not a full reference)'),
    push: booleanInput(source, 'push', true),
    cache: booleanInput(source, 'cache', false),
    cacheRepository: readCacheRepository(source),
    provenance: booleanInput(source, 'provenance', false),
    sourceUrl: github.serverUrl && github.repository ? `${github.serverUrl}/${github.repository}` : undefined,
  };
}

function readEvent(source: InputSource, github: GithubEvent): BuildEvent {
  const fromEvent: BuildEvent = github.eventName === 'delete' ? 'delete' : 'push';
  return choiceInput(source, 'event', BUILD_EVENTS, fromEvent);
}

/** `hello-a`, or `<account>.dkr.ecr.<region>.amazonaws.com/hello-a`; `registry` overrides the host. */
function readRepository(source: InputSource): {
  repository: string;
  registry: string | undefined;
  ecrHost: string | undefined;
  region: string | undefined;
} {
  const value = requiredInput(source, 'repository');
  const override = optionalInput(source, 'registry');
  if (override !== undefined && !REGISTRY_HOST.test(override)) {
    throw new InputError(
      `Input "registry": expected a registry host such as 127.0.0.1:5000, got "${override}"`,
    );
  }
  const slash = value.indexOf('/');
  const host = slash > 0 ? value.slice(0, slash) : '';
  const looksLikeHost = host.includes('.') || host.includes(':') || host === 'localhost';
  const name = looksLikeHost ? value.slice(slash + 1) : value;
  if (!REPOSITORY_NAME.test(name) || name.length < 2 || name.length > 256) {
    throw new InputError(
      `Input "repository": expected an ECR repository name such as hello-a, or a repository URI such as 123456789012.dkr.ecr.us-east-1.amazonaws.com/hello-a, got "${value}"`,
    );
  }
  if (!looksLikeHost) return { repository: name, registry: override, ecrHost: undefined, region: undefined };
  const ecr = ECR_HOST.exec(host);
  if (!ecr && override === undefined) {
    throw new InputError(
      `Input "repository": ${host} is not an ECR registry; give a plain OCI registry in the "registry" input and the repository name alone`,
    );
  }
  if (override !== undefined)
    return { repository: name, registry: override, ecrHost: undefined, region: undefined };
  return { repository: name, registry: undefined, ecrHost: host, region: ecr?.[2] };
}

function readRegion(
  source: InputSource,
  fromUri: string | undefined,
  github: GithubEvent,
): string | undefined {
  const given = optionalInput(source, 'aws-region');
  if (given && fromUri && given !== fromUri) {
    throw new InputError(`Input "aws-region" is ${given} but the repository URI is in ${fromUri}`);
  }
  return given ?? fromUri ?? github.awsRegion;
}

function readSha(source: InputSource, github: GithubEvent): string {
  const sha = optionalInput(source, 'sha') ?? github.sha;
  if (!sha) throw new InputError('Input required and not supplied: sha (GITHUB_SHA is not set either)');
  if (!isCommitSha(sha)) {
    throw new InputError(`Input "sha": expected a full 40-character commit SHA, got "${sha}"`);
  }
  return sha.toLowerCase();
}

/**
 * The branch whose last-good tag moves (or, on `delete`, goes). From the event: the
 * pull request's head branch, the pushed branch, or the deleted branch. A tag push has
 * no branch and moves no last-good tag.
 */
function readBranch(source: InputSource, github: GithubEvent, event: BuildEvent): string | undefined {
  const given = optionalInput(source, 'branch');
  if (given !== undefined) return checkBranch(given);
  if (event === 'delete') {
    // A deleted tag has no last-good tag: nothing to do, not an error.
    if (github.deletedRefType === 'tag') return undefined;
    const deleted = github.deletedRefType === 'branch' ? github.deletedRef : undefined;
    if (!deleted) {
      throw new InputError('Input "branch" is required for event delete outside a branch delete event');
    }
    return checkBranch(deleted);
  }
  if (github.headRef) return checkBranch(github.headRef);
  return github.refType === 'branch' && github.refName ? checkBranch(github.refName) : undefined;
}

/** git check-ref-format's main rules: enough to refuse what is surely not a branch. */
function checkBranch(branch: string): string {
  const name = branch.replace(/^refs\/heads\//, '');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what git forbids
  const invalid = /[\x00-\x20~^:?*[\\\x7f]|\.\.|@\{|^[/.]|[/.]$|\/\/|\.lock$/;
  if (!name || invalid.test(name)) {
    throw new InputError(`Input "branch": "${branch}" is not a valid git branch name`);
  }
  return name;
}

function readCacheRepository(source: InputSource): string | undefined {
  const value = optionalInput(source, 'cache-repository');
  if (value !== undefined && !REPOSITORY_NAME.test(value)) {
    throw new InputError(`Input "cache-repository": expected a repository name, got "${value}"`);
  }
  return value;
}

function checkedList(source: InputSource, name: string, pattern: RegExp, expected: string): string[] {
  return checkItems(name, listInput(source, name), pattern, expected);
}

/** One item per line only: values of build args and labels may contain commas. */
function checkedLines(source: InputSource, name: string, pattern: RegExp, expected: string): string[] {
  const lines = source.get(name).split(/\r?\n/);
  const items = lines.map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));
  return checkItems(name, items, pattern, expected);
}

function checkItems(name: string, items: string[], pattern: RegExp, expected: string): string[] {
  const bad = items.find((item) => !pattern.test(item));
  if (bad !== undefined) throw new InputError(`Input "${name}": expected ${expected}, got "${bad}"`);
  return items;
}

function checkedOptional(
  source: InputSource,
  name: string,
  pattern: RegExp,
  expected: string,
): string | undefined {
  const value = optionalInput(source, name);
  if (value !== undefined && !pattern.test(value)) {
    throw new InputError(`Input "${name}": expected ${expected}, got "${value}"`);
  }
  return value;
}

/** The event facts from the runner's variables and the event payload (both passed in). */
export function githubEventFrom(env: Record<string, string | undefined>, payload: unknown): GithubEvent {
  const event = (payload ?? {}) as { ref?: unknown; ref_type?: unknown };
  const entries: [keyof GithubEvent, string | undefined][] = [
    ['eventName', env.GITHUB_EVENT_NAME],
    ['refName', env.GITHUB_REF_NAME],
    ['refType', env.GITHUB_REF_TYPE],
    ['headRef', env.GITHUB_HEAD_REF],
    ['sha', env.GITHUB_SHA],
    ['serverUrl', env.GITHUB_SERVER_URL],
    ['repository', env.GITHUB_REPOSITORY],
    ['deletedRef', typeof event.ref === 'string' ? event.ref : undefined],
    ['deletedRefType', typeof event.ref_type === 'string' ? event.ref_type : undefined],
    ['awsRegion', env.AWS_REGION || env.AWS_DEFAULT_REGION],
  ];
  return Object.fromEntries(entries.filter(([, value]) => value)) as GithubEvent;
}
