/**
 * A CNCF distribution registry that asks for a password (htpasswd, HTTP basic auth), on
 * 127.0.0.1, for the secret-leak tests: the stack's own registry is open, so nothing
 * there would notice a client that forgot, or leaked, its credentials. Same binary as the
 * stack's; its own storage and port; stopped by close().
 *
 * The htpasswd line is made by the system's crypt(3) (libxcrypt, bcrypt `$2b$`, through
 * perl, which every Debian has), with the password on stdin so it never sits in an argv.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePorts } from '../stack/process.ts';
import { registryBinaryPath } from '../stack/tools.ts';

export interface PasswordRegistry {
  /** `127.0.0.1:PORT` */
  address: string;
  username: string;
  password: string;
  /** what the registry logged (its access log names the authenticated user) */
  log(): string;
  close(): Promise<void>;
}

/** bcrypt's alphabet for the 22-character salt */
const BCRYPT_SALT = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function bcryptHash(password: string): string {
  const salt = Array.from(randomBytes(22), (byte) => BCRYPT_SALT[byte % 64]).join('');
  const hash = execFileSync(
    'perl',
    ['-e', 'my $p = <STDIN>; chomp $p; print crypt($p, $ARGV[0])', `$2b$05$${salt}`],
    { input: `${password}\n`, encoding: 'utf8' },
  );
  if (!hash.startsWith('$2b$05$')) throw new Error(`crypt(3) made no bcrypt hash: ${hash.slice(0, 7)}`);
  return hash;
}

export async function startPasswordRegistry(
  dir: string,
  credentials: { username: string; password: string },
): Promise<PasswordRegistry> {
  mkdirSync(dir, { recursive: true });
  const [port] = await freePorts(1);
  const htpasswd = join(dir, 'htpasswd');
  writeFileSync(htpasswd, `${credentials.username}:${bcryptHash(credentials.password)}\n`);
  const config = join(dir, 'registry.yml');
  writeFileSync(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: info',
      '  formatter: text',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${join(dir, 'data')}`,
      'auth:',
      '  htpasswd:',
      '    realm: greenlight-test',
      `    path: ${htpasswd}`,
      'http:',
      `  addr: 127.0.0.1:${port}`,
      `  secret: ${randomBytes(16).toString('hex')}`,
      '',
    ].join('\n'),
  );
  const child = spawn(registryBinaryPath(), ['serve', config], {
    env: { PATH: process.env.PATH ?? '', OTEL_TRACES_EXPORTER: 'none' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const address = `127.0.0.1:${port}`;
  await waitForChallenge(child, address, () => output);
  return {
    address,
    ...credentials,
    log: () => output,
    async close() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
    },
  };
}

/** Ready once /v2/ answers 401 with a Basic challenge: up, and asking for the password. */
async function waitForChallenge(child: ChildProcess, address: string, output: () => string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`registry exited ${child.exitCode}:\n${output()}`);
    try {
      const response = await fetch(`http://${address}/v2/`, { signal: AbortSignal.timeout(1_000) });
      if (response.status === 401 && /^basic/i.test(response.headers.get('www-authenticate') ?? '')) return;
      throw new Error(`registry at ${address} answered /v2/ with ${response.status}, not a Basic challenge`);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('registry at')) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  child.kill('SIGKILL');
  throw new Error(`registry at ${address} did not answer within 10 s:\n${output()}`);
}
