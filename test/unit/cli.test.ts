import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Command } from '../../src/cli/command.ts';
import { COMMANDS } from '../../src/cli/commands/index.ts';
import { renderHelp } from '../../src/cli/main.ts';
import { GreenlightError } from '../../src/core/errors.ts';
import { VERSION } from '../../src/version.ts';
import { NODE24, REPO_ROOT } from '../support/action-runner.ts';
import { runCli } from '../support/cli.ts';

const failing: Command = {
  name: 'explode',
  summary: 'fails',
  usage: 'greenlight explode',
  run: async () => {
    throw new GreenlightError('the cluster said no', { hint: 'ask again later' });
  },
};

describe('greenlight CLI', () => {
  it('keeps its version equal to package.json', () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
  });

  it('prints the version from the committed bundle, through the package bin', () => {
    const bin = join(REPO_ROOT, 'bin/greenlight.js');
    expect(execFileSync(NODE24, [bin, '--version'], { encoding: 'utf8' }).trim()).toBe(VERSION);
  });

  it('prints help listing every command from the bundle', () => {
    const result = spawnSync(NODE24, [join(REPO_ROOT, 'bin/greenlight.js'), '--help'], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Usage: greenlight <command> [options]');
    // every command of the source, in order, with its summary: the bundle is not stale
    expect(result.stdout).toBe(renderHelp(COMMANDS));
  });

  it('exits 2 on an unknown command and shows help on stderr', async () => {
    const run = await runCli(['deploi'], { commands: [failing] });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('greenlight: unknown command "deploi"');
    expect(run.stderr).toContain('explode');
  });

  it('turns a GreenlightError into one message with its hint and exit 1', async () => {
    const run = await runCli(['explode'], { commands: [failing] });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('greenlight explode: the cluster said no\n  hint: ask again later\n');
  });

  it('prints usage for command --help without running it', async () => {
    const run = await runCli(['explode', '--help'], { commands: [failing] });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('fails\n\nUsage: greenlight explode\n');
  });
});
