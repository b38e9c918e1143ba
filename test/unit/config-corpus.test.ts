/**
 * The malformed-config corpus: every file under test/fixtures/groups/bad*, and every kind of
 * bad override, with the exact message a person sees, run through the CLI as they would
 * run it (`main()` with captured output, and a few through the built bundle). The commands
 * get no environment (no AWS or kube settings): nothing may be contacted when the input is invalid.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NODE24, REPO_ROOT } from '../support/action-runner.ts';
import { runCli as cli } from '../support/cli.ts';

const FIXTURES = 'test/fixtures/groups';

/** Fixture -> the exact errors, `@` standing for the fixture's path. */
const CORPUS: [string, string[]][] = [
  ['bad/alias-bomb.yaml', ['@:1:1: refused: aliases expand to more than 100 nodes (a YAML alias bomb?)']],
  [
    'bad/branch-and-tag.yaml',
    ['@:4:5: services.hello-b: expected at most one of branch, tag, digest; got branch and tag'],
  ],
  [
    'bad/branch-dotdot.yaml',
    ['@:3:12: services.hello-b: expected a git branch name, got "feature..login" (it contains "..")'],
  ],
  ['bad/branch-list.yaml', ['@:4:13: services.hello-b.branch: expected a git branch name, got a list']],
  [
    'bad/branch-lock.yaml',
    [
      '@:4:13: services.hello-b.branch: expected a git branch name, got "feature/login.lock" (the part "login.lock" ends with ".lock")',
    ],
  ],
  [
    'bad/branch-number.yaml',
    ['@:4:13: services.hello-b.branch: expected a git branch name, got the number 1.0 (quote it: "1.0")'],
  ],
  [
    'bad/branch-space.yaml',
    ['@:2:16: defaultBranch: expected a git branch name, got "my branch" (it contains a space)'],
  ],
  [
    'bad/cron-fields.yaml',
    [
      '@:5:7: schedule.up: expected a cron expression, got "0 7 * *" (4 fields, expected 5: minute hour day-of-month month day-of-week)',
    ],
  ],
  [
    'bad/cron-name.yaml',
    [
      '@:5:9: schedule.down: expected a cron expression, got "0 20 * * MON-FRX" (day-of-week "MON-FRX": "FRX" is not a day-of-week value)',
    ],
  ],
  [
    'bad/cron-range.yaml',
    [
      '@:5:7: schedule.up: expected a cron expression, got "61 7 * * *" (minute "61": 61 is out of range 0-59)',
    ],
  ],
  ['bad/deep-nesting.yaml', ['@:1:1: invalid YAML: collections are nested too deeply']],
  [
    'bad/digest-invalid.yaml',
    [
      '@:4:13: services.hello-b.digest: expected an image digest, got "sha256:abc" (it must be "sha256:" and 64 lowercase hex digits)',
    ],
  ],
  ['bad/duplicate-namespace.yaml', ['@:2:1: namespace: duplicate key (first given on line 1)']],
  ['bad/duplicate-service.yaml', ['@:5:3: services.hello-a: duplicate key (first given on line 3)']],
  ['bad/empty.yaml', ['@:1:1: expected a map, got nothing']],
  [
    'bad/integration-both.yaml',
    ['@:5:3: integration: expected exactly one of image, command; got image and command'],
  ],
  [
    'bad/integration-timeout.yaml',
    [
      '@:6:12: integration.timeout: expected a duration, got "soon" (write a number and a unit: 250ms, 30s, 10m, 1h)',
    ],
  ],
  [
    'bad/many-errors.yaml',
    [
      '@:1:12: namespace: expected a Kubernetes namespace name, got "-team" (lowercase letters, digits and "-" only, starting and ending with a letter or digit)',
      '@:2:16: defaultBranch: expected a git branch name, got "HEAD" ("HEAD" is not a branch name)',
      '@:5:15: services.hello-a.replicas: expected an integer from 1 to 50, got 51',
      '@:7:5: services.hello-b: expected at most one of branch, tag, digest; got branch and digest',
      '@:7:13: services.hello-b.digest: expected an image digest, got "sha256:abc" (it must be "sha256:" and 64 lowercase hex digits)',
      '@:8:5: services.hello-b.brnch: unknown key; did you mean "branch"?',
      '@:10:3: integration: expected exactly one of image, command; got none',
      '@:10:12: integration.timeout: expected a duration, got "0s" (it must be longer than 0)',
    ],
  ],
  [
    'bad/merge-key.yaml',
    [
      '@:1:1: base: unknown key; expected one of defaultBranch, integration, namespace, promotion, schedule, services',
      '@:6:5: services.hello-a["<<"]: unknown key; YAML merge keys are not supported, write the keys out',
    ],
  ],
  ['bad/missing-namespace.yaml', ['@:1:1: missing required key "namespace"']],
  [
    'bad/namespace-invalid.yaml',
    [
      '@:1:12: namespace: expected a Kubernetes namespace name, got "Team_A" (lowercase letters, digits and "-" only, starting and ending with a letter or digit)',
    ],
  ],
  [
    'bad/namespace-too-long.yaml',
    [
      '@:1:12: namespace: expected a Kubernetes namespace name, got "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" (64 characters, at most 63 allowed)',
    ],
  ],
  ['bad/no-services.yaml', ['@:2:11: services: expected at least 1 entry, got none']],
  [
    'bad/replicas-string.yaml',
    ['@:4:15: services.hello-b.replicas: expected an integer from 1 to 50, got "3"'],
  ],
  [
    'bad/probe-no-image.yaml',
    [
      '@:6:5: promotion.probe: missing required key "image"',
      '@:6:11: promotion.probe.rate: expected an integer from 1 to 200, got 5000',
    ],
  ],
  ['bad/replicas-zero.yaml', ['@:4:15: services.hello-b.replicas: expected an integer from 1 to 50, got 0']],
  ['bad/schedule-no-timezone.yaml', ['@:5:3: schedule: missing required key "timezone"']],
  [
    'bad/tag-invalid.yaml',
    [
      '@:4:10: services.hello-b.tag: expected an image tag, got "-v1" (letters, digits, "_", "." and "-" only, not starting with "." or "-")',
    ],
  ],
  [
    'bad/timezone-typo.yaml',
    [
      '@:6:13: schedule.timezone: expected an IANA time zone, got "Europe/Berln" (unknown time zone); did you mean "Europe/Berlin"?',
    ],
  ],
  ['bad/top-level-list.yaml', ['@:1:1: expected a map, got a list']],
  [
    'bad/two-documents.yaml',
    ['@:4:1: invalid YAML: a config file holds one YAML document; remove the "---" separator'],
  ],
  ['bad/unknown-key.yaml', ['@:1:1: nmespace: unknown key; did you mean "namespace"?']],
  ['bad/unknown-service.yaml', ['@:4:3: services.helo-b: unknown service "helo-b"; did you mean "hello-b"?']],
  [
    'bad/verified-not-list.yaml',
    [
      '@:5:22: promotion.requireVerifiedIn: expected a list, got "master" (a list of one is written [master])',
    ],
  ],
  [
    'bad/verified-self.yaml',
    ['@:5:23: promotion.requireVerifiedIn[0]: a group cannot require its own verification'],
  ],
  [
    'bad/verified-unknown-group.yaml',
    ['@:5:23: promotion.requireVerifiedIn[0]: unknown group "mastr"; did you mean "master"?'],
  ],
  [
    'bad/yaml-syntax.yaml',
    ['@:4:3: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]'],
  ],
  [
    'bad-catalogs/calls-self/services.yaml',
    ['@:5:13: services.hello-a.calls[0]: a service cannot call itself'],
  ],
  [
    'bad-catalogs/calls-unknown/services.yaml',
    ['@:8:13: services.hello-b.calls[0]: unknown service "hello-c"; did you mean "hello-a"?'],
  ],
  [
    'bad-catalogs/env-number/services.yaml',
    [
      '@:6:13: services.hello-a.env.PORT: expected a string, got the number 8080 (quote it: "8080")',
      '@:7:14: services.hello-a.env.DEBUG: expected a string, got the boolean true (quote it: "true")',
    ],
  ],
  [
    'bad-catalogs/env-reserved/services.yaml',
    [
      '@:6:7: services.hello-a.env.GREENLIGHT_URL_HELLO_B: expected an environment variable name as the key, got "GREENLIGHT_URL_HELLO_B" (the GREENLIGHT_ prefix is reserved for the variables Greenlight sets)',
    ],
  ],
  [
    'bad-catalogs/missing-repository/services.yaml',
    ['@:3:5: services.hello-a: missing required key "repository"'],
  ],
  [
    'bad-catalogs/prestop-range/services.yaml',
    ['@:5:26: services.hello-a.preStopSleepSeconds: expected an integer from 0 to 120, got 600'],
  ],
  [
    'bad-catalogs/port-range/services.yaml',
    ['@:4:11: services.hello-a.port: expected an integer from 1 to 65535, got 80800'],
  ],
  [
    'bad-catalogs/probe-path/services.yaml',
    ['@:5:20: services.hello-a.readinessPath: expected an HTTP path, got "readyz" (it must start with "/")'],
  ],
  [
    'bad-catalogs/replicas-range/services.yaml',
    ['@:5:15: services.hello-a.replicas: expected an integer from 1 to 50, got 500'],
  ],
  [
    'bad-catalogs/repository-invalid/services.yaml',
    [
      '@:3:17: services.hello-a.repository: expected a repository name, got "Hello/A" (lowercase path segments of letters and digits separated by ".", "_", "__" or "-", joined by "/")',
    ],
  ],
  [
    'bad-catalogs/resources-invalid/services.yaml',
    [
      '@:6:24: services.hello-a.resources.requests.cpu: expected a CPU quantity, got "lots" (use millicores like 250m or cores like 1 or 0.5)',
      '@:6:38: services.hello-a.resources.requests.memory: expected a memory quantity, got "64MB" (use a size like 64Mi, 1Gi or 500M)',
      '@:7:7: services.hello-a.resources.limit: unknown key; did you mean "limits"?',
    ],
  ],
  [
    'bad-catalogs/service-name-invalid/services.yaml',
    [
      '@:2:3: services.Hello_A: expected a service name as the key, got "Hello_A" (lowercase letters, digits and "-" only, starting with a letter and ending with a letter or digit)',
    ],
  ],
  [
    'bad-catalogs/service-type-typo/services.yaml',
    [
      '@:5:18: services.hello-a.serviceType: expected one of ClusterIP, NodePort, LoadBalancer, got "LoadBalancr"; did you mean "LoadBalancer"?',
    ],
  ],
];

