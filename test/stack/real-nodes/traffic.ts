/**
 * Ways to send requests to the real node's pods and Services, all of which stay
 * inside the node's network namespace or the host's loopback:
 *
 * - `requestInNode(stack, url)`: one GET from inside the namespace (Node's fetch
 *   under nsenter), e.g. to a Service's ClusterIP, through kube-proxy;
 * - `relayToService(stack, {namespace, service})`: a loopback port on the host
 *   that relays into the Service's ClusterIP, for a person's curl or a browser;
 * - load.ts: a steady, bounded load from inside the namespace.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kubectlPath } from '../tools.ts';
import type { StackInfo } from '../types.ts';
import { inNodeCgroup, run } from './host.ts';

const CLIENT = fileURLToPath(new URL('./netns-client.ts', import.meta.url));

export interface InNodeResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A command line that runs `command` in the node's network namespace (only; not its mounts). */
export function inNamespace(netns: string, command: string, args: string[]): [string, string[]] {
  return ['nsenter', [`--net=/run/netns/${netns}`, '--', command, ...args]];
}

/** One GET from inside the namespace; throws with the client's error (refused, timed out, ...). */
export async function fetchInNamespace(
  netns: string,
  url: string,
  options: { timeoutMs?: number } = {},
): Promise<InNodeResponse> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const [command, args] = inNamespace(netns, process.execPath, [CLIENT, url, String(timeoutMs)]);
  const result = await run(command, args, { timeoutMs: timeoutMs + 10_000, allowFailure: true });
  const line = result.stdout.trim().split('\n').at(-1) ?? '';
  let parsed: Partial<InNodeResponse> & { error?: string };
  try {
    parsed = JSON.parse(line) as typeof parsed;
  } catch {
    throw new Error(
      `GET ${url} in ${netns}: no answer from the client (exit ${result.code}): ${result.stderr}`,
    );
  }
  if (parsed.error !== undefined || parsed.status === undefined) {
    throw new Error(`GET ${url} in ${netns} failed: ${parsed.error ?? 'no status'}`);
  }
  return { status: parsed.status, headers: parsed.headers ?? {}, body: parsed.body ?? '' };
}

/** The node's namespace of a real-node stack; a clear error for a kwok stack. */
export function nodeOf(stack: StackInfo): NonNullable<StackInfo['realNode']> {
  if (!stack.realNode) {
    throw new Error(
      'this stack has no real node: start it with startStack({ realNodes: true }) or stack:up --real-nodes',
    );
  }
  return stack.realNode;
}

export function requestInNode(stack: StackInfo, url: string, options: { timeoutMs?: number } = {}) {
  return fetchInNamespace(nodeOf(stack).netns, url, options);
}

/**
 * Waits (bounded) until `url` answers 200 from inside the node. kube-proxy follows a new
 * Service (or new endpoints) a little after the API has them; until then its ClusterIP
 * refuses connections, which a measurement must not count as the switch's.
 */
export async function untilAnswering(stack: StackInfo, url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await requestInNode(stack, url, { timeoutMs: 2000 }).catch((error: unknown) => error);
    if (!(answer instanceof Error) && (answer as InNodeResponse).status === 200) return;
    if (Date.now() > deadline) {
      throw new Error(
        `${url} did not answer 200 within ${timeoutMs / 1000}s: ${answer instanceof Error ? answer.message : (answer as InNodeResponse).status}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** A Service's ClusterIP and its first port (or the named one), read with kubectl. */
export async function serviceAddress(
  stack: StackInfo,
  namespace: string,
  service: string,
  port?: number,
): Promise<{ ip: string; port: number }> {
  // kubectl, not a client of ours; run directly (helpers.ts is for tests: it imports vitest)
  const res = await run(kubectlPath(), [
    `--kubeconfig=${stack.kubeconfig}`,
    'get',
    'service',
    service,
    '-n',
    namespace,
    '-o',
    'json',
  ]);
  const spec = (JSON.parse(res.stdout) as { spec: { clusterIP: string; ports: { port: number }[] } }).spec;
  const chosen = port ?? spec.ports[0]?.port;
  if (!spec.clusterIP || spec.clusterIP === 'None' || chosen === undefined) {
    throw new Error(`service ${namespace}/${service} has no ClusterIP and port`);
  }
  return { ip: spec.clusterIP, port: chosen };
}

export interface Relay {
  /** http://127.0.0.1:PORT */
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * A relay from a free port on the host's loopback into a Service's ClusterIP
 * (through kube-proxy, as a client in the cluster would). It runs in the node's
 * cgroup, so the node's teardown ends it too; its output goes to a log in the
 * stack's logs dir. `detached` keeps it after this process exits (`stack:up`).
 */
export async function relayToService(
  stack: StackInfo,
  target: { namespace: string; service: string; port?: number },
  options: { detached?: boolean } = {},
): Promise<Relay> {
  const node = nodeOf(stack);
  const { ip, port } = await serviceAddress(stack, target.namespace, target.service, target.port);
  const [command, args] = inNodeCgroup(node.cgroup, node.relayPath, [
    `--netns=/run/netns/${node.netns}`,
    `--into-netns=127.0.0.1:0=${ip}:${port}`,
    `--allow=${node.serviceCidr}`,
  ]);
  const logFile = join(stack.dir, 'logs', `relay-${target.namespace}-${target.service}-${Date.now()}.log`);
  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(command, args, { stdio: ['ignore', fd, fd], detached: options.detached ?? false });
  } finally {
    closeSync(fd);
  }
  if (options.detached) child.unref();
  const listen = await boundAddress(child, logFile);
  return {
    url: `http://${listen}`,
    pid: child.pid ?? 0,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Reads the relay's `{"direction":"into-netns","listen":...}` line from its log; bounded by 10 s. */
async function boundAddress(child: ChildProcess, logFile: string): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const output = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
    const line = output.split('\n').find((candidate) => candidate.includes('"into-netns"'));
    if (line) return (JSON.parse(line) as { listen: string }).listen;
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      throw new Error(`relay did not start (${logFile}): ${output.trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
