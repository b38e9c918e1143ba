/**
 * The switch probe's engine side against the local stack (kwok): `promote --probe` creates
 * the probe Job with the shipped Role's rights only, finds that the cluster serves no log
 * of its pod (kwok runs no containers), says so, deletes the Job and still switches; the
 * record says why nothing was measured. The probe measuring for real is on the real-node
 * tier (test/e2e/demo.test.ts). Bad uses of --probe change nothing.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { kubectl, serviceAccountKubeconfig, uniqueName } from '../stack/helpers.ts';
import { REPO_ROOT, runActionBundle } from '../support/action-runner.ts';
import { groupFixture } from '../support/group-fixture.ts';
import { pushOciImage } from '../support/registry.ts';

const stack = inject('stack');
const dir = mkdtempSync(join(tmpdir(), 'greenlight-probe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An identity in the namespace with exactly the shipped greenlight-deployer rules. */
async function shippedIdentity(namespace: string): Promise<string> {
  const [doc] = parseAllDocuments(
    readFileSync(join(REPO_ROOT, 'terraform/rbac/greenlight-deployer.yaml'), 'utf8'),
  );
  const rules = (doc?.toJS() as { rules: unknown[] } | undefined)?.rules ?? [];
  const name = 'deployer';
  await kubectl(stack, ['apply', '-f', '-'], {
    input: JSON.stringify({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name, namespace },
      rules,
    }),
  });
  await kubectl(stack, [
    'create',
    'rolebinding',
    name,
    '-n',
    namespace,
    `--role=${name}`,
    `--serviceaccount=${namespace}:${name}`,
  ]);
  return serviceAccountKubeconfig(stack, dir, namespace, name);
}

describe('promote --probe on kwok', () => {
  it('makes the probe Job, reports that the cluster serves no log of it, deletes it and switches anyway', async () => {
    const probeRepository = uniqueName('tools/switch-probe');
    await pushOciImage(stack.registry, probeRepository, ['branch-master']);
    const fx = await groupFixture(stack, {
      groupYaml: `promotion:\n  probe:\n    image: ${probeRepository}:branch-master\n    rate: 10\n`,
    });
    await fx.push('hello-a');
    await fx.push('hello-b');
    await fx.deployJson();
    const first = await fx.cli([
      'promote',
      fx.group,
      '--force',
      '--reason',
      'r1',
      '--scale-down-delay',
      'keep',
    ]);
    expect(first.code, first.stderr).toBe(0);
    await fx.push('hello-b');
    const second = await fx.deployJson();
    const kubeconfig = await shippedIdentity(fx.namespace);

    const run = await fx.cli(
      [
        'promote',
        fx.group,
        '--force',
        '--reason',
        'probe on kwok',
        '--scale-down-delay',
        '0s',
        '--probe',
        '--registry',
        stack.registry,
        '--json',
      ],
      { kubeconfig },
    );
    expect(run.code, run.stderr).toBe(0);
    const output = JSON.parse(run.stdout) as { outcome: string; probe: Record<string, unknown> };
    expect(output.outcome).toBe('promoted');
    expect(output.probe).toMatchObject({ measured: false, operation: 'promote', from: 'blue', to: 'green' });
    expect(String(output.probe.note)).toMatch(/^the cluster serves no log of its pod greenlight-probe-/);
    expect(run.stderr).toMatch(/warning: switch probe greenlight-probe-\S+ measures nothing/);

    // read back with kubectl: switched, the record says why, the Job is gone
    expect(await fx.liveSelectors()).toEqual({ 'hello-a': 'green', 'hello-b': 'green' });
    const record = (await fx.records())[second.releaseId] as { switchProbe?: Record<string, unknown> };
    expect(record.switchProbe).toEqual(output.probe);
    const jobs = await kubectl(stack, [
      'get',
      'jobs',
      '-n',
      fx.namespace,
      '-l',
      'greenlight.dev/probe-run',
      '-o',
      'name',
    ]);
    expect(jobs.stdout.trim()).toBe('');
    // ...but it was there: the job controller's event for its pod outlives it
    const events = await kubectl(stack, [
      'get',
      'events',
      '-n',
      fx.namespace,
      '--field-selector',
      'involvedObject.kind=Job,reason=SuccessfulCreate',
      '-o',
      'json',
    ]);
    const created = (
      JSON.parse(events.stdout) as { items: { involvedObject: { name: string } }[] }
    ).items.map((event) => event.involvedObject.name);
    expect(created.some((name) => name.startsWith(`greenlight-probe-${second.releaseId}-`))).toBe(true);
  });

  it('switch-color with probe: true (the bundle, as the runner runs it): the probe output and the summary say what was measured', async () => {
    const probeRepository = uniqueName('tools/switch-probe');
    await pushOciImage(stack.registry, probeRepository, ['branch-master']);
    const fx = await groupFixture(stack, {
      groupYaml: `promotion:\n  probe:\n    image: ${probeRepository}:branch-master\n`,
    });
    await fx.push('hello-a');
    await fx.push('hello-b');
    await fx.deployJson();
    const inputs = {
      group: fx.group,
      'groups-dir': fx.dir,
      operation: 'promote',
      force: 'true',
      reason: 'bundle probe test',
      'scale-down-delay': '0s',
      probe: 'true',
      registry: stack.registry,
    };
    const env = { KUBECONFIG: stack.kubeconfig };
    const first = runActionBundle('switch-color', inputs, env);
    expect(first.exitCode, first.stdout + first.stderr).toBe(0);
    expect(JSON.parse(first.outputs.probe ?? 'null')).toMatchObject({ measured: false });
    expect(first.summary).toContain('Not measured: nothing was live before this switch');

    await fx.push('hello-b');
    await fx.deployJson();
    const second = runActionBundle('switch-color', inputs, env);
    expect(second.exitCode, second.stdout + second.stderr).toBe(0);
    expect(second.outputs.outcome).toBe('promoted');
    const probe = JSON.parse(second.outputs.probe ?? 'null');
    expect(probe).toMatchObject({ measured: false, from: 'blue', to: 'green' });
    expect(second.summary).toContain('#### Switch probe');
    expect(second.summary).toContain(`Not measured: ${probe.note}.`);
    expect(await fx.liveSelectors()).toEqual({ 'hello-a': 'green', 'hello-b': 'green' });

    const reject = runActionBundle(
      'switch-color',
      { ...inputs, operation: 'reject', force: 'false', reason: '' },
      env,
    );
    expect(reject.exitCode).toBe(1);
    expect(reject.stdout + reject.stderr).toContain(
      'Input "probe" applies to promote and rollback, not to reject',
    );
  });

  it('--probe without promotion.probe, and --registry without --probe, are refused before anything is written', async () => {
    const fx = await groupFixture(stack);
    await fx.push('hello-a');
    await fx.push('hello-b');
    await fx.deployJson();
    const before = await fx.resourceVersions();
    const noProbe = await fx.cli([
      'promote',
      fx.group,
      '--force',
      '--reason',
      'x',
      '--probe',
      '--registry',
      stack.registry,
    ]);
    expect(noProbe.code).toBe(1);
    expect(noProbe.stderr).toMatch(
      /team\.yaml: promotion\.probe is not set, so there is no probe image to run/,
    );
    const stray = await fx.cli(['promote', fx.group, '--registry', stack.registry]);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain('--registry goes with --probe');
    expect(await fx.resourceVersions()).toEqual(before);
  });
});
