/**
 * The sample apps' images, built with buildah from a locally made base
 * (sample-apps/base-image/build-base.sh: debootstrap + Node from npm; nothing
 * is pulled) and pushed to the local stack's plain-HTTP registry, so that the
 * real node's containerd pulls them from 127.0.0.1.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir } from '../stack/tools.ts';

const SAMPLE_APPS = fileURLToPath(new URL('../../sample-apps/', import.meta.url));

export type SampleApp = 'hello-a' | 'hello-b' | 'integration-tests' | 'switch-probe';

function storageFlags(): string[] {
  const storage = join(cacheDir(), 'buildah');
  return ['--root', join(storage, 'root'), '--runroot', join(storage, 'runroot'), '--storage-driver', 'vfs'];
}

function run(
  command: string,
  args: string[],
  timeoutMs: number,
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error)
        reject(new Error(`${command} ${args.join(' ')} failed: ${error.message}\n${stderr.slice(-4000)}`));
      else resolve({ stdout, stderr });
    });
  });
}

/** The base image (cached by build-base.sh; the first build takes a few minutes). */
export async function buildBaseImage(): Promise<string> {
  const { stdout } = await run('bash', [join(SAMPLE_APPS, 'base-image', 'build-base.sh')], 900_000);
  const image = stdout.trim().split('\n').at(-1);
  if (!image) throw new Error('build-base.sh printed no image name');
  return image;
}

/**
 * Builds one sample app and pushes it to `registry` (127.0.0.1:PORT) as
 * `<repository>:<tag>` (and each of `extraTags`, as build-push-ecr tags `sha-<commit>`
 * and then the branch's last-good tag); returns the reference a pod can name.
 * `contextDir` builds a changed copy of the app's folder instead of sample-apps/<app>.
 */
export async function buildAndPushSampleApp(options: {
  app: SampleApp;
  baseImage: string;
  registry: string;
  repository: string;
  tag: string;
  extraTags?: readonly string[];
  revision?: string;
  contextDir?: string;
}): Promise<string> {
  const local = `localhost/${options.repository}:${options.tag}`;
  const reference = `${options.registry}/${options.repository}:${options.tag}`;
  const context = options.contextDir ?? join(SAMPLE_APPS, options.app);
  const flags = storageFlags();
  await run(
    'buildah',
    [
      ...flags,
      'bud',
      '--isolation',
      'chroot',
      '--pull=never',
      '--layers=false',
      '--build-arg',
      `BASE_IMAGE=${options.baseImage}`,
      '--build-arg',
      `REVISION=${options.revision ?? ''}`,
      '--file',
      join(context, 'Dockerfile'),
      '--tag',
      local,
      context,
    ],
    900_000,
  );
  try {
    for (const tag of [options.tag, ...(options.extraTags ?? [])]) {
      await run(
        'buildah',
        [
          ...flags,
          'push',
          '--quiet',
          '--tls-verify=false',
          local,
          `docker://${options.registry}/${options.repository}:${tag}`,
        ],
        600_000,
      );
    }
  } finally {
    await run('buildah', [...flags, 'rmi', local], 120_000).catch(() => {});
  }
  return reference;
}
