/**
 * What git on the runner knows about the order of two commits, for the last-good rule in
 * src/core/last-good.ts. actions/checkout clones one commit deep by default, so missing
 * history is fetched first, bounded in depth and time; whatever git cannot tell is
 * reported as `unknown` or `diverged`, never guessed.
 */
import type { Ancestry, HeldCommit } from '../core/last-good.ts';
import type { CommandRunner } from '../exec/command-runner.ts';

export interface GitCheckout {
  runner: CommandRunner;
  /** The working directory of the checkout (the action's workspace). */
  cwd: string;
  /** Default `origin`. */
  remote?: string;
  /** How many commits of history to fetch behind each commit in a shallow clone; default 200. */
  fetchDepth?: number;
}

const GIT_TIMEOUT_MS = 120_000;

/** How each commit the last-good image holds relates to the candidate commit. */
export async function compareHeldCommits(
  git: GitCheckout,
  heldCommits: readonly string[],
  candidate: string,
): Promise<HeldCommit[]> {
  if (heldCommits.length === 0) return [];
  await fetchMissingHistory(git, [...heldCommits, candidate]);
  const compared: HeldCommit[] = [];
  for (const commit of heldCommits) compared.push(await compareCommit(git, commit, candidate));
  return compared;
}

async function compareCommit(git: GitCheckout, held: string, candidate: string): Promise<HeldCommit> {
  if (held === candidate) return { commit: held, ancestry: 'same' };
  if (!(await hasCommit(git, held)) || !(await hasCommit(git, candidate))) {
    return { commit: held, ancestry: 'unknown' };
  }
  const ancestry = await ancestryOf(git, held, candidate);
  if (ancestry !== 'diverged') return { commit: held, ancestry };
  return {
    commit: held,
    ancestry,
    ...optionalTime('heldTime', await committerTime(git, held)),
    ...optionalTime('candidateTime', await committerTime(git, candidate)),
  };
}

function optionalTime(key: 'heldTime' | 'candidateTime', time: number | undefined) {
  return time === undefined ? {} : { [key]: time };
}

async function ancestryOf(git: GitCheckout, held: string, candidate: string): Promise<Ancestry> {
  const forward = await isAncestor(git, held, candidate);
  if (forward !== false) return forward === true ? 'candidate-descends' : 'unknown';
  const backward = await isAncestor(git, candidate, held);
  if (backward !== false) return backward === true ? 'candidate-precedes' : 'unknown';
  return 'diverged';
}

/** true / false, or undefined when git failed (exit codes other than 0 and 1). */
async function isAncestor(git: GitCheckout, older: string, newer: string): Promise<boolean | undefined> {
  const result = await gitRun(git, ['merge-base', '--is-ancestor', older, newer]);
  if (result.exitCode === 0) return true;
  return result.exitCode === 1 ? false : undefined;
}

async function hasCommit(git: GitCheckout, commit: string): Promise<boolean> {
  return (await gitRun(git, ['cat-file', '-e', `${commit}^{commit}`])).exitCode === 0;
}

async function committerTime(git: GitCheckout, commit: string): Promise<number | undefined> {
  const result = await gitRun(git, ['show', '-s', '--format=%ct', commit]);
  const seconds = Number.parseInt(result.stdout.trim(), 10);
  return result.exitCode === 0 && Number.isFinite(seconds) ? seconds : undefined;
}

/**
 * In a shallow clone (or when a commit is missing) fetch each commit with `fetchDepth` of
 * its history, so merge-base sees both lines. A failed fetch is not an error here: the
 * comparison then reports what it cannot see.
 */
async function fetchMissingHistory(git: GitCheckout, commits: string[]): Promise<void> {
  const shallow = await gitRun(git, ['rev-parse', '--is-shallow-repository']);
  if (shallow.exitCode !== 0) return; // not a git checkout at all
  const missing = [];
  for (const commit of commits) if (!(await hasCommit(git, commit))) missing.push(commit);
  const isShallow = shallow.stdout.trim() === 'true';
  if (!isShallow && missing.length === 0) return;
  // A depth on a complete clone would make it shallow; there, fetch only what is missing.
  const depth = isShallow ? [`--depth=${git.fetchDepth ?? 200}`] : [];
  const wanted = isShallow ? [...new Set(commits)] : missing;
  await gitRun(git, ['fetch', '--no-tags', ...depth, git.remote ?? 'origin', ...wanted]);
}

/** The branch head on the remote, as `git ls-remote` sees it now; undefined when unreadable. */
export async function readRemoteBranchHead(git: GitCheckout, branch: string): Promise<string | undefined> {
  const result = await gitRun(git, ['ls-remote', '--heads', git.remote ?? 'origin', `refs/heads/${branch}`]);
  if (result.exitCode !== 0) return undefined;
  const line = result.stdout.split('\n').find((row) => row.endsWith(`\trefs/heads/${branch}`));
  return line?.split('\t')[0];
}

function gitRun(git: GitCheckout, args: string[]) {
  return git.runner.run('git', args, { cwd: git.cwd, echo: false, timeoutMs: GIT_TIMEOUT_MS });
}
