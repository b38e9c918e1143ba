import { describe, expect, test } from 'vitest';
import {
  type BuildPushEcrInputs,
  type GithubEvent,
  githubEventFrom,
  readBuildPushEcrInputs,
} from '../../src/image-build/inputs.ts';
import { mapInputSource } from '../../src/runner/inputs.ts';

const SHA = '0123456789ABCDEF0123456789abcdef01234567';

describe('readBuildPushEcrInputs: defaults from the event', () => {
  test.each<[string, Record<string, string>, GithubEvent, Partial<BuildPushEcrInputs>]>([
    [
      'a branch push',
      { repository: 'hello-a' },
      { eventName: 'push', refName: 'feature/x', refType: 'branch', sha: SHA, awsRegion: 'eu-west-1' },
      {
        event: 'push',
        branch: 'feature/x',
        sha: SHA.toLowerCase(),
        awsRegion: 'eu-west-1',
        registry: undefined,
      },
    ],
    [
      'a pull request: the head branch, not N/merge',
      { repository: 'hello-a' },
      { eventName: 'pull_request', refName: '12/merge', refType: 'branch', headRef: 'feature/y', sha: SHA },
      { event: 'push', branch: 'feature/y' },
    ],
    [
      'a tag push has no branch',
      { repository: 'hello-a' },
      { eventName: 'push', refName: 'v1.0.0', refType: 'tag', sha: SHA },
      { event: 'push', branch: undefined },
    ],
    [
      'a branch delete: the deleted branch from the payload, no sha needed',
      { repository: 'hello-a' },
      {
        eventName: 'delete',
        refName: 'main',
        refType: 'branch',
        deletedRef: 'feature/z',
        deletedRefType: 'branch',
      },
      { event: 'delete', branch: 'feature/z', sha: undefined },
    ],
    [
      'a tag delete: no branch, nothing to remove',
      { repository: 'hello-a' },
      {
        eventName: 'delete',
        refName: 'main',
        refType: 'branch',
        deletedRef: 'v1.0.0',
        deletedRefType: 'tag',
      },
      { event: 'delete', branch: undefined },
    ],
    [
      'explicit inputs win over the event',
      { repository: 'hello-a', branch: 'release', sha: 'f'.repeat(40), event: 'push' },
      { eventName: 'push', refName: 'main', refType: 'branch', sha: SHA },
      { branch: 'release', sha: 'f'.repeat(40) },
    ],
    [
      'a repository URI gives the registry and region',
      { repository: '123456789012.dkr.ecr.eu-central-1.amazonaws.com/team/hello-a' },
      { sha: SHA, awsRegion: 'us-east-1' },
      {
        repository: 'team/hello-a',
        registry: undefined,
        ecrHost: '123456789012.dkr.ecr.eu-central-1.amazonaws.com',
        awsRegion: 'eu-central-1',
      },
    ],
    [
      'a plain registry override',
      { repository: 'hello-a', registry: '127.0.0.1:5000' },
      { sha: SHA },
      { repository: 'hello-a', registry: '127.0.0.1:5000' },
    ],
    [
      'defaults of the build itself',
      { repository: 'hello-a' },
      { sha: SHA, serverUrl: 'https://github.com', repository: 'acme/hello-a' },
      {
        context: '.',
        dockerfile: undefined,
        builder: 'auto',
        push: true,
        cache: false,
        provenance: false,
        platforms: [],
        tags: [],
        sourceUrl: 'https://github.com/acme/hello-a',
      },
    ],
    [
      'build args and labels are one per line, commas kept; tags and platforms split on commas too',
      {
        repository: 'hello-a',
        'build-args': 'A=1,2\n# comment\nB=x',
        labels: 'a=b,c',
        tags: 'v1, v1.2',
        platforms: 'linux/amd64\nlinux/arm64/v8',
      },
      { sha: SHA },
      {
        buildArgs: ['A=1,2', 'B=x'],
        labels: ['a=b,c'],
        tags: ['v1', 'v1.2'],
        platforms: ['linux/amd64', 'linux/arm64/v8'],
      },
    ],
  ])('%s', (_name, raw, github, expected) => {
    expect(readBuildPushEcrInputs(mapInputSource(raw), github)).toMatchObject(expected);
  });
});

describe('githubEventFrom', () => {
  test('reads the runner variables and the delete payload, and drops empty ones', () => {
    expect(
      githubEventFrom(
        {
          GITHUB_EVENT_NAME: 'delete',
          GITHUB_REF_NAME: 'main',
          GITHUB_REF_TYPE: 'branch',
          GITHUB_HEAD_REF: '',
          GITHUB_SHA: SHA,
          GITHUB_SERVER_URL: 'https://github.com',
          GITHUB_REPOSITORY: 'acme/hello-a',
          AWS_DEFAULT_REGION: 'us-west-2',
        },
        { ref: 'feature/z', ref_type: 'branch', sender: {} },
      ),
    ).toEqual({
      eventName: 'delete',
      refName: 'main',
      refType: 'branch',
      sha: SHA,
      serverUrl: 'https://github.com',
      repository: 'acme/hello-a',
      deletedRef: 'feature/z',
      deletedRefType: 'branch',
      awsRegion: 'us-west-2',
    });
  });
});