/** Group fixtures are checked against bad/services.yaml; catalog fixtures are their directory's catalog. */
function validateArgs(fixture: string): string[] {
  if (fixture.startsWith('bad/'))
    return ['validate', '--groups-dir', `${FIXTURES}/bad`, `${FIXTURES}/${fixture}`];
  return ['validate', '--groups-dir', `${FIXTURES}/${fixture.replace(/\/services\.yaml$/, '')}`];
}

describe('the malformed-config corpus', () => {
  it('covers every fixture file', () => {
    const groupFixtures = readdirSync(join(REPO_ROOT, FIXTURES, 'bad'))
      .filter((file) => !['services.yaml', 'master.yaml'].includes(file))
      .map((file) => `bad/${file}`);
    const catalogFixtures = readdirSync(join(REPO_ROOT, FIXTURES, 'bad-catalogs')).map(
      (dir) => `bad-catalogs/${dir}/services.yaml`,
    );
    expect(CORPUS.map(([fixture]) => fixture).sort()).toEqual([...groupFixtures, ...catalogFixtures].sort());
  });

  it.each(CORPUS)('%s', async (fixture, expected) => {
    const run = await cli(validateArgs(fixture));
    const path = `${FIXTURES}/${fixture}`;
    const lines = run.stderr.trimEnd().split('\n');
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(lines.slice(0, -1)).toEqual(expected.map((line) => line.replace(/^@/, path)));
    const count = expected.length;
    expect(lines.at(-1)).toMatch(new RegExp(`^${count} error${count === 1 ? '' : 's'} in 1 of \\d+ files$`));
  });
});

