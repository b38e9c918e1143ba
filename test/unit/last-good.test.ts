import { describe, expect, test } from 'vitest';
import {
  commitsFromTags,
  decideLastGoodMove,
  type HeldCommit,
  type LastGoodDecision,
  type LastGoodSituation,
} from '../../src/core/last-good.ts';

const OLD = 'a'.repeat(40);
const NEW = 'b'.repeat(40);
const OTHER = 'c'.repeat(40);
const NEW_DIGEST = `sha256:${'1'.repeat(64)}`;
const HELD_DIGEST = `sha256:${'2'.repeat(64)}`;

const candidate = { commit: NEW, digest: NEW_DIGEST };
const held = (...commits: HeldCommit[]) => ({ digest: HELD_DIGEST, commits });

type Expected = Pick<LastGoodDecision, 'action' | 'warn'>;

describe('decideLastGoodMove', () => {
  test.each<[string, Omit<LastGoodSituation, 'candidate'>, Expected]>([
    ['first build of the branch', {}, { action: 'move', warn: false }],
    [
      'the tag already names this image',
      { held: { digest: NEW_DIGEST, commits: [] } },
      { action: 'already-there', warn: false },
    ],
    [
      'normal push: the held commit is an ancestor',
      { held: held({ commit: OLD, ancestry: 'candidate-descends' }) },
      { action: 'move', warn: false },
    ],
    [
      'a rebuild of the same commit',
      { held: held({ commit: NEW, ancestry: 'same' }) },
      { action: 'move', warn: false },
    ],
    [
      'out of order: the tag already holds a descendant',
      { held: held({ commit: OTHER, ancestry: 'candidate-precedes' }) },
      { action: 'keep', warn: false },
    ],
    [
      'out of order, with the image held built from two commits, one newer',
      {
        held: held(
          { commit: OLD, ancestry: 'candidate-descends' },
          { commit: OTHER, ancestry: 'candidate-precedes' },
        ),
      },
      { action: 'keep', warn: false },
    ],
    [
      'force push: diverged, the candidate committed later',
      { held: held({ commit: OLD, ancestry: 'diverged', heldTime: 100, candidateTime: 200 }) },
      { action: 'move', warn: true },
    ],
    [
      'force push finished out of order: diverged, the held commit committed later',
      { held: held({ commit: OLD, ancestry: 'diverged', heldTime: 300, candidateTime: 200 }) },
      { action: 'keep', warn: true },
    ],
    [
      'diverged at the same second: the candidate was the head at its push',
      { held: held({ commit: OLD, ancestry: 'diverged', heldTime: 200, candidateTime: 200 }) },
      { action: 'move', warn: true },
    ],
    [
      'diverged, times unknown: never keep on a guess',
      { held: held({ commit: OLD, ancestry: 'diverged' }) },
      { action: 'move', warn: true },
    ],
    [
      'the held commit is gone (force-pushed away)',
      { held: held({ commit: OLD, ancestry: 'unknown' }) },
      { action: 'move', warn: true },
    ],
    ['the held image has no sha- tag', { held: held() }, { action: 'move', warn: true }],
    [
      'the candidate is the remote head: move even over a descendant (branch reset back on purpose)',
      { held: held({ commit: OTHER, ancestry: 'candidate-precedes' }), remoteHead: NEW },
      { action: 'move', warn: false },
    ],
    [
      'the tag holds the remote head: keep even when diverged and committed earlier',
      {
        held: held({ commit: OLD, ancestry: 'diverged', heldTime: 100, candidateTime: 200 }),
        remoteHead: OLD,
      },
      { action: 'keep', warn: false },
    ],
    [
      'the remote head is a third commit: ancestry decides',
      { held: held({ commit: OLD, ancestry: 'candidate-descends' }), remoteHead: OTHER },
      { action: 'move', warn: false },
    ],
  ])('%s', (_name, situation, expected) => {
    const decision = decideLastGoodMove({ candidate, ...situation });
    expect({ action: decision.action, warn: decision.warn }).toEqual(expected);
    expect(decision.reason.length).toBeGreaterThan(10);
  });

  test('the reason names the newer commit the tag keeps', () => {
    const decision = decideLastGoodMove({
      candidate,
      held: held({ commit: OTHER, ancestry: 'candidate-precedes' }),
    });
    expect(decision.reason).toBe(
      'it holds cccccccccccc, a descendant of bbbbbbbbbbbb: this run finished out of order',
    );
  });
});

describe('commitsFromTags', () => {
  test.each<[string[], string[]]>([
    [[`sha-${OLD}`, 'branch-main', 'v1'], [OLD]],
    [
      [`sha-${OLD}`, `sha-${NEW}`],
      [OLD, NEW],
    ],
    [['sha-abc', 'sha-', `sha-${OLD.toUpperCase()}`, 'latest'], []],
    [[`sha-${'d'.repeat(64)}`], ['d'.repeat(64)]],
  ])('%j -> %j', (tags, commits) => {
    expect(commitsFromTags(tags)).toEqual(commits);
  });
});
