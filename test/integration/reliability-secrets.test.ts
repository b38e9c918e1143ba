/**
 * Secrets never leak (issue 16): the ECR password, a registry password and the GitHub
 * token must not appear in any process's argv, nor in stdout/stderr, job summaries,
 * action outputs, PR comments or commit statuses, in any form test/support/secret-scan.ts
 * looks for (raw, base64, base64url, URL-encoded).
 *
 * Real parts throughout: the action bundles and the CLI run as their own processes while
 * their whole process tree is sampled from /proc (buildah's children included); ECR is
 * moto's, reached by a real `buildah login/build/push` through the ECR registry bridge; the
 * registry password is checked by a real distribution registry with htpasswd auth; the
 * GitHub reports go to the strict GitHub fake. Every case also proves its scan was live:
 * it names the processes it must have sampled, and a control case with a deliberate leak
 * is found where it was planted (findings never carry the secret's value).
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeImagesCommand } from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, describe, expect, inject } from 'vitest';
import { commitTag, lastGoodTag } from '../../src/core/naming.ts';
import { getRegistryLogin } from '../../src/registry/ecr.ts';
import { uniqueName } from '../stack/helpers.ts';
import { type ActionRun, actionBundleCommand } from '../support/action-runner.ts';
import { type EcrRegistryBridge, startEcrRegistryBridge } from '../support/ecr-registry-bridge.ts';
import { cliProcess } from '../support/engine-runs.ts';
import { type FakeGitHub, startFakeGitHub } from '../support/github-api.ts';
import { type GroupFixture, groupFixture } from '../support/group-fixture.ts';
import { type MotoAccount, motoAccountForTest } from '../support/moto-account.ts';
import { type PasswordRegistry, startPasswordRegistry } from '../support/password-registry.ts';
import type { CommandSpec } from '../support/process-group.ts';
import { pushOciImage, sha256 } from '../support/registry.ts';
import { reliabilityCase } from '../support/reliability.ts';
import {
  findSecrets,
  type ProcessSample,
  redact,
  runScanningForSecrets,
  type ScannedRun,
  type SecretFinding,
  type Secrets,
} from '../support/secret-scan.ts';

const stack = inject('stack');
const work = mkdtempSync(join(tmpdir(), 'greenlight-secrets-'));
let account: MotoAccount;
let bridge: EcrRegistryBridge;
let registry: PasswordRegistry;
const storageConf = join(work, 'storage.conf');

/** A secret of the shape real ones have: long, random, with characters base64 and URLs encode. */
const randomSecret = (prefix: string) =>
  `${prefix}${Buffer.from(sha256(`${Date.now()}${Math.random()}`))
    .toString('base64url')
    .slice(0, 32)}`;

beforeAll(async () => {
  account = await motoAccountForTest(stack);
  bridge = await startEcrRegistryBridge({
    registryHost: account.registryHost,
    upstream: stack.registry,
    ecr: account.ecr,
    dir: dirIn('bridge'),
  });
  const storage = dirIn('buildah');
  writeFileSync(
    storageConf,
    `[storage]\ndriver = "vfs"\ngraphroot = "${storage}/root"\nrunroot = "${storage}/runroot"\n`,
  );
  registry = await startPasswordRegistry(dirIn('registry'), {
    username: 'greenlight-ci',
    password: randomSecret('pw+/?&= '),
  });
}, 120_000);

afterAll(async () => {
  await bridge?.close();
  await registry?.close();
  rmSync(work, { recursive: true, force: true });
});

function dirIn(name: string): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** `where: secret (form)`: what a failing assertion shows (never the value). */
const describeFindings = (findings: readonly SecretFinding[]) =>
  findings.map((f) => `${f.where}: ${f.secret} (${f.form}) in "${f.context}"`);

/** The runner consumes `::add-mask::` lines itself; they are checked separately (maskedBeforeUse). */
const withoutMaskCommands = (stdout: string) =>
  stdout
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n');

/** Everything an action run leaves for a person to read, by name. */
function actionTexts(result: ActionRun): Record<string, string> {
  return {
    stdout: withoutMaskCommands(result.stdout),
    stderr: result.stderr,
    GITHUB_OUTPUT: result.outputText,
    GITHUB_STEP_SUMMARY: result.summary,
  };
}

