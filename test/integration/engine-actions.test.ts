/**
 * deploy-group and switch-color run from the committed bundle as the runner runs them
 * (INPUT_* variables, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY), against the local stack.
 */
import { describe, expect, inject, it } from 'vitest';
import { runActionBundle } from '../support/action-runner.ts';
import { groupFixture } from '../support/group-fixture.ts';

const stack = inject('stack');

describe('the group actions against the local stack', () => {
  it('deploy-group deploys to standby and switch-color promotes it, with their outputs and summaries', async () => {
    const fx = await groupFixture(stack);
    const a1 = await fx.push('hello-a');
    await fx.push('hello-b');
    const env = {
      KUBECONFIG: stack.kubeconfig,
      GITHUB_ACTOR: 'octocat',
      GITHUB_SERVER_URL: 'https://github.example',
      GITHUB_REPOSITORY: 'acme/deploy',
      GITHUB_RUN_ID: '77',
    };

    const deploy = runActionBundle(
      'deploy-group',
      { group: fx.group, 'groups-dir': fx.dir, registry: stack.registry, timeout: '60s' },
      env,
    );
    expect(deploy.exitCode, deploy.stdout + deploy.stderr).toBe(0);
    expect(deploy.outputs).toMatchObject({
      'standby-color': 'blue',
      phase: 'ready',
      'release-id': expect.stringMatching(/^[0-9a-f]{16}$/),
    });
    expect(JSON.parse(deploy.outputs['preview-urls'] ?? '{}')).toEqual({
      'hello-a': `http://hello-a-preview.${fx.namespace}.svc.cluster.local:8080`,
      'hello-b': `http://hello-b-preview.${fx.namespace}.svc.cluster.local:8080`,
    });
    expect(JSON.parse(deploy.outputs.plan ?? '{}').services[0]).toMatchObject({
      service: 'hello-a',
      digest: a1,
    });
    expect(deploy.summary).toContain('```mermaid');
    expect(deploy.summary).toContain('Greenlight deploy: deployed');
    const releaseId = deploy.outputs['release-id'] ?? '';
    const record = (await fx.records())[releaseId];
    expect(record).toMatchObject({
      actor: 'octocat',
      runUrl: 'https://github.example/acme/deploy/actions/runs/77',
    });

    const promote = runActionBundle(
      'switch-color',
      {
        group: fx.group,
        'groups-dir': fx.dir,
        operation: 'promote',
        'release-id': releaseId,
        force: 'true',
        reason: 'bundle test',
        'scale-down-delay': 'keep',
      },
      env,
    );
    expect(promote.exitCode, promote.stdout + promote.stderr).toBe(0);
    expect(JSON.parse(promote.outputs['live-colors'] ?? '{}')).toEqual({
      'hello-a': 'blue',
      'hello-b': 'blue',
    });
    expect(JSON.parse(promote.outputs['history-entry'] ?? '{}')).toMatchObject({
      releaseId,
      phase: 'promoted',
      forced: { reason: 'bundle test' },
    });
    expect(await fx.liveSelectors()).toEqual({ 'hello-a': 'blue', 'hello-b': 'blue' });

    const refused = runActionBundle(
      'switch-color',
      { group: fx.group, 'groups-dir': fx.dir, operation: 'promote', 'release-id': 'ffffffffffffffff' },
      env,
    );
    expect(refused.exitCode).toBe(1);
    expect(refused.outputs.failure).toBe('nothing-on-standby');
    expect(refused.summary).toContain('### Greenlight: nothing-on-standby');
  });
});
