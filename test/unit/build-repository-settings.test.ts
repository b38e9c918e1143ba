import { describe, expect, test } from 'vitest';
import { isTagMutable, type RepositoryInfo, wildcardMatches } from '../../src/registry/ecr.ts';

const repository = (tagMutability: string, mutabilityExclusions: string[] = []): RepositoryInfo => ({
  name: 'hello-a',
  uri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/hello-a',
  tagMutability,
  mutabilityExclusions,
});

describe('can the last-good tag move in this repository', () => {
  test.each<[RepositoryInfo, string, boolean]>([
    [repository('MUTABLE'), 'branch-main', true],
    [repository('IMMUTABLE'), 'branch-main', false],
    [repository('IMMUTABLE_WITH_EXCLUSION', ['branch-*']), 'branch-main', true],
    [repository('IMMUTABLE_WITH_EXCLUSION', ['branch-*']), 'sha-abc', false],
    [repository('IMMUTABLE_WITH_EXCLUSION', ['latest']), 'branch-main', false],
    [repository('MUTABLE_WITH_EXCLUSION', ['sha-*']), 'branch-main', true],
    [repository('MUTABLE_WITH_EXCLUSION', ['*']), 'branch-main', false],
  ])('%j: %s -> %s', (info, tag, mutable) => {
    expect(isTagMutable(info, tag)).toBe(mutable);
  });
});

describe('ECR wildcard filters', () => {
  test.each<[string, string, boolean]>([
    ['branch-*', 'branch-main', true],
    ['branch-*', 'branch-', true],
    ['branch-*', 'xbranch-main', false],
    ['*-rc', 'v1.0-rc', true],
    ['v1.*', 'v1x2', false], // the dot is literal
    ['v1.*', 'v1.2', true],
    ['a*b*c', 'aXXbYYc', true],
  ])('%s matches %s: %s', (filter, tag, matches) => {
    expect(wildcardMatches(filter, tag)).toBe(matches);
  });
});
