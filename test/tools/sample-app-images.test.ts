/**
 * The sample apps' images: hadolint on each Dockerfile (with sample-apps/.hadolint.yaml), then
 * a buildah build of each (the switch probe too) from a base made here (sample-apps/base-image/build-base.sh:
 * debootstrap + Node from npm; nothing is pulled), its config read back, and the three images
 * run together: hello-a and hello-b serve on 127.0.0.1, the integration-tests image passes
 * against them, and SIGTERM stops a service with exit 0.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheDir, toolPath } from '../stack/tools.ts';
import { tierCannotRun } from '../support/tier.ts';

const SAMPLE_APPS = fileURLToPath(new URL('../../sample-apps/', import.meta.url));
const APPS = ['hello-a', 'hello-b', 'integration-tests', 'switch-probe'] as const;
/** The image title of each app (its package name). */
const TITLES: Record<App, string> = {
  'hello-a': 'hello-a',
  'hello-b': 'hello-b',
  'integration-tests': 'hello-integration-tests',
  'switch-probe': 'greenlight-switch-probe',
};
type App = (typeof APPS)[number];
const CACHE = cacheDir();
const STORAGE = join(CACHE, 'buildah');
const STORAGE_FLAGS = [
  '--root',
  join(STORAGE, 'root'),
  '--runroot',
  join(STORAGE, 'runroot'),
  '--storage-driver',
  'vfs',
];
const RUN_ID = `t${process.pid}`;
const log = (line: string) => console.log(`[sample-app-images] ${line}`);

