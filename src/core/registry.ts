/**
 * What the engine needs from a container registry (ECR or any OCI registry), and the one
 * error type both wrappers report with. `src/registry/` implements it.
 */
import { GreenlightError } from './errors.ts';

export type RegistryErrorKind =
  | 'repository-not-found'
  | 'image-not-found'
  | 'access-denied'
  | 'tag-immutable'
  | 'invalid'
  | 'unavailable';

export class RegistryError extends GreenlightError {
  override name = 'RegistryError';

  readonly registryKind: RegistryErrorKind;

  constructor(kind: RegistryErrorKind, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, { ...options, kind: kind === 'image-not-found' ? 'image-not-found' : 'registry-error' });
    this.registryKind = kind;
  }
}

/** Accept every manifest form, or registries answer with the Docker v2 schema only. */
export const ACCEPTED_MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
];

export interface FoundImage {
  digest: string;
  /** Host (and port) for image references: `<host>/<repository>@<digest>`. */
  host: string;
  /** The commit the image was built from, when the registry tells (a `sha-` tag, the revision label). */
  commit?: string;
}

/** Read-only view of a registry, enough to resolve a group's images. */
export interface ImageRegistry {
  /** For messages: `ECR (us-east-1)`, `registry 127.0.0.1:5000`. */
  readonly description: string;
  /** The image a tag or digest names, or undefined when the registry has no such image. */
  lookup(repository: string, reference: string): Promise<FoundImage | undefined>;
  /** Every tag of a repository; RegistryError `repository-not-found` when it does not exist. */
  listTags(repository: string): Promise<string[]>;
}
