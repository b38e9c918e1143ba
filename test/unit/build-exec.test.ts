import { describe, expect, test } from 'vitest';
import { GreenlightError } from '../../src/core/errors.ts';
import { createCommandRunner } from '../../src/exec/command-runner.ts';
import { recordingLogger } from '../support/logger.ts';

const SECRET = 'hunter2-very-secret';

describe('the command runner', () => {
  test('hands stdin to the command and captures its output, line by line in the log', async () => {
    const log = recordingLogger();
    const runner = createCommandRunner(log);
    const result = await runner.run('sh', ['-c', 'read line; echo "got:$line"; echo oops >&2; exit 3'], {
      stdin: 'hello\n',
    });
    expect(result).toEqual({ exitCode: 3, stdout: 'got:hello\n', stderr: 'oops\n' });
    expect(log.lines).toEqual([
      `[command] sh -c read line; echo "got:$line"; echo oops >&2; exit 3`,
      'got:hello',
      'oops',
    ]);
  });

  test('redacts a registered secret everywhere it could show: log, argv history, output, errors', async () => {
    const log = recordingLogger();
    const runner = createCommandRunner(log);
    runner.addSecret(SECRET);
    // A command that echoes what it got on stdin and in argv: the worst case.
    const error = await runner
      .check('sh', ['-c', `cat; echo "${SECRET}" >&2; exit 1`, SECRET], { stdin: `${SECRET}\n` })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(GreenlightError);
    const everything = [
      ...log.lines,
      ...runner.history.flatMap((record) => [...record.argv, record.stdout, record.stderr]),
      (error as Error).message,
    ].join('\n');
    expect(everything).toContain('***'); // the secret was there to be found, and replaced
    expect(everything).not.toContain(SECRET);
    expect((error as Error).message).toMatch(/ failed with exit code 1:\n\*\*\*$/);
  });

  test.each([
    [['--git-dir', '/nonexistent/x', 'cat-file', '-e', 'HEAD'], /^git cat-file failed with exit code \d+:/],
    [
      ['--git-dir=/nonexistent/x', 'merge-base', '--is-ancestor', 'a', 'b'],
      /^git merge-base failed with exit code \d+:/,
    ],
  ])('check names the subcommand, not flags or their values: %j', async (args, message) => {
    const runner = createCommandRunner(recordingLogger());
    const error = await runner.check('git', args, { echo: false }).catch((caught: unknown) => caught);
    expect((error as Error).message).toMatch(message);
  });

  test('a command that does not exist is exit code 127 with the reason', async () => {
    const runner = createCommandRunner(recordingLogger());
    const result = await runner.run('greenlight-no-such-command', []);
    expect(result.exitCode).toBe(127);
    expect(result.stderr).toContain('ENOENT');
  });

  test('a command that outlives its timeout is killed', async () => {
    const runner = createCommandRunner(recordingLogger());
    const result = await runner.run('sleep', ['20'], { timeoutMs: 300 });
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain('killed by SIGTERM');
  });

  test('echo: false keeps output out of the log but in the result', async () => {
    const log = recordingLogger();
    const runner = createCommandRunner(log);
    const result = await runner.run('echo', ['quiet'], { echo: false });
    expect(result.stdout).toBe('quiet\n');
    expect(log.lines).toEqual(['[command] echo quiet']);
  });
});