interface Exec {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command; resolves with its exit code and output (never rejects on a non-zero exit). */
function run(command: string, args: string[], timeoutMs: number, env: NodeJS.ProcessEnv = process.env) {
  return new Promise<Exec>((resolve, reject) => {
    execFile(
      command,
      args,
      { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, env },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number')
          return reject(new Error(`${command}: ${error.message}\n${stderr}`));
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
  });
}

async function buildah(args: string[], timeoutMs = 120_000): Promise<string> {
  const result = await run('buildah', [...STORAGE_FLAGS, ...args], timeoutMs);
  if (result.code !== 0) throw new Error(`buildah ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return result.stdout;
}

const seconds = (startedAt: number) => `${((performance.now() - startedAt) / 1000).toFixed(1)}s`;

describe('hadolint', () => {
  const config = join(SAMPLE_APPS, '.hadolint.yaml');
  const lint = (dockerfile: string) =>
    run(toolPath('hadolint'), ['--config', config, '--no-color', dockerfile], 60_000);

  it.each(APPS)('passes %s/Dockerfile', async (app) => {
    const result = await lint(join(SAMPLE_APPS, app, 'Dockerfile'));
    expect(result.stdout + result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('fails a Dockerfile that breaks the rules (the config is live)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'greenlight-hadolint-'));
    try {
      const bad = join(dir, 'Dockerfile');
      writeFileSync(
        bad,
        'FROM quay.io/someone/node:latest\nWORKDIR /app\nLABEL org.opencontainers.image.title="x"\nUSER root\nCMD ["node"]\n',
      );
      const result = await lint(bad);
      expect(result.code).toBe(1);
      const codes = new Set([...result.stdout.matchAll(/ (DL\d{4}) (?:warning|error):/g)].map((m) => m[1]));
      // latest tag, untrusted registry, root user, missing OCI label (raised to a warning by the config).
      expect([...codes].sort()).toEqual(['DL3002', 'DL3007', 'DL3026', 'DL3049']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each(APPS)(
    '%s/Dockerfile pins its default base by exact version (hadolint does not read ARG defaults)',
    (app) => {
      const dockerfile = readFileSync(join(SAMPLE_APPS, app, 'Dockerfile'), 'utf8');
      expect(dockerfile).toMatch(/^ARG BASE_IMAGE=node:24\.\d+\.\d+-bookworm-slim$/m);
      expect(dockerfile.match(/^FROM \$\{BASE_IMAGE\}/gm)?.length).toBe(2);
    },
  );
});

describe('images built with buildah from a locally made base', () => {
  let blocked: string | null = null;
  let baseImage = '';
  const image = (app: App) => `localhost/greenlight-test/${app}:${RUN_ID}`;
  const containers = new Map<App, string>();
  const configs = new Map<App, ImageConfig>();
  const processes: ChildProcess[] = [];

  beforeAll(async () => {
    if (process.getuid?.() !== 0) {
      blocked = 'not root: debootstrap and buildah --isolation chroot need root here';
    } else if (!existsSync('/usr/bin/buildah') && !existsSync('/usr/bin/apt-get')) {
      blocked = 'buildah is not installed and apt-get is not available to install it';
    }
    if (blocked) {
      tierCannotRun('sample-app-images: the buildah builds', blocked);
      return;
    }
    let startedAt = performance.now();
    const base = await run('bash', [join(SAMPLE_APPS, 'base-image/build-base.sh')], 900_000, {
      ...process.env,
      GREENLIGHT_CACHE: CACHE,
    });
    if (base.code !== 0) throw new Error(`build-base.sh exited ${base.code}:\n${base.stderr.slice(-4000)}`);
    baseImage = base.stdout.trim().split('\n').at(-1) ?? '';
    log(`base image ${baseImage} ready in ${seconds(startedAt)} (${base.stderr.trim().split('\n').at(-1)})`);

    for (const app of APPS) {
      startedAt = performance.now();
      await buildah(
        [
          'bud',
          '--isolation',
          'chroot',
          '--pull=never',
          '--build-arg',
          `BASE_IMAGE=${baseImage}`,
          '--build-arg',
          'REVISION=0123456789abcdef0123456789abcdef01234567',
          '--file',
          join(SAMPLE_APPS, app, 'Dockerfile'),
          '--tag',
          image(app),
          join(SAMPLE_APPS, app),
        ],
        600_000,
      );
      log(`built ${image(app)} in ${seconds(startedAt)}`);
      configs.set(app, readConfig(JSON.parse(await buildah(['inspect', '--type', 'image', image(app)]))));
      containers.set(
        app,
        (await buildah(['from', '--pull-never', '--name', `${app}-${RUN_ID}`, image(app)])).trim(),
      );
    }
  });

  afterAll(async () => {
    // `buildah run` is killed with everything it started (its own process group): killing only
    // buildah would leave the app running under init, still holding its port.
    for (const child of processes.filter((c) => c.exitCode === null && c.pid !== undefined)) {
      const exited = once(child, 'exit');
      process.kill(-(child.pid ?? 0), 'SIGKILL');
      await exited;
    }
    for (const container of containers.values())
      await buildah(['rm', container]).catch((e) => log(String(e)));
    for (const app of APPS) {
      if (configs.has(app)) await buildah(['rmi', image(app)]).catch((e) => log(String(e)));
    }
  });

  it('build-base.sh is idempotent: a second run reuses the cached image', async (ctx) => {
    if (blocked) return ctx.skip(blocked);
    const before = (
      await buildah(['inspect', '--type', 'image', '--format', '{{.FromImageID}}', baseImage])
    ).trim();
    const again = await run('bash', [join(SAMPLE_APPS, 'base-image/build-base.sh')], 120_000, {
      ...process.env,
      GREENLIGHT_CACHE: CACHE,
    });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/up to date/);
    expect(
      (await buildah(['inspect', '--type', 'image', '--format', '{{.FromImageID}}', baseImage])).trim(),
    ).toBe(before);
  });

  it.for(APPS)('%s: non-root numeric user, port, OCI labels, entrypoint', (app, ctx) => {
    if (blocked) return ctx.skip(blocked);
    const config = configs.get(app);
    expect(config?.User).toMatch(/^[1-9]\d*:[1-9]\d*$/);
    expect(Object.keys(config?.ExposedPorts ?? {})).toEqual(app.startsWith('hello-') ? ['8080/tcp'] : []);
    expect(config?.Entrypoint).toEqual(['node', 'src/main.js']);
    expect(config?.WorkingDir).toBe('/app');
    expect(config?.Env).toContain('NODE_ENV=production');
    const labels = config?.Labels ?? {};
    expect(labels['org.opencontainers.image.title']).toBe(TITLES[app]);
    expect(labels['org.opencontainers.image.licenses']).toBe('MIT');
    expect(labels['org.opencontainers.image.version']).toMatch(/^\d+\.\d+\.\d+$/);
    expect(labels['org.opencontainers.image.revision']).toMatch(/^[0-9a-f]{40}$/);
    expect(labels['org.opencontainers.image.base.name']).toBe(baseImage);
    expect(labels['org.opencontainers.image.description']).toBeTruthy();
  });

  it.for(APPS)('%s: /app holds only the manifest, lockfile and src/, owned by root', async (app, ctx) => {
    if (blocked) return ctx.skip(blocked);
    const container = containers.get(app) ?? '';
    const root = (await buildah(['mount', container])).trim();
    try {
      expect(readdirSync(join(root, 'app')).sort()).toEqual(['package-lock.json', 'package.json', 'src']);
      expect(readdirSync(join(root, 'app/src')).sort()).toEqual(
        readdirSync(join(SAMPLE_APPS, app, 'src')).sort(),
      );
      const main = statSync(join(root, 'app/src/main.js'));
      expect([main.uid, main.mode & 0o022]).toEqual([0, 0]);
    } finally {
      await buildah(['umount', container]);
    }
  });

  it('the images run: hello-a and hello-b serve as uid 1000, the suite image passes against them, the probe counts no failure, SIGTERM exits 0', async (ctx) => {
    if (blocked) return ctx.skip(blocked);
    const [portA, portB] = await freePorts(2);
    const urlA = `http://127.0.0.1:${portA}`;
    const urlB = `http://127.0.0.1:${portB}`;
    const common = { HOST: '127.0.0.1', GREENLIGHT_COLOR: 'green', SHUTDOWN_DRAIN_MS: '200' };
    const a = startContainer('hello-a', { ...common, PORT: String(portA) });
    const b = startContainer('hello-b', { ...common, PORT: String(portB), GREENLIGHT_URL_HELLO_A: urlA });
    await Promise.all([waitHealthy(urlA, a), waitHealthy(urlB, b)]);

    const nodeA = await findNode(a.child.pid ?? 0);
    expect(readFileSync(`/proc/${nodeA}/status`, 'utf8')).toMatch(/^Uid:\s+1000\s+1000\s+1000\s+1000$/m);

    const startedAt = performance.now();
    const suite = await runContainer('integration-tests', {
      GREENLIGHT_URL_HELLO_A: urlA,
      GREENLIGHT_URL_HELLO_B: urlB,
      GREENLIGHT_TEST_ATTEMPTS: '3',
    });
    log(`integration-tests image ran in ${seconds(startedAt)}`);
    expect(suite.code, suite.stdout + suite.stderr).toBe(0);
    const junit = suite.stdout
      .split('<!-- greenlight:junit:begin -->\n')[1]
      ?.split('<!-- greenlight:junit:end -->')[0];
    expect(junit).toMatch(
      /<testsuites name="greenlight-integration" tests="8" failures="0" errors="0" skipped="0"/,
    );

    // the switch probe image measures both for a second: every request answered
    const probe = await runContainer('switch-probe', {
      GREENLIGHT_PROBE_TARGETS: `hello-a=${urlA}/healthz hello-b=${urlB}/healthz`,
      GREENLIGHT_PROBE_DURATION_MS: '1000',
    });
    expect(probe.code, probe.stdout + probe.stderr).toBe(0);
    const reports = probe.stdout.split('\n').filter((line) => line.startsWith('greenlight-probe-report '));
    const last = JSON.parse(reports.at(-1)?.slice('greenlight-probe-report '.length) ?? '{}');
    expect(last).toMatchObject({ done: true, failed: 0 });
    expect(last.services['hello-a'].sent).toBeGreaterThan(0);
    expect(last.services['hello-b'].sent).toBeGreaterThan(0);

    for (const service of [a, b]) {
      process.kill(await findNode(service.child.pid ?? 0), 'SIGTERM');
      const [code] = await once(service.child, 'exit');
      expect(code, service.output()).toBe(0);
      expect(service.output()).toMatch(/"msg":"all connections closed"/);
    }
  });

  /** `buildah run` of the app's entrypoint in its container, in the background. */
  function startContainer(app: App, env: Record<string, string>) {
    const child = spawn('buildah', [...STORAGE_FLAGS, ...runArgs(app, env)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // a process group of its own, for the cleanup in afterAll
    });
    processes.push(child);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    return { child, output: () => output };
  }

  function runContainer(app: App, env: Record<string, string>) {
    return run('buildah', [...STORAGE_FLAGS, ...runArgs(app, env)], 120_000);
  }

  function runArgs(app: App, env: Record<string, string>) {
    const envFlags = Object.entries(env).flatMap(([key, value]) => ['--env', `${key}=${value}`]);
    const entrypoint = configs.get(app)?.Entrypoint ?? [];
    return ['run', '--isolation', 'chroot', ...envFlags, containers.get(app) ?? '', '--', ...entrypoint];
  }
});

