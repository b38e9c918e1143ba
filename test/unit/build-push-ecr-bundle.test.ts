/**
 * The committed bundle, run as the runner runs it: malformed inputs fail with exit code 1
 * and one message naming the input, before anything is built or any AWS call is made
 * (no credentials or endpoint exist in this environment, so a call would fail differently).
 */
import { describe, expect, it } from 'vitest';
import { runActionBundle } from '../support/action-runner.ts';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const valid = { repository: 'hello-a', sha: SHA, 'aws-region': 'us-east-1', branch: 'main' };

describe('build-push-ecr bundle rejects malformed inputs', () => {
  it.each<[string, Record<string, string>, string]>([
    ['a short sha', { sha: 'abc123' }, 'Input "sha": expected a full 40-character commit SHA, got "abc123"'],
    [
      'an unknown builder',
      { builder: 'kaniko' },
      'Input "builder": expected one of auto, docker, buildah, got "kaniko"',
    ],
    [
      'a platform without an architecture',
      { platforms: 'linux/amd64,linux' },
      'Input "platforms": expected os/arch such as linux/amd64, got "linux"',
    ],
    [
      'a build arg without a value',
      { 'build-args': 'NODE_ENV' },
      'Input "build-args": expected KEY=value, got "NODE_ENV"',
    ],
    ['a label without a value', { labels: 'team' }, 'Input "labels": expected key=value, got "team"'],
    [
      'a full reference as an extra tag',
      { tags: 'hello-a:v1' },
      'Input "tags": expected a Docker tag such as v1.2.3 (not a full reference), got "hello-a:v1"',
    ],
    ['a non-boolean push', { push: 'yes' }, 'Input "push": expected true or false, got "yes"'],
    ['an unknown event', { event: 'create' }, 'Input "event": expected one of push, delete, got "create"'],
    [
      'a branch git would refuse',
      { branch: 'feature..x' },
      'Input "branch": "feature..x" is not a valid git branch name',
    ],
    [
      'an uppercase repository',
      { repository: 'Hello-A' },
      'Input "repository": expected an ECR repository name such as hello-a',
    ],
    [
      'a non-ECR registry in the repository',
      { repository: 'ghcr.io/acme/hello-a' },
      'Input "repository": ghcr.io is not an ECR registry; give a plain OCI registry in the "registry" input',
    ],
    [
      'a region that contradicts the URI',
      { repository: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/hello-a' },
      'Input "aws-region" is us-east-1 but the repository URI is in eu-west-1',
    ],
  ])('%s', (_name, inputs, message) => {
    const run = runActionBundle('build-push-ecr', { ...valid, ...inputs });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(`::error::${message}`);
    expect(run.stdout).not.toContain('[command]');
    expect(run.outputs).toEqual({ failure: 'input-invalid' });
  });

  it('without a sha input uses GITHUB_SHA, and says so when neither is set', () => {
    const run = runActionBundle('build-push-ecr', { ...valid, sha: '' });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(
      '::error::Input required and not supplied: sha (GITHUB_SHA is not set either)',
    );
    const fromEnv = runActionBundle('build-push-ecr', { ...valid, sha: '' }, { GITHUB_SHA: 'not-a-sha' });
    expect(fromEnv.stdout).toContain(
      '::error::Input "sha": expected a full 40-character commit SHA, got "not-a-sha"',
    );
  });

  it('a delete event outside a branch delete needs a branch', () => {
    const run = runActionBundle('build-push-ecr', { ...valid, branch: '' }, { GITHUB_EVENT_NAME: 'delete' });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(
      '::error::Input "branch" is required for event delete outside a branch delete event',
    );
  });
});
