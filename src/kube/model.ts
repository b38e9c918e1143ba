/**
 * The names, labels and annotations of every object Greenlight writes to a group's
 * namespace. The blue/green engine writes exactly these and `plan`/`status` read them, so
 * they live in one place. Labels carry sanitized forms (for selecting); annotations carry
 * the exact strings (branch names may hold any character git allows).
 */
import { type Color, deploymentName, labelValue, previewServiceName } from '../core/naming.ts';

export const LABEL_NAME = 'app.kubernetes.io/name';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const LABEL_GROUP = 'greenlight.dev/group';
export const LABEL_COLOR = 'greenlight.dev/color';
export const LABEL_RELEASE = 'greenlight.dev/release';
export const MANAGED_BY = 'greenlight';

export const ANNOTATION_BRANCH = 'greenlight.dev/branch';
export const ANNOTATION_COMMIT = 'greenlight.dev/commit';
export const ANNOTATION_DIGEST = 'greenlight.dev/digest';
export const ANNOTATION_RUN_URL = 'greenlight.dev/run-url';

/** Selects everything Greenlight manages in a namespace. */
export const MANAGED_SELECTOR = `${LABEL_MANAGED_BY}=${MANAGED_BY}`;

/** The Deployment of one color: `<svc>-blue`, `<svc>-green`. */
export function colorDeploymentName(service: string, color: Color): string {
  return deploymentName(service, color);
}

/** The live Service: its selector includes the live color; callers outside the group use it. */
export function liveServiceName(service: string): string {
  return service;
}

/** The Service fixed on one color: what services of the same color call. */
export function colorServiceName(service: string, color: Color): string {
  return `${service}-${color}`;
}

/** In-cluster URL of one of the group's Services. */
export function inClusterUrl(serviceName: string, namespace: string, port: number): string {
  return `http://${serviceName}.${namespace}.svc.cluster.local:${port}`;
}

/** In-cluster URL of a service on one color: group members call each other this way. */
export function colorServiceUrl(service: string, color: Color, namespace: string, port: number): string {
  return inClusterUrl(colorServiceName(service, color), namespace, port);
}

/** In-cluster URL of the preview Service: the standby color, where tests reach the candidate. */
export function previewServiceUrl(service: string, namespace: string, port: number): string {
  return inClusterUrl(previewServiceName(service), namespace, port);
}

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

/** What a Deployment records about the image it runs. */
export interface ImageProvenance {
  branch?: string;
  commit?: string;
  digest: string;
  runUrl?: string;
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
