/**
 * What one build needs, as plain values: the argv builders (buildx.ts, buildah.ts) turn
 * it into command lines, so the same build can be read in a test table.
 */

export type Builder = 'docker' | 'buildah';
export type BuilderChoice = Builder | 'auto';
export const BUILDER_CHOICES: readonly BuilderChoice[] = ['auto', 'docker', 'buildah'];

export interface BuildOptions {
  context: string;
  /** Undefined: the builder's default, `<context>/Dockerfile` (buildah also finds a Containerfile). */
  dockerfile?: string;
  /** Full references pushed, `<registry>/<repository>:<tag>`; the first is the commit tag. */
  imageRefs: string[];
  /** `key=value`, in order. */
  labels: string[];
  /** `KEY=value`, in order. */
  buildArgs: string[];
  target?: string;
  /** `os/arch[/variant]`; empty: the builder's own platform. */
  platforms: string[];
  push: boolean;
  /** Registry cache: a `repo:tag` reference for buildx, a repository for buildah. */
  cacheRef?: string;
  /** buildx only: attestations make an OCI index plus untagged entries in ECR, so off unless asked. */
  provenance: boolean;
  /** Where the builder writes what the digest is read from (buildx metadata, buildah iidfile). */
  resultFile: string;
}

/** Settings of the buildah binary itself (a runner without a daemon, or the test stack). */
export interface BuildahSettings {
  storageDriver?: string;
  root?: string;
  runroot?: string;
  /** `chroot` where user namespaces are unavailable (containers, CI sandboxes). */
  isolation?: string;
  /** false for a plain-http registry (the local test registry). */
  tlsVerify?: boolean;
  /** Where `buildah login` writes and `buildah push` reads credentials. */
  authFile?: string;
}

export interface ImageMetadata {
  commit: string;
  /** e.g. https://github.com/owner/repo; undefined outside GitHub. */
  sourceUrl: string | undefined;
  created: Date;
  /** The user's own `key=value` labels; they win over Greenlight's. */
  userLabels: string[];
}

/** OCI annotation keys as labels: what registries, consoles and `greenlight status` show. */
export function imageLabels(metadata: ImageMetadata): string[] {
  const ours = [
    `org.opencontainers.image.revision=${metadata.commit}`,
    ...(metadata.sourceUrl ? [`org.opencontainers.image.source=${metadata.sourceUrl}`] : []),
    `org.opencontainers.image.created=${metadata.created.toISOString()}`,
  ];
  const userKeys = new Set(metadata.userLabels.map(labelKey));
  return [...ours.filter((label) => !userKeys.has(labelKey(label))), ...metadata.userLabels];
}

function labelKey(label: string): string {
  return label.slice(0, label.indexOf('='));
}

/** `<registry>/<repository>[:<tag>]`; without a registry (a local build), the bare name. */
export function imageRef(registry: string | undefined, repository: string, tag?: string): string {
  return `${registry ? `${registry}/` : ''}${repository}${tag ? `:${tag}` : ''}`;
}
