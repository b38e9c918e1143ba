/**
 * Whether a finished build may take over its branch's last-good tag.
 *
 * Two pushes to one branch start two builds that can finish in either order. The tag must
 * end on the newest commit, never move back. The image the tag holds also carries its own
 * `sha-<commit>` tag (DescribeImages lists every tag of an image), so the commit it was
 * built from is known without reading any blob; git on the runner then says which commit
 * is newer. The rules, first match wins:
 *
 *  1. the branch has no last-good tag yet: move (its first build);
 *  2. the tag already names this very image: nothing to do;
 *  3. the candidate is the branch head on the remote right now: move (it is what the branch
 *     is; this also covers a branch reset to an older commit on purpose);
 *  4. the tag holds the remote branch head: keep;
 *  5. the held image has no `sha-` tag, so its commit is unknown: move, with a warning;
 *  6. the candidate is an ancestor of a held commit: keep (this run finished out of order);
 *  7. the held commit is an ancestor of (or is) the candidate: move;
 *  8. neither is an ancestor (history rewritten by a force push): the later committer time
 *     wins, since rebase and amend stamp the rewritten commits with the time they were made;
 *     a tie moves (the candidate was the head when its push happened); with a warning;
 *  9. git cannot tell (the held commit is neither in the checkout nor fetchable, as after a
 *     force push once the remote dropped it; or there is no usable checkout): move, with a
 *     warning. A commit the remote no longer has cannot be the branch's newest; without a
 *     checkout, the build that finished last is the better guess, and the warning says so.
 *
 * ECR has no conditional write, so the check and the PutImage are not atomic. The caller
 * (build/build-push-ecr.ts) narrows the gap: it re-reads the tag just before writing, and
 * after writing waits a moment and reads it back; a run that finds another image there
 * decides again, so of two runs finishing together the newer commit ends up holding the
 * tag. Serialising builds per branch (`concurrency`) removes the race altogether.
 */
import { SHA_TAG_PREFIX } from './naming.ts';

export type Ancestry =
  /** the same commit */
  | 'same'
  /** the held commit is an ancestor of the candidate: the candidate is newer */
  | 'candidate-descends'
  /** the candidate is an ancestor of the held commit: the candidate is older */
  | 'candidate-precedes'
  /** neither is an ancestor of the other */
  | 'diverged'
  /** the held commit is not available to git */
  | 'unknown';

export interface HeldCommit {
  commit: string;
  ancestry: Ancestry;
  /** Committer times in seconds since the epoch, when git has both commits. */
  heldTime?: number;
  candidateTime?: number;
}

export interface LastGoodSituation {
  candidate: { commit: string; digest: string };
  /** The image the last-good tag names now, undefined when the branch has none. */
  held?: { digest: string; commits: HeldCommit[] };
  /** The branch head on the remote as read just now, when it could be read. */
  remoteHead?: string;
}

export interface LastGoodDecision {
  action: 'move' | 'keep' | 'already-there';
  reason: string;
  /** True when the decision rests on a fallback a person should know about. */
  warn: boolean;
}

export function decideLastGoodMove(situation: LastGoodSituation): LastGoodDecision {
  const { candidate, held, remoteHead } = situation;
  if (!held) return move('the branch has no last-good image yet');
  if (held.digest === candidate.digest)
    return { action: 'already-there', reason: 'it already names this image', warn: false };
  if (remoteHead === candidate.commit)
    return move(`${short(candidate.commit)} is the branch head on the remote`);
  if (remoteHead && held.commits.some((commit) => commit.commit === remoteHead)) {
    return keep(
      `it holds ${short(remoteHead)}, the branch head on the remote, and this build is of an older push`,
    );
  }
  if (held.commits.length === 0) {
    return move('the image it held has no sha- tag, so its commit is unknown; the newer build wins', true);
  }
  return decideByAncestry(held.commits, candidate.commit);
}

function decideByAncestry(commits: HeldCommit[], candidate: string): LastGoodDecision {
  const newer = commits.find((held) => held.ancestry === 'candidate-precedes');
  if (newer)
    return keep(
      `it holds ${short(newer.commit)}, a descendant of ${short(candidate)}: this run finished out of order`,
    );
  const diverged = commits.filter((held) => held.ancestry === 'diverged');
  const newerByTime = diverged.find((held) => isLater(held.heldTime, held.candidateTime));
  if (newerByTime) {
    return keep(
      `history was rewritten: it holds ${short(newerByTime.commit)}, committed later than ${short(candidate)}`,
      true,
    );
  }
  if (diverged.length > 0) {
    return move(
      `history was rewritten: ${short(candidate)} was committed no earlier than ${list(diverged)}`,
      true,
    );
  }
  const unknown = commits.filter((held) => held.ancestry === 'unknown');
  if (unknown.length > 0) {
    return move(
      `git cannot tell how ${list(unknown)} relates to ${short(candidate)} (not in the checkout nor fetchable: force-pushed away, or no checkout); the build that finished last wins`,
      true,
    );
  }
  return move(`${list(commits)} is an ancestor of ${short(candidate)}`);
}

/** Both times known and the held one strictly later; anything unknown never keeps an old tag. */
function isLater(heldTime: number | undefined, candidateTime: number | undefined): boolean {
  return heldTime !== undefined && candidateTime !== undefined && heldTime > candidateTime;
}

/** The commits an image was built from, from its `sha-<commit>` tags. */
export function commitsFromTags(tags: readonly string[]): string[] {
  return tags
    .filter((tag) => tag.startsWith(SHA_TAG_PREFIX))
    .map((tag) => tag.slice(SHA_TAG_PREFIX.length))
    .filter((commit) => /^([0-9a-f]{40}|[0-9a-f]{64})$/.test(commit));
}

function move(reason: string, warn = false): LastGoodDecision {
  return { action: 'move', reason, warn };
}

function keep(reason: string, warn = false): LastGoodDecision {
  return { action: 'keep', reason, warn };
}

function short(commit: string): string {
  return commit.slice(0, 12);
}

function list(commits: HeldCommit[]): string {
  return commits.map((held) => short(held.commit)).join(', ');
}
