/**
 * The local stack for a person:
 *
 *   npm run stack:up      # starts it detached, prints `export ...` lines
 *   eval "$(npm run -s stack:up)"
 *   npm run stack:down    # stops it and removes its temp dir
 *   node test/stack/cli.ts env     # prints the exports again
 *   node test/stack/cli.ts status
 *
 *   npm run stack:up -- --real-nodes                       # a real node: pods really run (root)
 *   node test/stack/cli.ts forward NAMESPACE/SERVICE[:PORT] # a loopback port relayed into the Service
 *
 * `--name NAME` (or GREENLIGHT_STACK_NAME) runs several side by side; the
 * state lives in $GREENLIGHT_CACHE/stack/<name>/state.json. Test runs start
 * their own stacks in their own temp dirs and never touch these.
 */
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { groupAlive, stopGroups } from './process.ts';
import { teardownRealNode } from './real-nodes/host.ts';
import { relayToService } from './real-nodes/traffic.ts';
import { startStack } from './stack.ts';
import {
  readStackState as readState,
  stackRunning as running,
  stackStatePath as statePath,
  writeStackState,
} from './state-file.ts';
import { MissingToolError } from './tools.ts';
import type { StackInfo } from './types.ts';

function usage(): never {
  process.stderr.write(
    'usage: node test/stack/cli.ts up [--real-nodes]|down|env|status|forward NAMESPACE/SERVICE[:PORT] [--name NAME]\n',
  );
  process.exit(2);
}

interface Args {
  command: string;
  name: string;
  realNodes: boolean;
  /** `forward`'s target */
  target?: string;
}

function parseArgs(argv: string[]): Args {
  const [command, ...rest] = argv;
  let name = process.env.GREENLIGHT_STACK_NAME || 'default';
  let realNodes = false;
  let target: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === '--name' && rest[i + 1]) {
      name = rest[++i] as string;
    } else if (arg?.startsWith('--name=')) {
      name = arg.slice('--name='.length);
    } else if (arg === '--real-nodes' && command === 'up') {
      realNodes = true;
    } else if (command === 'forward' && target === undefined && arg && !arg.startsWith('-')) {
      target = arg;
    } else {
      usage();
    }
  }
  if (!command || !/^[a-z0-9][a-z0-9-]{0,40}$/.test(name)) usage();
  if (command === 'forward' && target === undefined) usage();
  return { command, name, realNodes, ...(target === undefined ? {} : { target }) };
}

function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`;
}

export function exportLines(info: StackInfo): string {
  const env: [string, string][] = [
    ['KUBECONFIG', info.kubeconfig],
    ['AWS_ENDPOINT_URL_ECR', info.ecrEndpoint],
    ['GREENLIGHT_REGISTRY', info.registry],
    ['AWS_REGION', info.region],
    ['AWS_DEFAULT_REGION', info.region],
    ['AWS_ACCESS_KEY_ID', info.awsAccessKeyId],
    ['AWS_SECRET_ACCESS_KEY', info.awsSecretAccessKey],
    ['GREENLIGHT_STACK_DIR', info.dir],
  ];
  return `${env.map(([k, v]) => `export ${k}=${shellQuote(v)}`).join('\n')}\n`;
}

async function down(name: string): Promise<void> {
  const state = readState(name);
  if (!state) {
    process.stderr.write(`stack "${name}" is not running (no ${statePath(name)})\n`);
    return;
  }
  await stopGroups(state.processes.map((p) => p.pid));
  if (state.realNode) await teardownRealNode(state.realNode);
  rmSync(state.info.dir, { recursive: true, force: true });
  rmSync(dirname(statePath(name)), { recursive: true, force: true });
  process.stderr.write(`stack "${name}" stopped; removed ${state.info.dir}\n`);
}

async function up(name: string, realNodes: boolean): Promise<void> {
  const existing = readState(name);
  if (existing) {
    if (running(existing)) {
      process.stderr.write(`stack "${name}" is already running (${existing.info.dir})\n`);
      process.stdout.write(exportLines(existing.info));
      return;
    }
    process.stderr.write(`stack "${name}" left stale state; cleaning it up first\n`);
    await down(name);
  }
  const stack = await startStack({
    label: `greenlight-stack-${name}`,
    lifetime: 'detached',
    realNodes,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  writeStackState(name, stack.state);
  process.stderr.write(
    `stack "${name}" up in ${stack.state.startupSeconds.toFixed(1)}s; logs in ${join(stack.info.dir, 'logs')}\n` +
      `stop it with: npm run stack:down${name === 'default' ? '' : ` -- --name ${name}`}\n` +
      (realNodes
        ? `pods run for real on node ${stack.info.nodeName}; reach a Service from the host with:\n` +
          `  node test/stack/cli.ts forward NAMESPACE/SERVICE${name === 'default' ? '' : ` --name ${name}`}\n`
        : ''),
  );
  process.stdout.write(exportLines(stack.info));
}

/** A detached loopback relay into a Service of a real-node stack; it ends with `stack:down`. */
async function forward(name: string, target: string): Promise<void> {
  const match = /^([a-z0-9-]+)\/([a-z0-9-]+)(?::(\d+))?$/.exec(target);
  if (!match) throw new Error(`forward: expected NAMESPACE/SERVICE[:PORT], got ${JSON.stringify(target)}`);
  const [, namespace = '', service = '', port] = match;
  const state = readState(name);
  if (!state) throw new Error(`stack "${name}" is not running: npm run stack:up -- --real-nodes`);
  const relay = await relayToService(
    state.info,
    { namespace, service, ...(port ? { port: Number(port) } : {}) },
    { detached: true },
  );
  process.stderr.write(
    `relaying ${relay.url} -> service ${namespace}/${service} (pid ${relay.pid}; ends with stack:down)\n`,
  );
  process.stdout.write(`${relay.url}\n`);
}

async function main(): Promise<void> {
  const { command, name, realNodes, target } = parseArgs(process.argv.slice(2));
  switch (command) {
    case 'up':
      return up(name, realNodes);
    case 'forward':
      return forward(name, target ?? '');
    case 'down':
      return down(name);
    case 'env': {
      const state = readState(name);
      if (!state) throw new Error(`stack "${name}" is not running: npm run stack:up`);
      process.stdout.write(exportLines(state.info));
      return;
    }
    case 'status': {
      const state = readState(name);
      if (!state) {
        process.stdout.write(`stack "${name}": not running\n`);
        return;
      }
      process.stdout.write(
        `stack "${name}": ${running(state) ? 'running' : 'NOT all processes alive'} (${state.info.dir})\n`,
      );
      for (const p of state.processes) {
        process.stdout.write(
          `  ${p.name.padEnd(24)} pid ${String(p.pid).padEnd(8)} ${groupAlive(p.pid) ? 'up  ' : 'DOWN'} ${p.log}\n`,
        );
      }
      return;
    }
    default:
      usage();
  }
}

// `... | head` closing the pipe early is not an error
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

main().catch((error: unknown) => {
  const message = error instanceof MissingToolError || error instanceof Error ? error.message : String(error);
  process.stderr.write(`stack: ${message}\n`);
  process.exit(1);
});
