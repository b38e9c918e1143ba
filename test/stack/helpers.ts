/**
 * Small helpers for tests that run against the local stack (`inject('stack')`).
 * The stack is shared by every test file of a run: isolate by unique names.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { onTestFinished } from 'vitest';
import { kubectlPath } from './tools.ts';
import type { StackInfo } from './types.ts';

/** A name no other test (or run) uses: `<prefix>-<time>-<random>`, valid as a namespace / DNS label (<= 63). */
export function uniqueNamespace(prefix: string): string {
  const clean = prefix
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const suffix = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  return `${clean.slice(0, 63 - suffix.length - 1) || 't'}-${suffix}`;
}

/** Same rule, for ECR repository and registry image names. */
export const uniqueName = uniqueNamespace;

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs kubectl against the stack, as an independent client (the kubectl built
 * at the stack's version, else the machine's /usr/bin/kubectl: see kubectlPath).
 * Throws on a non-zero exit unless `allowFailure`; bounded by `timeoutMs` (default 60 s).
 */
export function kubectl(
  stack: StackInfo,
  args: string[],
  options: { input?: string; allowFailure?: boolean; timeoutMs?: number } = {},
): Promise<CommandResult> {
  return runCommand(kubectlPath(), [`--kubeconfig=${stack.kubeconfig}`, ...args], options);
}

export function runCommand(
  command: string,
  args: string[],
  options: {
    input?: string;
    allowFailure?: boolean;
    timeoutMs?: number;
    env?: NodeJS.ProcessEnv;
    cwd?: string;
  } = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args,
      {
        timeout: options.timeoutMs ?? 60_000,
        maxBuffer: 64 * 1024 * 1024,
        ...(options.env ? { env: options.env } : {}),
        ...(options.cwd ? { cwd: options.cwd } : {}),
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        const result = { code, stdout, stderr };
        if (error && !options.allowFailure) {
          reject(
            new Error(
              `${command} ${args.join(' ')} failed (${error.message.split('\n')[0]}):\n${stderr}${stdout}`,
            ),
          );
        } else {
          resolve(result);
        }
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** A @kubernetes/client-node KubeConfig for the stack's admin (client certificate). */
export function adminKubeConfig(stack: StackInfo): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(stack.kubeconfig);
  return kc;
}

export interface TestNamespace {
  name: string;
  /** Asks the API to delete the namespace (does not wait for it to be gone). */
  delete(): Promise<void>;
}

/**
 * Creates a namespace with a unique name and waits until its `default`
 * ServiceAccount exists (pods are refused before that). Delete it yourself, or
 * use {@link namespaceForTest}.
 */
export async function createNamespace(stack: StackInfo, prefix: string): Promise<TestNamespace> {
  const name = uniqueNamespace(prefix);
  await kubectl(stack, ['create', 'namespace', name]);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await kubectl(stack, ['get', 'serviceaccount', 'default', '-n', name, '-o', 'name'], {
      allowFailure: true,
    });
    if (res.code === 0) break;
    if (Date.now() > deadline)
      throw new Error(`namespace ${name}: ServiceAccount default not created within 30s`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    name,
    delete: async () => {
      await kubectl(stack, ['delete', 'namespace', name, '--wait=false', '--ignore-not-found']);
    },
  };
}

/** Inside a test: a fresh namespace that is deleted when the test finishes, passed or failed. */
export async function namespaceForTest(stack: StackInfo, prefix: string): Promise<string> {
  const ns = await createNamespace(stack, prefix);
  onTestFinished(() => ns.delete());
  return ns.name;
}

/**
 * Polls `probe` until it returns a value that is not undefined, or throws after
 * `timeoutMs` with `what` and the last value seen. Loops are bounded in time.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  options: { timeoutMs?: number; intervalMs?: number; describe?: () => Promise<string> } = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      const detail = options.describe ? `\n${await options.describe()}` : '';
      throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${detail}`);
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 200));
  }
}

/** Environment for AWS SDK clients and CLIs pointed at the stack's moto. */
export function awsEnv(stack: StackInfo): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_ECR: stack.ecrEndpoint,
    AWS_REGION: stack.region,
    AWS_DEFAULT_REGION: stack.region,
    AWS_ACCESS_KEY_ID: stack.awsAccessKeyId,
    AWS_SECRET_ACCESS_KEY: stack.awsSecretAccessKey,
  };
}

/**
 * A kubeconfig for a ServiceAccount (created here) in `namespace`, with a short-lived
 * token from the TokenRequest API: what a CI identity bound to a Role looks like.
 */
export async function serviceAccountKubeconfig(
  stack: StackInfo,
  dir: string,
  namespace: string,
  account: string,
  contextNamespace?: string,
): Promise<string> {
  const core = adminKubeConfig(stack).makeApiClient(CoreV1Api);
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: account } } });
  const token = await core.createNamespacedServiceAccountToken({
    name: account,
    namespace,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const kubeconfig = join(dir, `${namespace}-${account}.kubeconfig`);
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        { name: 'stack', cluster: { server: stack.apiServerUrl, 'certificate-authority': stack.caFile } },
      ],
      users: [{ name: account, user: { token: token.status?.token } }],
      contexts: [
        {
          name: account,
          context: {
            cluster: 'stack',
            user: account,
            ...(contextNamespace ? { namespace: contextNamespace } : {}),
          },
        },
      ],
      'current-context': account,
    }),
  );
  return kubeconfig;
}
