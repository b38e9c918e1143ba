/**
 * buildah command lines, for runners without a Docker daemon. buildah builds into local
 * storage and pushes separately; several platforms make a manifest list, pushed with
 * `buildah manifest push --all`.
 */
import { flag, repeated } from './argv.ts';
import type { BuildahSettings, BuildOptions } from './options.ts';

/** Options of the buildah binary that come before the subcommand. */
function globalArgs(settings: BuildahSettings): string[] {
  return [
    ...flag('--storage-driver', settings.storageDriver),
    ...flag('--root', settings.root),
    ...flag('--runroot', settings.runroot),
  ];
}

function registryArgs(settings: BuildahSettings): string[] {
  return [
    ...(settings.tlsVerify === false ? ['--tls-verify=false'] : []),
    ...flag('--authfile', settings.authFile),
  ];
}

function isMultiPlatform(options: BuildOptions): boolean {
  return options.platforms.length > 1;
}

/** The local name of the built image (or manifest list): its commit tag reference. */
export function localImageName(options: BuildOptions): string {
  const first = options.imageRefs[0];
  if (!first) throw new Error('a build needs at least one image reference');
  return first;
}

export function getBuildahArgs(options: BuildOptions, settings: BuildahSettings = {}): string[] {
  const output = isMultiPlatform(options)
    ? ['--manifest', localImageName(options)]
    : repeated('--tag', options.imageRefs);
  return [
    ...globalArgs(settings),
    'build',
    ...flag('--file', options.dockerfile),
    ...output,
    ...repeated('--label', options.labels),
    ...repeated('--build-arg', options.buildArgs),
    ...flag('--target', options.target),
    ...flag('--platform', options.platforms.length > 0 ? options.platforms.join(',') : undefined),
    ...cacheArgs(options),
    ...flag('--isolation', settings.isolation),
    ...registryArgs(settings),
    options.context,
  ];
}

/** buildah's remote cache is a repository; it tags cache images by a key of each step. */
function cacheArgs(options: BuildOptions): string[] {
  if (!options.cacheRef) return [];
  return [
    '--layers',
    '--cache-from',
    options.cacheRef,
    ...(options.push ? ['--cache-to', options.cacheRef] : []),
  ];
}

/** Pushes the built image (or manifest list) as `ref`; the pushed manifest digest goes to resultFile. */
export function getBuildahPushArgs(
  options: BuildOptions,
  ref: string,
  settings: BuildahSettings = {},
): string[] {
  const subcommand = isMultiPlatform(options) ? ['manifest', 'push', '--all'] : ['push'];
  return [
    ...globalArgs(settings),
    ...subcommand,
    '--digestfile',
    options.resultFile,
    ...registryArgs(settings),
    localImageName(options),
    `docker://${ref}`,
  ];
}

/** `buildah login` reads the password from stdin; it never appears in argv. */
export function getBuildahLoginArgs(
  registry: string,
  username: string,
  settings: BuildahSettings = {},
): string[] {
  return [
    ...globalArgs(settings),
    'login',
    '--username',
    username,
    '--password-stdin',
    ...registryArgs(settings),
    registry,
  ];
}