describe('files refused before parsing, and across files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'greenlight-corpus-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const catalog = 'services:\n  hello-a:\n    repository: hello-a\n    port: 8080\n';

  beforeAll(() => writeFileSync(join(dir, 'services.yaml'), catalog));

  it('refuses a huge file by its size, without parsing it', async () => {
    const huge = `namespace: team-a\nservices:\n  hello-a:\n#${'x'.repeat(300_000)}\n`;
    writeFileSync(join(dir, 'huge.yaml'), huge);
    const run = await cli(['validate', '--groups-dir', dir, join(dir, 'huge.yaml')]);
    expect(run.code).toBe(1);
    expect(run.stderr.split('\n')[0]).toBe(
      `${join(dir, 'huge.yaml')}:1:1: file is ${Buffer.byteLength(huge)} bytes, larger than the 262144 bytes a config may have`,
    );
    rmSync(join(dir, 'huge.yaml'));
  });

  it('reports a missing file', async () => {
    const run = await cli(['validate', '--groups-dir', dir, join(dir, 'nope.yaml')]);
    expect(run.code).toBe(1);
    expect(run.stderr.split('\n')[0]).toBe(`${join(dir, 'nope.yaml')}:1:1: file not found`);
  });

  it('refuses two groups sharing one namespace, pointing at the second', async () => {
    writeFileSync(join(dir, 'a.yaml'), 'namespace: shared\nservices:\n  hello-a:\n');
    writeFileSync(join(dir, 'b.yaml'), '# b\nnamespace: shared\nservices:\n  hello-a:\n');
    const run = await cli(['validate', '--groups-dir', dir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `${join(dir, 'b.yaml')}:2:12: namespace: "shared" is also the namespace of group a (${join(dir, 'a.yaml')}); each group needs a namespace of its own\n` +
        '1 error in 1 of 3 files\n',
    );
    rmSync(join(dir, 'a.yaml'));
    rmSync(join(dir, 'b.yaml'));
  });
});