interface ScannedAction {
  scan: ScannedRun;
  result: ActionRun;
  /** argv of every sampled process, stdout (without mask commands), stderr, outputs, summary */
  findings: SecretFinding[];
  /** stdout and stderr with every secret replaced by `***`: what assertion messages may show */
  shown: string;
}

/** Runs an action bundle as the runner does, sampling its process tree; scans all it left. */
async function runActionScanned(
  action: string,
  inputs: Record<string, string>,
  env: Record<string, string>,
  secrets: Secrets,
): Promise<ScannedAction> {
  const prepared = actionBundleCommand(action, inputs, env, 240_000);
  const scan = await runScanningForSecrets(prepared.command, secrets);
  const result = prepared.finish(scan.code, scan.stdout, scan.stderr);
  const findings = [...scan.scan.findings, ...findSecrets(actionTexts(result), secrets)];
  return { scan, result, findings, shown: redact(result.stdout + result.stderr, secrets) };
}

/** The `::add-mask::` of `secret` is in stdout, before the first line `isUse` picks. */
function expectMaskedBeforeUse(stdout: string, secret: string, isUse: (line: string) => boolean): void {
  const lines = stdout.split('\n');
  const mask = lines.indexOf(`::add-mask::${secret}`);
  const use = lines.findIndex(isUse);
  expect(mask, 'the secret was masked (its ::add-mask:: line)').toBeGreaterThanOrEqual(0);
  expect(use, 'the line that uses it').toBeGreaterThanOrEqual(0);
  expect(mask, 'masked before its first use').toBeLessThan(use);
}

const baseName = (path: string | undefined) => (path ?? '').split('/').at(-1) ?? '';

/** The sampled processes running `program` (by file name) with every one of `words` in their argv. */
const sampled = (processes: readonly ProcessSample[], program: string, ...words: string[]) =>
  processes.filter((p) => baseName(p.argv[0]) === program && words.every((word) => p.argv.includes(word)));

/** `sampled` as text, for assertion messages. */
const processList = (processes: readonly ProcessSample[]) =>
  processes.map((p) => p.argv.join(' ')).join('\n');