interface ImageConfig {
  User?: string;
  ExposedPorts?: Record<string, unknown>;
  Entrypoint?: string[];
  WorkingDir?: string;
  Env?: string[];
  Labels?: Record<string, string>;
}

function readConfig(inspect: { OCIv1?: { config?: ImageConfig } }): ImageConfig {
  return inspect.OCIv1?.config ?? {};
}

async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, async () => {
      const server = createServer().listen(0, '127.0.0.1');
      await once(server, 'listening');
      return server;
    }),
  );
  const ports = servers.map((server) => (server.address() as { port: number }).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/** Polls GET /healthz (bounded: 120 tries, 250 ms apart). */
async function waitHealthy(url: string, service: { child: ChildProcess; output: () => string }) {
  for (let attempt = 0; attempt < 120; attempt += 1) {
    if (service.child.exitCode !== null) throw new Error(`container exited early:\n${service.output()}`);
    const status = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) }).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url}/healthz never answered 200:\n${service.output()}`);
}

/** The pid of the `node` process that `buildah run` (pid `ancestor`) started; bounded wait. */
async function findNode(ancestor: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const parents = new Map<number, number>();
    const nodes: number[] = [];
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        // pid (comm) state ppid ...: comm may hold spaces, so split after the last ')'.
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
        // Node names its main thread "MainThread", so go by argv[0], not comm.
        const argv0 = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0')[0] ?? '';
        if (argv0 === 'node' || argv0.endsWith('/node')) nodes.push(Number(entry));
      } catch {
        // the process ended while we read
      }
    }
    for (const pid of nodes) {
      for (let up = parents.get(pid); up !== undefined && up > 1; up = parents.get(up)) {
        if (up === ancestor) return pid;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no node process under pid ${ancestor}`);
}
