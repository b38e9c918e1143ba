/**
 * The run-integration bundle as the runner runs it, against the local stack and the strict
 * GitHub fake: its outputs, its summary, the commit status on the deployed commit and the
 * one sticky comment on the pull request of the deployed branch, created then edited in
 * place on a re-run. Every request to the fake is held to GitHub's own description.
 */
import { afterEach, describe, expect, inject, it } from 'vitest';
import { lastGoodTag } from '../../src/core/naming.ts';
import { uniqueName } from '../stack/helpers.ts';
import { runActionBundleAsync } from '../support/action-runner.ts';
import { type FakeGitHub, startFakeGitHub } from '../support/github-api.ts';
import { groupFixture } from '../support/group-fixture.ts';
import { pushOciImage } from '../support/registry.ts';

const stack = inject('stack');
const COMMIT = 'c0ffee'.padEnd(40, '1');
let fake: FakeGitHub | undefined;
afterEach(async () => {
  const violations = [...(fake?.violations ?? [])];
  await fake?.close();
  expect(violations).toEqual([]);
});

describe('run-integration bundle', () => {
  it('reports to GitHub: a status on the deployed commit and one comment on its branch pull request, edited on a re-run', async () => {
    fake = await startFakeGitHub();
    fake.addRepository('acme/hello-a');
    fake.addCommit('acme/hello-a', COMMIT);
    const pull = fake.addPullRequest('acme/hello-a', { headRef: 'feature/login', headSha: COMMIT });
    const suite = `${uniqueName('suite')}/exit-0`;
    const fx = await groupFixture(stack, {
      services: {
        'hello-a': { branch: 'feature/login', githubRepository: 'acme/hello-a' },
        'hello-b': { calls: ['hello-a'] },
      },
      groupYaml: `integration:\n  image: ${suite}:${lastGoodTag('master')}\n  timeout: 30s`,
    });
    await pushOciImage(stack.registry, suite, [lastGoodTag('master')]);
    await fx.push('hello-a', 'feature/login', COMMIT);
    await fx.push('hello-b');
    const release = await fx.deployJson();
    const env = {
      KUBECONFIG: stack.kubeconfig,
      GITHUB_API_URL: fake.url,
      GITHUB_SERVER_URL: 'https://github.example',
      GITHUB_REPOSITORY: 'acme/deployments',
      GITHUB_RUN_ID: '9',
    };
    const inputs = {
      group: fx.group,
      'groups-dir': fx.dir,
      registry: stack.registry,
      'github-token': fake.token,
      'fail-on-failure': 'false',
    };

    const first = await runActionBundleAsync('run-integration', inputs, env);
    expect(first.exitCode, first.stdout + first.stderr).toBe(0);
    expect(first.outputs).toMatchObject({
      passed: 'true',
      'release-id': release.releaseId,
      failures: '0',
      'report-path': '',
    });
    expect(first.summary).toContain(release.releaseId);
    // The runner consumes ::add-mask:: itself; nothing else may carry the token.
    const logged = first.stdout.split('\n').filter((line) => !line.startsWith('::add-mask::'));
    expect(logged.join('\n')).not.toContain(fake.token);
    expect(fake.statuses.filter((s) => s.sha === COMMIT).map((s) => [s.context, s.state])).toEqual([
      ['greenlight/team', 'pending'],
      ['greenlight/team', 'success'],
    ]);
    const comments = fake.comments.filter((c) => c.issueNumber === pull.number);
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toContain('<!-- greenlight:team -->');
    expect(comments[0]?.body).toContain(release.releaseId);

    const again = await runActionBundleAsync('run-integration', inputs, env);
    expect(again.exitCode, again.stdout + again.stderr).toBe(0);
    const after = fake.comments.filter((c) => c.issueNumber === pull.number);
    expect(after.map((c) => c.id)).toEqual(comments.map((c) => c.id));
    expect(JSON.parse(JSON.stringify((await fx.records())[release.releaseId]))).toMatchObject({
      phase: 'verified',
      verification: { passed: true, runUrl: 'https://github.example/acme/deployments/actions/runs/9' },
    });
  });
});
