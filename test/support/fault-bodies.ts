/**
 * What the fault proxy answers when a rule makes it answer by itself: the error body the
 * real server behind it would send, so a client parses the fault as it parses a real one.
 * Kubernetes sends a `Status` object, the OCI distribution registry an `errors` list, and
 * AWS JSON-1.1 services (ECR, moto) a `__type` object.
 */
import type { ConflictFault, GarbageFault, StatusFault, ThrottleFault } from './fault-rules.ts';
import { summarizeObject } from './kube-object.ts';

/** Which server the proxy stands in front of, and so which error format it speaks. */
export type ServerFlavor = 'kubernetes' | 'oci' | 'aws-json';

export interface ErrorAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface ErrorSpec {
  status: number;
  /** Kubernetes reason; derived from the status when absent */
  reason?: string;
  message?: string;
  retryAfterSeconds?: number;
}

/** The parts of a Kubernetes API path that error messages name. */
export interface KubePath {
  group: string;
  version: string;
  namespace?: string;
  resource: string;
  name?: string;
  subresource?: string;
}

/**
 * `/api/v1/namespaces/ns/configmaps/x` and `/apis/apps/v1/namespaces/ns/deployments/x/status`
 * into their parts; undefined for discovery and other non-resource paths.
 */
export function parseKubePath(path: string): KubePath | undefined {
  const parts = path.split('/').filter((part) => part !== '');
  let group: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    rest = parts.slice(1);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1] ?? '';
    rest = parts.slice(2);
  } else {
    return undefined;
  }
  const [version, ...resourceParts] = rest as [string, ...string[]];
  let namespace: string | undefined;
  // `namespaces/<ns>/<resource>...`; `namespaces/<ns>` alone is the namespace object itself
  if (resourceParts[0] === 'namespaces' && resourceParts.length >= 3) {
    namespace = resourceParts[1];
    resourceParts.splice(0, 2);
  }
  const [resource, name, subresource] = resourceParts;
  if (!resource) return undefined;
  return {
    group,
    version,
    resource,
    ...(namespace !== undefined ? { namespace } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(subresource !== undefined ? { subresource } : {}),
  };
}

const KUBE_REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  410: 'Expired',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** `configmaps` or `deployments.apps`, as the API server qualifies resources in messages. */
function qualifiedResource(path: KubePath): string {
  return path.group ? `${path.resource}.${path.group}` : path.resource;
}

/** The object's name: from the path, else (a create) from the request body's metadata. */
function objectName(path: KubePath | undefined, requestBody: Buffer): string {
  return path?.name ?? summarizeObject(requestBody)?.name ?? '';
}

/** The message the API server itself gives for each kind of error, so clients show familiar text. */
function kubeMessage(spec: ErrorSpec, reason: string, resource: string, name: string): string {
  if (spec.message) return spec.message;
  switch (reason) {
    case 'Conflict':
      return `Operation cannot be fulfilled on ${resource} "${name}": the object has been modified; please apply your changes to the latest version and try again`;
    case 'AlreadyExists':
      return `${resource} "${name}" already exists`;
    case 'TooManyRequests':
      return 'the server has received too many requests and has asked us to try again later (injected by the fault proxy)';
    case 'ServiceUnavailable':
      return 'the server is currently unable to handle the request (injected by the fault proxy)';
    default:
      return `injected by the fault proxy: HTTP ${spec.status}`;
  }
}

function kubernetesError(spec: ErrorSpec, path: string, requestBody: Buffer): ErrorAnswer {
  const parsed = parseKubePath(path);
  const reason = spec.reason ?? KUBE_REASONS[spec.status] ?? 'Unknown';
  const resource = parsed ? qualifiedResource(parsed) : '';
  const name = objectName(parsed, requestBody);
  const details: Record<string, unknown> = {};
  if (name) details.name = name;
  if (parsed?.group) details.group = parsed.group;
  if (parsed) details.kind = parsed.resource;
  if (spec.retryAfterSeconds !== undefined) details.retryAfterSeconds = spec.retryAfterSeconds;
  const status = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: kubeMessage(spec, reason, resource, name),
    reason,
    ...(Object.keys(details).length > 0 ? { details } : {}),
    code: spec.status,
  };
  return {
    status: spec.status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(status),
  };
}

const OCI_CODES: Record<number, string> = {
  401: 'UNAUTHORIZED',
  403: 'DENIED',
  404: 'NAME_UNKNOWN',
  429: 'TOOMANYREQUESTS',
  503: 'UNAVAILABLE',
};

function ociError(spec: ErrorSpec): ErrorAnswer {
  const body = {
    errors: [
      {
        code: OCI_CODES[spec.status] ?? 'UNKNOWN',
        message: spec.message ?? `injected by the fault proxy: HTTP ${spec.status}`,
        detail: null,
      },
    ],
  };
  return { status: spec.status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

const AWS_TYPES: Record<number, string> = {
  400: 'InvalidParameterException',
  409: 'ConflictException',
  429: 'ThrottlingException',
  500: 'ServerException',
  503: 'ServiceUnavailableException',
};

function awsJsonError(spec: ErrorSpec): ErrorAnswer {
  const type = AWS_TYPES[spec.status] ?? 'ServerException';
  return {
    status: spec.status,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type },
    body: JSON.stringify({
      __type: type,
      message: spec.message ?? `injected by the fault proxy: HTTP ${spec.status}`,
    }),
  };
}

/** The error answer the flavor's server would give, with a Retry-After header when asked. */
export function errorAnswer(
  flavor: ServerFlavor,
  spec: ErrorSpec,
  request: { path: string; body: Buffer },
): ErrorAnswer {
  const answer =
    flavor === 'kubernetes'
      ? kubernetesError(spec, request.path, request.body)
      : flavor === 'oci'
        ? ociError(spec)
        : awsJsonError(spec);
  if (spec.retryAfterSeconds !== undefined) answer.headers['retry-after'] = String(spec.retryAfterSeconds);
  return answer;
}

/** Faults the proxy answers by itself, without the server. */
export type AnsweringFault = StatusFault | ThrottleFault | ConflictFault | GarbageFault;

export function isAnsweringFault(fault: { kind: string }): fault is AnsweringFault {
  return ['status', 'throttle', 'conflict', 'garbage'].includes(fault.kind);
}

/** An answer the proxy gives by itself. */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

/** The answer of a fault that answers by itself; `random` feeds garbage bodies. */
export function answerFor(
  flavor: ServerFlavor,
  fault: AnsweringFault,
  request: { path: string; body: Buffer },
  random: () => number,
): Answer {
  const message = fault.kind !== 'garbage' && fault.message ? { message: fault.message } : {};
  switch (fault.kind) {
    case 'status': {
      const retry =
        fault.retryAfterSeconds !== undefined ? { retryAfterSeconds: fault.retryAfterSeconds } : {};
      return errorAnswer(flavor, { status: fault.status, ...message, ...retry }, request);
    }
    case 'throttle':
      return errorAnswer(
        flavor,
        { status: 429, retryAfterSeconds: fault.retryAfterSeconds, ...message },
        request,
      );
    case 'conflict':
      return errorAnswer(flavor, { status: 409, reason: fault.reason ?? 'Conflict', ...message }, request);
    case 'garbage':
      return {
        status: fault.status ?? 200,
        headers: { 'content-type': fault.contentType ?? 'application/json' },
        body: fault.body ?? Buffer.from(Array.from({ length: 256 }, () => Math.floor(random() * 256))),
      };
  }
}
