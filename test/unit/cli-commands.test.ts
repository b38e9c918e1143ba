import { describe, expect, it } from 'vitest';
import { runCli as cli } from '../support/cli.ts';

describe('the validate and plan commands', () => {
  it('are listed by --help, in that order', async () => {
    const { stdout, code } = await cli(['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /\n {2}validate {2}check groups\/services\.yaml and the group files.*\n {2}plan {6}show what deploying/,
    );
  });

  it('print their usage', async () => {
    expect((await cli(['plan', '--help'])).stdout).toContain(
      'Usage: greenlight plan GROUP [--groups-dir DIR] [--set svc=branch]... [--json|--markdown] [--registry ecr|HOST] [--kubeconfig PATH]',
    );
    expect((await cli(['validate', '-h'])).stdout).toContain(
      'Usage: greenlight validate [--groups-dir DIR] [FILE...]',
    );
  });

  it('validate: the shipped groups are valid, one OK line', async () => {
    const run = await cli(['validate']);
    expect(run).toEqual({
      code: 0,
      stdout: 'ok: 3 files valid (groups/services.yaml, groups/login-feature.yaml, groups/master.yaml)\n',
      stderr: '',
    });
  });

  it('validate: one file, with the catalog of its groups directory', async () => {
    const run = await cli(['validate', 'groups/master.yaml']);
    expect(run.stdout).toBe('ok: 2 files valid (groups/services.yaml, groups/master.yaml)\n');
  });

  it('plan: a group that does not exist', async () => {
    const run = await cli(['plan', 'nope']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('greenlight plan: groups/nope.yaml:1:1: file not found\n');
  });

  it('plan: a path that is not a group file is refused unread', async () => {
    const run = await cli(['plan', '../../etc/passwd']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'greenlight plan: group "../../etc/passwd": expected a group name such as "master" or the path of a group file ending in .yaml\n',
    );
  });
});