describe('the ECR password (build-push-ecr, real buildah, moto ECR through the registry bridge)', () => {
  function buildContext(name: string): string {
    const dir = dirIn(`context-${name}`);
    writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\nCOPY hello.txt /hello.txt\n');
    writeFileSync(join(dir, 'hello.txt'), `${name}\n`);
    return dir;
  }

  /** The job's environment: the account's role credentials, buildah's storage, ECR through the bridge. */
  function jobEnv(name: string, commit: string, path?: string): Record<string, string> {
    return {
      AWS_ENDPOINT_URL_ECR: stack.ecrEndpoint,
      AWS_REGION: stack.region,
      AWS_ACCESS_KEY_ID: account.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: account.credentials.secretAccessKey,
      AWS_SESSION_TOKEN: account.credentials.sessionToken,
      HTTP_PROXY: bridge.proxyUrl,
      HTTPS_PROXY: bridge.proxyUrl,
      NO_PROXY: '127.0.0.1,localhost,::1',
      SSL_CERT_FILE: bridge.caFile,
      CONTAINERS_STORAGE_CONF: storageConf,
      REGISTRY_AUTH_FILE: join(dirIn(`auth-${name}`), 'auth.json'),
      BUILDAH_ISOLATION: 'chroot',
      GITHUB_EVENT_NAME: 'push',
      GITHUB_REF_NAME: 'main',
      GITHUB_REF_TYPE: 'branch',
      GITHUB_SHA: commit,
      GITHUB_SERVER_URL: 'https://github.example',
      GITHUB_REPOSITORY: 'acme/hello-a',
      ...(path ? { PATH: path } : {}),
    };
  }

  /** The ECR password as the action will get it, with the token it came in and the role's own keys. */
  async function ecrSecrets(): Promise<{ password: string; secrets: Secrets }> {
    const login = await getRegistryLogin(account.ecr);
    return {
      password: login.password,
      secrets: {
        'ECR password': login.password,
        'ECR authorization token': Buffer.from(`${login.username}:${login.password}`).toString('base64'),
        'AWS secret access key': account.credentials.secretAccessKey,
        'AWS session token': account.credentials.sessionToken,
      },
    };
  }

  async function buildInEcr(name: string, path?: string) {
    const repository = uniqueName(`sec-${name}`);
    await account.createRepositories([repository]);
    const commit = sha256(`${repository}`).slice(7, 47);
    const { password, secrets } = await ecrSecrets();
    const run = await runActionScanned(
      'build-push-ecr',
      { repository, builder: 'buildah', context: buildContext(name) },
      jobEnv(name, commit, path),
      secrets,
    );
    return { repository, commit, password, secrets, run };
  }

  /** The push really happened: the bridge recorded it in ECR, whose last-good tag names the digest output. */
  async function expectPushed(
    repository: string,
    commit: string,
    result: ActionRun,
    secrets: Secrets,
  ): Promise<void> {
    expect(result.exitCode, redact(result.stdout + result.stderr, secrets)).toBe(0);
    const digest = result.outputs.digest ?? '';
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(bridge.pushes).toContainEqual(
      expect.objectContaining({ repository, tag: commitTag(commit), digest }),
    );
    const found = await account.ecr.send(
      new DescribeImagesCommand({
        repositoryName: repository,
        imageIds: [{ imageTag: lastGoodTag('main') }],
      }),
    );
    expect(found.imageDetails?.[0]?.imageDigest).toBe(digest);
  }

  reliabilityCase(
    'secrets.ecr-password',
    async () => {
      const { repository, commit, password, secrets, run } = await buildInEcr('clean');
      await expectPushed(repository, commit, run.result, secrets);
      const { processes } = run.scan.scan;
      for (const step of ['login', 'build', 'push']) {
        expect(
          sampled(processes, 'buildah', step),
          `buildah ${step} sampled:\n${processList(processes)}`,
        ).not.toEqual([]);
      }
      expectMaskedBeforeUse(run.result.stdout, password, (line) =>
        /^\[command\] buildah .*\blogin\b/.test(line),
      );
      expect(describeFindings(run.findings)).toEqual([]);
      return { outcome: 'kept-secret', output: run.shown };
    },
    { timeoutMs: 300_000 },
  );

  reliabilityCase(
    'secrets.ecr-password-control',
    async () => {
      // A leaky buildah: what `buildah login --password VALUE` instead of --password-stdin would do.
      const bin = dirIn('leaky-bin');
      writeFileSync(
        join(bin, 'buildah'),
        [
          '#!/bin/sh',
          'case " $* " in',
          '  *" login "*)',
          '    read -r password',
          '    for arg do',
          '      shift',
          '      if [ "$arg" = --password-stdin ]; then set -- "$@" --password "$password"; else set -- "$@" "$arg"; fi',
          '    done',
          '    exec /usr/bin/buildah "$@" ;;',
          'esac',
          'exec /usr/bin/buildah "$@"',
          '',
        ].join('\n'),
      );
      chmodSync(join(bin, 'buildah'), 0o755);
      const { repository, commit, secrets, run } = await buildInEcr(
        'control',
        `${bin}:${process.env.PATH ?? ''}`,
      );
      await expectPushed(repository, commit, run.result, secrets);
      const leaking = sampled(run.scan.scan.processes, 'buildah', 'login', '--password');
      expect(leaking, processList(run.scan.scan.processes)).not.toEqual([]);
      const wheres = run.findings.filter((f) => f.secret === 'ECR password').map((f) => f.where);
      expect(wheres).toContain(`argv of pid ${leaking[0]?.pid}`);
      expect(JSON.stringify(run.findings)).not.toContain((await ecrSecrets()).password);
      return { outcome: 'observed', output: describeFindings(run.findings).join('\n') };
    },
    { timeoutMs: 300_000 },
  );
});

