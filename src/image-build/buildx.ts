/** docker buildx command lines (GitHub-hosted runners, anything with a Docker daemon). */
import { flag, repeated } from './argv.ts';
import type { BuildOptions } from './options.ts';

/** ECR accepts registry cache only as an OCI image manifest, not buildx's default cache index. */
const ECR_CACHE_EXPORT = 'mode=max,image-manifest=true,oci-mediatypes=true';

export function getBuildxArgs(options: BuildOptions): string[] {
  return [
    'buildx',
    'build',
    ...flag('--file', options.dockerfile),
    ...repeated('--tag', options.imageRefs),
    ...repeated('--label', options.labels),
    ...repeated('--build-arg', options.buildArgs),
    ...flag('--target', options.target),
    ...flag('--platform', options.platforms.length > 0 ? options.platforms.join(',') : undefined),
    // Explicit either way: buildx's default depends on the driver and its version.
    `--provenance=${options.provenance}`,
    ...cacheArgs(options),
    '--metadata-file',
    options.resultFile,
    ...(options.push ? ['--push'] : []),
    options.context,
  ];
}

function cacheArgs(options: BuildOptions): string[] {
  if (!options.cacheRef) return [];
  const from = ['--cache-from', `type=registry,ref=${options.cacheRef}`];
  // Without a push nothing else is written to the registry; the cache is not either.
  if (!options.push) return from;
  return [...from, '--cache-to', `type=registry,ref=${options.cacheRef},${ECR_CACHE_EXPORT}`];
}

/** `docker login` reads the password from stdin; it never appears in argv. */
export function getDockerLoginArgs(registry: string, username: string): string[] {
  return ['login', '--username', username, '--password-stdin', registry];
}

/** The digest buildx wrote: the manifest (or index, for several platforms) as pushed. */
export function digestFromBuildxMetadata(metadataJson: string): string | undefined {
  const metadata = JSON.parse(metadataJson) as Record<string, unknown>;
  const digest = metadata['containerimage.digest'];
  return typeof digest === 'string' && digest.startsWith('sha256:') ? digest : undefined;
}
