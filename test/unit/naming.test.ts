import { describe, expect, it } from 'vitest';
import {
  commitTag,
  deploymentName,
  labelValue,
  lastGoodTag,
  MAX_LABEL_LENGTH,
  MAX_TAG_LENGTH,
  otherColor,
  previewServiceName,
  serviceUrlEnvName,
} from '../../src/core/naming.ts';

/** Docker's tag grammar and Kubernetes' label value grammar, written out independently of naming.ts. */
const DOCKER_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/** Branch names seen in real repositories, plus the awkward cases git allows. */
const BRANCHES = [
  'master',
  'main',
  'develop',
  'feature/login',
  'feature-login',
  'Feature/Login',
  'FEATURE/LOGIN',
  'feature_login',
  'feature.login',
  'feature--login',
  'feature/-/login',
  'bugfix/JIRA-1234-fix-npe',
  'hotfix/v1.2.3',
  'release/2024.10',
  'release-2024.10',
  'dependabot/npm_and_yarn/express-4.19.2',
  'dependabot/npm_and_yarn/sample-apps/hello-a/express-4.19.2',
  'dependabot/github_actions/actions/checkout-5',
  'renovate/node-24.x',
  'renovate/major-aws-sdk-monorepo',
  'renovate/lock-file-maintenance',
  'user/jane.doe/experiment',
  'users/JaneDoe/Experiment#2',
  'feature/ünïcödé',
  'feature/日本語',
  'feature/emoji-🚀',
  'feature/ü',
  'feature/ö',
  '.hidden',
  '.-double',
  '_-leading-dash',
  '-leading-dash',
  '--',
  '_underscore',
  'trailing.',
  'trailing-',
  'a',
  'A',
  '1',
  '123',
  'x'.repeat(300),
  `${'x'.repeat(300)}y`,
  `feature/${'long-name-'.repeat(20)}`,
  `feature/${'long-name-'.repeat(20)}2`,
  'pr/42/merge',
  'refs-heads-main',
  'wip@home',
  'with+plus',
  'a,b',
  'percent%20encoded',
  'fix-0123456789',
  'feature-login-0123456789',
];

describe('lastGoodTag', () => {
  it('keeps simple branch names readable', () => {
    expect(lastGoodTag('master')).toBe('branch-master');
    expect(lastGoodTag('feature-login')).toBe('branch-feature-login');
    expect(lastGoodTag('release-2024.10')).toBe('branch-release-2024.10');
  });

  it('adds a hash when it had to change the name', () => {
    expect(lastGoodTag('feature/login')).toMatch(/^branch-feature-login-[0-9a-f]{10}$/);
    expect(lastGoodTag('Feature-Login')).toMatch(/^branch-feature-login-[0-9a-f]{10}$/);
    expect(lastGoodTag('feature/login')).not.toBe(lastGoodTag('Feature/Login'));
  });

  it('hashes a name that already ends like a hash, so it cannot equal another name hashed', () => {
    const hashed = lastGoodTag('feature/login');
    const impostor = hashed.slice('branch-'.length);
    expect(lastGoodTag(impostor)).not.toBe(hashed);
    expect(lastGoodTag(impostor)).toMatch(new RegExp(`^branch-${impostor}-[0-9a-f]{10}$`));
  });

  it.each(BRANCHES)('%s: a valid Docker tag of at most 128 characters, lowercase', (branch) => {
    const tag = lastGoodTag(branch);
    expect(tag).toMatch(DOCKER_TAG);
    expect(tag.length).toBeLessThanOrEqual(MAX_TAG_LENGTH);
    expect(tag).toBe(tag.toLowerCase());
    expect(tag.startsWith('branch-')).toBe(true);
    expect(lastGoodTag(branch)).toBe(tag);
  });

  it('maps every branch of the table to its own tag', () => {
    const tags = new Map<string, string>();
    for (const branch of BRANCHES) {
      const tag = lastGoodTag(branch);
      expect(tags.get(tag), `${branch} collides with ${tags.get(tag)} on ${tag}`).toBeUndefined();
      tags.set(tag, branch);
    }
    expect(tags.size).toBe(new Set(BRANCHES).size);
  });

  it('cuts a 300-character branch to exactly 128 characters and keeps it apart from its neighbour', () => {
    const long = lastGoodTag('x'.repeat(300));
    expect(long).toHaveLength(MAX_TAG_LENGTH);
    expect(lastGoodTag(`${'x'.repeat(300)}y`)).not.toBe(long);
  });

  it('strips leading dots and dashes and keeps a readable stem for unicode', () => {
    expect(lastGoodTag('.hidden')).toMatch(/^branch-hidden-[0-9a-f]{10}$/);
    expect(lastGoodTag('feature/ünïcödé')).toMatch(/^branch-feature-n-c-d-[0-9a-f]{10}$/);
    expect(lastGoodTag('feature/日本語')).toMatch(/^branch-feature-[0-9a-f]{10}$/);
  });
});

describe('labelValue', () => {
  it.each([...BRANCHES, '', '-', '.', 'sha256:0123'])(
    '%j: a valid label value of at most 63 characters',
    (text) => {
      const label = labelValue(text);
      expect(label).toMatch(LABEL_VALUE);
      expect(label.length).toBeLessThanOrEqual(MAX_LABEL_LENGTH);
    },
  );

  it('keeps valid values as they are (case included) and gives every branch of the table its own value', () => {
    expect(labelValue('Hello-A')).toBe('Hello-A');
    const labels = new Set(BRANCHES.map(labelValue));
    expect(labels.size).toBe(new Set(BRANCHES).size);
  });
});

describe('other names', () => {
  it('derives object names, colors and env names', () => {
    expect(commitTag('ABCDEF0123456789ABCDEF0123456789ABCDEF01')).toBe(
      'sha-abcdef0123456789abcdef0123456789abcdef01',
    );
    expect(deploymentName('hello-a', 'blue')).toBe('hello-a-blue');
    expect(previewServiceName('hello-a')).toBe('hello-a-preview');
    expect(otherColor('blue')).toBe('green');
    expect(otherColor('green')).toBe('blue');
    expect(serviceUrlEnvName('hello-a')).toBe('GREENLIGHT_URL_HELLO_A');
  });
});
