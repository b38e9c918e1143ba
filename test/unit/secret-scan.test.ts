/**
 * The secret scanners of test/support/secret-scan.ts: captured text, and the argv of
 * every process of a running tree (/proc), seen through real child processes.
 */
import { describe, expect, it } from 'vitest';
import { findSecrets, redact, runScanningForSecrets, secretForms } from '../support/secret-scan.ts';

const TOKEN = 'ghs_0123456789abcdefSECRET';
const PASSWORD = 'p@ss word/with+symbols=???~'; // its base64 holds '/' and '+', unlike its base64url

describe('findSecrets', () => {
  it('finds a secret raw, base64, base64url and URL-encoded, naming it without printing it', () => {
    const texts = {
      log: `token ${TOKEN} used`,
      summary: `header ${Buffer.from(PASSWORD).toString('base64')}`,
      comment: `url ?p=${encodeURIComponent(PASSWORD)}`,
      output: `b64url ${Buffer.from(PASSWORD).toString('base64url')}`,
      clean: 'nothing to see',
    };
    const findings = findSecrets(texts, { 'GitHub token': TOKEN, 'registry password': PASSWORD });
    expect(findings.map(({ secret, form, where }) => `${where}: ${secret} (${form})`)).toEqual([
      'log: GitHub token (raw)',
      'summary: registry password (base64)',
      'comment: registry password (url-encoded)',
      'output: registry password (base64url)',
    ]);
    expect(findings[0]?.context).toBe('token *** used');
    expect(JSON.stringify(findings)).not.toContain(TOKEN);
  });

  it('finds every occurrence, and refuses secrets too short to tell from text', () => {
    expect(findSecrets({ log: `${TOKEN}\n${TOKEN}` }, { token: TOKEN })).toHaveLength(2);
    expect(() => findSecrets({ log: '' }, { pin: '1234' })).toThrow(
      'secret scan: pin is 4 characters; use a test secret of at least 8',
    );
  });

  it('lists each encoded form once', () => {
    expect(secretForms('abcdefgh').map((f) => f.form)).toEqual(['raw', 'base64']);
    expect(redact(`a ${TOKEN} b`, { t: TOKEN })).toBe('a *** b');
  });
});

describe('runScanningForSecrets', () => {
  it('sees a secret in the argv of a grandchild, and reports the processes it sampled', async () => {
    // sh -> sh -c "sleep 0.5" SECRET: the secret sits in the inner shell's argv for half a second
    const run = await runScanningForSecrets(
      { command: 'sh', args: ['-c', 'sh -c "sleep 0.5" "$1"; echo done', 'outer', TOKEN], timeoutMs: 10_000 },
      { 'GitHub token': TOKEN },
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('done\n');
    const wheres = run.findings.map((finding) => finding.where);
    expect(wheres.length).toBeGreaterThanOrEqual(2); // the outer shell and the inner one
    const inner = run.scan.processes.find((p) => p.argv.join(' ') === 'sh -c sleep 0.5 ***');
    expect(inner, JSON.stringify(run.scan.processes)).toBeDefined();
    expect(wheres).toContain(`argv of pid ${inner?.pid}`);
    expect(run.scan.processes.some((p) => p.argv[0] === 'sleep')).toBe(true);
    expect(JSON.stringify(run.scan)).not.toContain(TOKEN);
  });

  it('finds nothing in a tree that keeps the secret in its environment, and scans the output too', async () => {
    const run = await runScanningForSecrets(
      {
        command: 'sh',
        args: ['-c', 'sh -c "sleep 0.3"; echo "$GL_TOKEN" >&2'],
        env: { PATH: process.env.PATH ?? '', GL_TOKEN: TOKEN },
        timeoutMs: 10_000,
      },
      { 'GitHub token': TOKEN },
    );
    expect(run.scan.processes.some((p) => p.argv.join(' ') === 'sleep 0.3')).toBe(true);
    expect(run.findings.map((finding) => finding.where)).toEqual(['stderr']);
  });
});
