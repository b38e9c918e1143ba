/**
 * The namespace lock against the local stack: two deploys at once (one proceeds, the other
 * waits and then fails naming the holder), and a Lease left by a run that died, taken over
 * once it expired, with a warning naming that run.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { kubectl } from '../stack/helpers.ts';
import { NODE24, REPO_ROOT } from '../support/action-runner.ts';
import { groupFixture } from '../support/group-fixture.ts';

const CLI_SOURCE = join(REPO_ROOT, 'src/cli/index.ts');

const stack = inject('stack');

describe('the namespace lock', () => {
  it('lets one deploy run; the other waits up to its lock timeout, then fails naming the holder', async () => {
    const fx = await groupFixture(stack, { services: { slow: { image: 'never-ready' } } });
    await fx.push('slow');
    // A first deploy that holds the lock for its whole 8 s wait (its image never gets ready).
    const holding = fx.cli(['deploy', fx.group, '--registry', stack.registry, '--timeout', '8s']);
    // Give it the lock first: the Lease appears with its name in it.
    for (let i = 0; i < 100 && (await fx.lockHolder()) === undefined; i++)
      await new Promise((r) => setTimeout(r, 100));
    const holder = await fx.lockHolder();
    expect(holder).toMatch(/@.* \(pid \d+, [a-z0-9]+\)$/);

    const waiting = await fx.cli([
      'deploy',
      fx.group,
      '--registry',
      stack.registry,
      '--lock-timeout',
      '2s',
      '--json',
    ]);
    expect(waiting.code).toBe(1);
    expect(JSON.parse(waiting.stdout).error).toMatchObject({ kind: 'lock-held', detail: { holder } });
    expect(waiting.stderr).toContain(`waiting for the lock of ${fx.namespace}, held by ${holder}`);
    expect(waiting.stderr).toContain(`is locked by ${holder}`);

    const first = await holding;
    expect(first.code).toBe(1);
    expect(first.stderr).toContain('not ready within 8s');
    expect(await fx.lockHolder()).toBeUndefined();
  });

  it('a deploy stopped with SIGTERM releases the lock at once and says it was cancelled', async () => {
    const fx = await groupFixture(stack, { services: { slow: { image: 'never-ready' } } });
    await fx.push('slow');
    const child = spawn(
      NODE24,
      [
        CLI_SOURCE,
        'deploy',
        fx.group,
        '--groups-dir',
        fx.dir,
        '--kubeconfig',
        stack.kubeconfig,
        '--registry',
        stack.registry,
        '--timeout',
        '60s',
        '--json',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const exited = once(child, 'exit');
    for (let i = 0; i < 200 && !stderr.includes('waiting for them'); i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(await fx.lockHolder()).toMatch(/\(pid \d+/);
    child.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(1);
    expect(JSON.parse(stdout).error).toMatchObject({ kind: 'cancelled', message: 'interrupted by SIGTERM' });
    expect(await fx.lockHolder()).toBeUndefined();
  });

  it('takes over a Lease that expired, with a warning naming the run that held it', async () => {
    const fx = await groupFixture(stack);
    await fx.push('hello-a');
    await fx.push('hello-b');
    await kubectl(stack, ['create', 'namespace', fx.namespace]);
    const renewed = new Date(Date.now() - 60_000).toISOString().replace('Z', '000Z');
    const lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'greenlight-lock', namespace: fx.namespace },
      spec: {
        holderIdentity: 'https://ci.example/run/42 (pid 7, dead)',
        leaseDurationSeconds: 15,
        acquireTime: renewed,
        renewTime: renewed,
        leaseTransitions: 0,
      },
    };
    await kubectl(stack, ['apply', '-f', '-'], { input: JSON.stringify(lease) });

    const run = await fx.cli(['deploy', fx.group, '--registry', stack.registry, '--timeout', '60s']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(
      `took over the lock of ${fx.namespace} from https://ci.example/run/42 (pid 7, dead): its Lease expired`,
    );
    const after = JSON.parse(
      (await kubectl(stack, ['get', 'lease', 'greenlight-lock', '-n', fx.namespace, '-o', 'json'])).stdout,
    );
    expect(after.spec.holderIdentity ?? '').toBe('');
    expect(after.spec.leaseTransitions).toBe(1);
  });
});
