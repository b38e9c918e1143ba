/**
 * The label and annotation keys of every object Greenlight writes to a group's namespace.
 * They are a contract with live clusters (selectors, `kubectl -l`, the records of earlier
 * releases), pinned by golden tests: never rename one. Labels carry sanitized forms (for
 * selecting); annotations carry the exact strings (branch names may hold any character
 * git allows).
 */
import type { ImageProvenance } from '../core/cluster.ts';
import { type Color, labelValue } from '../core/naming.ts';

export const LABEL_NAME = 'app.kubernetes.io/name';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const LABEL_GROUP = 'greenlight.dev/group';
export const LABEL_COLOR = 'greenlight.dev/color';
export const LABEL_RELEASE = 'greenlight.dev/release';
/** On Services: `live`, `color` or `preview`. */
export const LABEL_ROLE = 'greenlight.dev/role';
/** On ConfigMaps: `release` for release records. */
export const LABEL_RECORD = 'greenlight.dev/record';
export const LABEL_PHASE = 'greenlight.dev/phase';
/** On test Jobs and their pods. */
export const LABEL_TEST_RUN = 'greenlight.dev/test-run';
/** On switch probe Jobs and their pods. */
export const LABEL_PROBE_RUN = 'greenlight.dev/probe-run';
export const MANAGED_BY = 'greenlight';
/** Set by the EndpointSlice controller on every slice of a Service. */
export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';

export const ANNOTATION_BRANCH = 'greenlight.dev/branch';
export const ANNOTATION_COMMIT = 'greenlight.dev/commit';
export const ANNOTATION_DIGEST = 'greenlight.dev/digest';
export const ANNOTATION_RUN_URL = 'greenlight.dev/run-url';
/** On Services: the hash of the spec Greenlight applied, so an unchanged Service is not written again. */
export const ANNOTATION_SPEC_HASH = 'greenlight.dev/spec-hash';
/** Replicas of the release when the group is up (`greenlight down` scales to 0, `up` back to this). */
export const ANNOTATION_REPLICAS = 'greenlight.dev/replicas';

export const FIELD_MANAGER = 'greenlight';

/** Selects everything Greenlight manages in a namespace. */
export const MANAGED_SELECTOR = `${LABEL_MANAGED_BY}=${MANAGED_BY}`;

/** Labels every object of a service carries. */
export function serviceLabels(service: string, group: string): Record<string, string> {
  return {
    [LABEL_NAME]: labelValue(service),
    [LABEL_MANAGED_BY]: MANAGED_BY,
    [LABEL_GROUP]: labelValue(group),
  };
}

/** Labels of one color's Deployment and pods (the release label says which release put it there). */
export function colorLabels(
  service: string,
  group: string,
  color: Color,
  releaseId: string,
): Record<string, string> {
  return { ...serviceLabels(service, group), [LABEL_COLOR]: color, [LABEL_RELEASE]: labelValue(releaseId) };
}

/**
 * What a Service or a Deployment selects: service and color. Never the release: a
 * Deployment's selector is immutable, and a Service must follow its color across releases.
 */
export function colorSelector(service: string, color: Color): Record<string, string> {
  return { [LABEL_NAME]: labelValue(service), [LABEL_COLOR]: color };
}

export function provenanceAnnotations(provenance: ImageProvenance): Record<string, string> {
  return {
    [ANNOTATION_DIGEST]: provenance.digest,
    ...(provenance.branch === undefined ? {} : { [ANNOTATION_BRANCH]: provenance.branch }),
    ...(provenance.commit === undefined ? {} : { [ANNOTATION_COMMIT]: provenance.commit }),
    ...(provenance.runUrl === undefined ? {} : { [ANNOTATION_RUN_URL]: provenance.runUrl }),
  };
}

/** Reads provenance back from annotations; undefined when the digest annotation is missing. */
export function readProvenance(annotations: Record<string, string> | undefined): ImageProvenance | undefined {
  const digest = annotations?.[ANNOTATION_DIGEST];
  if (!annotations || !digest) return undefined;
  const branch = annotations[ANNOTATION_BRANCH];
  const commit = annotations[ANNOTATION_COMMIT];
  const runUrl = annotations[ANNOTATION_RUN_URL];
  return {
    digest,
    ...(branch === undefined ? {} : { branch }),
    ...(commit === undefined ? {} : { commit }),
    ...(runUrl === undefined ? {} : { runUrl }),
  };
}