describe('a registry password (REGISTRY_USERNAME / REGISTRY_PASSWORD, a registry with htpasswd auth)', () => {
  const credentials = () => ({ username: registry.username, password: registry.password });
  const registrySecrets = (): Secrets => ({
    'registry password': registry.password,
    // what the Authorization: Basic header carries
    'registry user:password': `${registry.username}:${registry.password}`,
  });

  /** A group whose images are only in the password registry. */
  async function fixtureInRegistry(): Promise<GroupFixture> {
    const fx = await groupFixture(stack);
    for (const service of ['hello-a', 'hello-b']) {
      await pushOciImage(
        registry.address,
        fx.repositories[service] ?? service,
        [lastGoodTag('master')],
        {},
        credentials(),
      );
    }
    return fx;
  }

  const deploy = (fx: GroupFixture, env: Record<string, string>): CommandSpec =>
    cliProcess(stack, fx, ['deploy', fx.group, '--registry', registry.address, '--timeout', '60s'], { env });

  /** Manifest reads of the group's repositories the registry let through (it refuses them without the password). */
  const authorizedReads = (log: string, fx: GroupFixture) =>
    log
      .split('\n')
      .filter(
        (line) =>
          line.includes('msg="authorized request"') &&
          line.includes(`vars.name=${fx.repositories['hello-a']}`) &&
          /http\.request\.method=(GET|HEAD)/.test(line),
      ).length;

  async function expectReady(fx: GroupFixture): Promise<void> {
    const records = Object.values(await fx.records()) as { phase?: string }[];
    expect(records.map((r) => r.phase)).toEqual(['ready']);
  }

  reliabilityCase(
    'secrets.registry-password.cli',
    async () => {
      const fx = await fixtureInRegistry();
      const logBefore = registry.log().length;
      const run = await runScanningForSecrets(
        deploy(fx, { REGISTRY_USERNAME: registry.username, REGISTRY_PASSWORD: registry.password }),
        registrySecrets(),
      );
      const shown = redact(run.stdout + run.stderr, registrySecrets());
      expect(run.code, shown).toBe(0);
      await expectReady(fx);
      expect(sampled(run.scan.processes, 'node', 'deploy'), processList(run.scan.processes)).not.toEqual([]);
      expect(run.scan.samples).toBeGreaterThan(10);
      expect(
        authorizedReads(registry.log().slice(logBefore), fx),
        'reads the registry authorized',
      ).toBeGreaterThan(0);
      expect(describeFindings(run.findings)).toEqual([]);
      return { outcome: 'kept-secret', output: shown };
    },
    { timeoutMs: 180_000 },
  );

  reliabilityCase(
    'secrets.registry-password.action',
    async () => {
      const fx = await fixtureInRegistry();
      const run = await runActionScanned(
        'deploy-group',
        { group: fx.group, 'groups-dir': fx.dir, registry: registry.address, timeout: '60s' },
        {
          KUBECONFIG: stack.kubeconfig,
          REGISTRY_USERNAME: registry.username,
          REGISTRY_PASSWORD: registry.password,
        },
        registrySecrets(),
      );
      expect(run.result.exitCode, run.shown).toBe(0);
      expect(run.result.outputs.phase).toBe('ready');
      await expectReady(fx);
      expect(sampled(run.scan.scan.processes, 'node'), processList(run.scan.scan.processes)).not.toEqual([]);
      // The password is used from the first step on (resolving the images): masked before anything is logged.
      expectMaskedBeforeUse(
        run.result.stdout,
        registry.password,
        (line) => line !== '' && !line.startsWith('::'),
      );
      expect(describeFindings(run.findings)).toEqual([]);
      return { outcome: 'kept-secret', output: run.shown };
    },
    { timeoutMs: 180_000 },
  );

  reliabilityCase(
    'secrets.registry-password.refused',
    async (trial) => {
      const fx = await fixtureInRegistry();
      const wrong = randomSecret('wrong+/ ');
      const env = trial === 0 ? { REGISTRY_USERNAME: registry.username, REGISTRY_PASSWORD: wrong } : {};
      const secrets = {
        ...registrySecrets(),
        'the wrong password': wrong,
        'user:wrong password': `${registry.username}:${wrong}`,
      };
      const run = await runScanningForSecrets(deploy(fx, env), secrets);
      expect(run.code).toBe(1);
      expect(await fx.records()).toEqual({});
      expect(describeFindings(run.findings)).toEqual([]);
      return { outcome: 'failed-clearly', output: redact(run.stdout + run.stderr, secrets) };
    },
    { timeoutMs: 180_000 },
  );
});