describe('overrides', () => {
  const plan = (...sets: string[]) =>
    cli(['plan', 'login-feature', '--groups-dir', 'groups', ...sets.flatMap((set) => ['--set', set])]);

  it.each([
    [['hello-c=main'], '--set "hello-c=main": unknown service "hello-c"; did you mean "hello-a"?'],
    [['hello-b'], '--set "hello-b": expected service=branch, got no "="'],
    [['=main'], '--set "=main": expected service=branch, got no service before "="'],
    [
      ['hello-b=feature..login'],
      '--set "hello-b=feature..login": expected a git branch name, got "feature..login" (it contains "..")',
    ],
    [
      ['hello-b=feature/x.lock'],
      '--set "hello-b=feature/x.lock": expected a git branch name, got "feature/x.lock" (the part "x.lock" ends with ".lock")',
    ],
    [['hello-b='], '--set "hello-b=": expected a git branch name, got "" (it is empty)'],
    [['hello-b=a', 'hello-b=b'], '--set "hello-b=b": service "hello-b" is overridden twice'],
    [
      ['hello-b=-x', 'nope=y'],
      '--set "hello-b=-x": expected a git branch name, got "-x" (it starts with "-")\n' +
        '--set "nope=y": unknown service "nope"; expected a service of group login-feature: hello-a, hello-b',
    ],
  ])('--set %j', async (sets, message) => {
    const run = await plan(...sets);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `greenlight plan: ${message}\n  hint: write each override as service=branch, e.g. hello-b=feature/login\n`,
    );
  });

  it('names a catalog service that is not in the group as such', async () => {
    const run = await cli(['plan', 'x', '--groups-dir', `${FIXTURES}/overrides`, '--set', 'hello-b=main']);
    expect(run.stderr.split('\n')[0]).toBe(
      'greenlight plan: --set "hello-b=main": service "hello-b" is not in group x (its services: hello-a)',
    );
  });

  it('reports config errors before override errors, and both before contacting anything', async () => {
    const run = await cli(['plan', 'unknown-key', '--groups-dir', `${FIXTURES}/bad`, '--set', 'hello-c=x']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `greenlight plan: ${FIXTURES}/bad/unknown-key.yaml:1:1: nmespace: unknown key; did you mean "namespace"?\n`,
    );
  });
});

describe('usage errors', () => {
  it.each([
    [['validate', '--group-dir', 'x'], "Unknown option '--group-dir'"],
    [['plan'], 'expected exactly one GROUP'],
    [['plan', 'a', 'b'], 'expected exactly one GROUP'],
    [['plan', 'master', '--json', '--markdown'], '--json and --markdown exclude each other'],
  ])('%j exits 2', async (args, message) => {
    const run = await cli(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).toContain('Usage: greenlight');
  });
});

describe('the built CLI bundle', () => {
  const bundle = (args: string[]) =>
    spawnSync(NODE24, [join(REPO_ROOT, 'bin/greenlight.js'), ...args], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '' },
      timeout: 30_000,
    });

  it.each([
    ['bad/many-errors.yaml'],
    ['bad/alias-bomb.yaml'],
    ['bad/yaml-syntax.yaml'],
    ['bad-catalogs/env-number/services.yaml'],
  ])('prints the same errors for %s', async (fixture) => {
    const inProcess = await cli(validateArgs(fixture));
    const built = bundle(validateArgs(fixture));
    expect(built.status).toBe(1);
    expect(built.stderr).toBe(inProcess.stderr);
  });

  it('validates the shipped groups', () => {
    const built = bundle(['validate']);
    expect(built.stderr).toBe('');
    expect(built.stdout).toBe(
      'ok: 3 files valid (groups/services.yaml, groups/login-feature.yaml, groups/master.yaml)\n',
    );
    expect(built.status).toBe(0);
  });

  it('reports bad overrides through the bundle', () => {
    const built = bundle(['plan', 'master', '--set', 'hello-b=a b']);
    expect(built.status).toBe(1);
    expect(built.stderr.split('\n')[0]).toBe(
      'greenlight plan: --set "hello-b=a b": expected a git branch name, got "a b" (it contains a space)',
    );
  });
});
