/** Images a group file names besides its services' (the test image, the probe image), resolved to a digest. */
import { EngineError } from '../core/errors.ts';
import type { ImageRegistry } from '../core/ports.ts';

/**
 * `repository:tag` or `repository@digest` as `<host>/<repository>@<digest>`, resolved in
 * the registry like a service's image; `field` names where it came from in the error.
 */
export async function resolveImageReference(
  reference: string,
  field: string,
  images: ImageRegistry,
): Promise<string> {
  const at = reference.indexOf('@');
  const colon = reference.lastIndexOf(':');
  const [repository, ref] =
    at >= 0
      ? [reference.slice(0, at), reference.slice(at + 1)]
      : colon > reference.lastIndexOf('/')
        ? [reference.slice(0, colon), reference.slice(colon + 1)]
        : [reference, 'latest'];
  const found = await images.lookup(repository, ref);
  if (!found) {
    throw new EngineError('image-not-found', `${field}: ${reference} not found in ${images.description}`, {
      hint: `build the image (build-push-ecr) or fix ${field.split(' ').at(-1)}`,
    });
  }
  return `${found.host}/${repository}@${found.digest}`;
}