describe('the GitHub token (run-integration reporting to the strict GitHub fake)', () => {
  const COMMIT = 'feed'.padEnd(40, '2');
  /** A second's wait (so the scan samples it), then every variable of its environment, one a line. */
  const PRINT_ENV_SCRIPT =
    'setTimeout(() => { for (const [k, v] of Object.entries(process.env)) console.log(k + "=" + v) }, 1000)';
  const PRINT_ENV = `node -e '${PRINT_ENV_SCRIPT}'`;
  let fake: FakeGitHub | undefined;
  afterAll(async () => {
    await fake?.close();
  });

  /** A deployed group whose tests are a shell command run by the action on the runner. */
  async function reportingRun(command: string, token: string, shell: boolean) {
    fake = await startFakeGitHub({ token });
    fake.addRepository('acme/hello-a');
    fake.addCommit('acme/hello-a', COMMIT);
    const pull = fake.addPullRequest('acme/hello-a', { headRef: 'feature/login', headSha: COMMIT });
    const fx = await groupFixture(stack, {
      services: {
        'hello-a': { branch: 'feature/login', githubRepository: 'acme/hello-a' },
        'hello-b': { calls: ['hello-a'] },
      },
      groupYaml: [
        'integration:',
        `  command: ${JSON.stringify(command)}`,
        ...(shell ? ['  shell: sh'] : []),
        '  urls: in-cluster',
        '  timeout: 60s',
      ].join('\n'),
    });
    await fx.push('hello-a', 'feature/login', COMMIT);
    await fx.push('hello-b');
    const release = await fx.deployJson();
    const secrets: Secrets = { 'GitHub token': token };
    const run = await runActionScanned(
      'run-integration',
      {
        group: fx.group,
        'groups-dir': fx.dir,
        registry: stack.registry,
        'github-token': token,
        'fail-on-failure': 'false',
      },
      {
        KUBECONFIG: stack.kubeconfig,
        GITHUB_API_URL: fake.url,
        GITHUB_SERVER_URL: 'https://github.example',
        GITHUB_REPOSITORY: 'acme/deployments',
        GITHUB_RUN_ID: '16',
      },
      secrets,
    );
    const comments = fake.comments.filter((c) => c.issueNumber === pull.number);
    const statuses = fake.statuses.filter((s) => s.sha === COMMIT);
    const sent = findSecrets(
      {
        'PR comments': JSON.stringify(comments),
        'commit statuses': JSON.stringify(statuses),
        'request paths and queries': JSON.stringify(fake.requests),
      },
      secrets,
    );
    expect(fake.violations).toEqual([]);
    return { run, release, comments, statuses, findings: [...run.findings, ...sent] };
  }

  reliabilityCase(
    'secrets.github-token',
    async () => {
      const token = randomSecret('ghs_');
      // The test command prints its whole environment (a debugging habit): an inherited token would show there.
      const { run, release, comments, statuses, findings } = await reportingRun(PRINT_ENV, token, false);
      expect(run.result.exitCode, run.shown).toBe(0);
      expect(run.result.outputs).toMatchObject({ passed: 'true', 'release-id': release.releaseId });
      expect(statuses.map((s) => [s.context, s.state])).toEqual([
        ['greenlight/team', 'pending'],
        ['greenlight/team', 'success'],
      ]);
      expect(comments).toHaveLength(1);
      expect(comments[0]?.body).toContain(release.releaseId);
      const { processes } = run.scan.scan;
      expect(sampled(processes, 'node', '-e', PRINT_ENV_SCRIPT), processList(processes)).not.toEqual([]);
      expect(run.result.stdout, 'the environment was printed').toContain(
        `GREENLIGHT_RELEASE=${release.releaseId}`,
      );
      expectMaskedBeforeUse(run.result.stdout, token, (line) => line.startsWith('[command] node -e'));
      expect(describeFindings(findings)).toEqual([]);
      return { outcome: 'kept-secret', output: run.shown };
    },
    { timeoutMs: 240_000 },
  );

  reliabilityCase(
    'secrets.github-token-control',
    async () => {
      const token = randomSecret('ghs_');
      // The group file itself leaks the token: into the test command's argv, and its output.
      const { run, findings } = await reportingRun(`echo ${token}; sleep 1`, token, true);
      expect(run.result.exitCode, run.shown).toBe(0);
      const leaking = sampled(run.scan.scan.processes, 'sh', '-c', 'echo ***; sleep 1');
      expect(leaking, processList(run.scan.scan.processes)).not.toEqual([]);
      const wheres = findings.map((f) => f.where);
      expect(wheres).toContain(`argv of pid ${leaking[0]?.pid}`);
      expect(wheres).toContain('stdout');
      expect(JSON.stringify(findings)).not.toContain(token);
      return { outcome: 'observed', output: describeFindings(findings).join('\n') };
    },
    { timeoutMs: 240_000 },
  );
});
