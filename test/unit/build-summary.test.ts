import { describe, expect, test } from 'vitest';
import type { PushedImage } from '../../src/image-build/flow.ts';
import { code, renderBuildSummary } from '../../src/image-build/summary.ts';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const DIGEST = `sha256:${'ab'.repeat(32)}`;
const NAME = '123456789012.dkr.ecr.us-east-1.amazonaws.com/hello-a';

const pushed: PushedImage = {
  event: 'push',
  repository: 'hello-a',
  imageName: NAME,
  builder: 'docker',
  commit: SHA,
  branch: 'feature/login',
  digest: DIGEST,
  image: `${NAME}@${DIGEST}`,
  tags: [`${NAME}:sha-${SHA}`, `${NAME}:branch-feature-login-0f1e2d3c4b`],
  lastGood: {
    tag: 'branch-feature-login-0f1e2d3c4b',
    outcome: 'tagged',
    decision: { action: 'move', reason: '0123456789ab is the branch head on the remote', warn: false },
  },
  lastGoodSkipped: undefined,
};

describe('renderBuildSummary', () => {
  test('a push that moved the last-good tag', () => {
    expect(renderBuildSummary(pushed)).toBe(
      [
        '### build-push-ecr: `hello-a`',
        '',
        `- **Image**: \`${NAME}@${DIGEST}\``,
        `- **Commit**: \`${SHA}\``,
        '- **Branch**: `feature/login`',
        '- **Builder**: docker',
        '- **Last-good tag**: `branch-feature-login-0f1e2d3c4b` moved to this image (0123456789ab is the branch head on the remote)',
        '',
        '**Tags**',
        '',
        `- \`${NAME}:sha-${SHA}\``,
        `- \`${NAME}:branch-feature-login-0f1e2d3c4b\``,
        '',
      ].join('\n'),
    );
  });

  test('a run that finished out of order says the tag stayed, and why', () => {
    const kept = renderBuildSummary({
      ...pushed,
      tags: [`${NAME}:sha-${SHA}`],
      lastGood: {
        tag: 'branch-main',
        outcome: 'kept',
        decision: {
          action: 'keep',
          reason: 'it holds cccccccccccc, a descendant of 0123456789ab',
          warn: false,
        },
      },
    });
    expect(kept).toContain(
      '- **Last-good tag**: `branch-main` left where it was (it holds cccccccccccc, a descendant of 0123456789ab)\n',
    );
  });

  test('a decision on a fallback is marked as a warning', () => {
    const summary = renderBuildSummary({
      ...pushed,
      lastGood: {
        tag: 'branch-main',
        outcome: 'tagged',
        decision: { action: 'move', reason: 'git cannot find aaaaaaaaaaaa (force-pushed away?)', warn: true },
      },
    });
    expect(summary).toContain(
      '- **Last-good tag**: **warning**: `branch-main` moved to this image (git cannot find aaaaaaaaaaaa (force-pushed away?))\n',
    );
  });

  test('no push', () => {
    const summary = renderBuildSummary({
      ...pushed,
      digest: undefined,
      image: undefined,
      tags: [],
      lastGood: undefined,
      lastGoodSkipped: 'push is off',
    });
    expect(summary).toBe(
      [
        '### build-push-ecr: `hello-a`',
        '',
        '- **Image**: not pushed (push is off)',
        `- **Commit**: \`${SHA}\``,
        '- **Branch**: `feature/login`',
        '- **Builder**: docker',
        '- **Last-good tag**: not moved: push is off',
        '',
      ].join('\n'),
    );
  });

  test('a deleted branch', () => {
    expect(
      renderBuildSummary({
        event: 'delete',
        repository: 'hello-a',
        branch: 'feature/login',
        deleted: { tag: 'branch-feature-login-0f1e2d3c4b', removed: true },
      }),
    ).toBe(
      '### build-push-ecr: `hello-a`\n\nBranch `feature/login` was deleted: its last-good tag `branch-feature-login-0f1e2d3c4b` removed. Its sha- tags stay until lifecycle rules expire them.\n',
    );
  });

  test('a deleted tag', () => {
    expect(
      renderBuildSummary({ event: 'delete', repository: 'hello-a', branch: undefined, deleted: undefined }),
    ).toBe('### build-push-ecr: `hello-a`\n\nA tag was deleted: there is no last-good tag to remove.\n');
  });

  test.each([
    ['main', '`main`'],
    ['a`b', '`` a`b ``'],
    ['x``y`', '``` x``y` ```'],
  ])('code(%j) = %j: a branch name cannot break out of its code span', (text, rendered) => {
    expect(code(text)).toBe(rendered);
  });
});
