/**
 * GitHub's own description of its REST API (`@octokit/openapi`, the api.github.com document),
 * made usable by the strict fake: every operation as a route (method + path template), and
 * ajv validators (with formats) for parameters, request bodies and responses, compiled on
 * first use against the document's components.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import formatsPlugin from 'ajv-formats';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  schema: JsonObject;
  multiSegment: boolean;
}

export interface Operation {
  operationId: string;
  method: string;
  template: string;
  parameters: Parameter[];
  requestBody?: { required: boolean; schema: JsonObject };
  /** Status code -> JSON schema of the body, or null where the status has no JSON body. */
  responses: Map<string, JsonObject | null>;
}

export interface RouteMatch {
  operation: Operation;
  pathParams: Record<string, string>;
}

const SCHEMA_ID = 'github';
const require = createRequire(import.meta.url);

/** The api.github.com description's file inside the npm package. */
export function descriptionFile(): string {
  return join(dirname(require.resolve('@octokit/openapi/package.json')), 'generated', 'api.github.com.json');
}

export class GitHubDescription {
  readonly document: JsonObject;
  readonly operations: Operation[];
  readonly #ajv: Ajv;
  readonly #validators = new Map<string, ValidateFunction>();
  /** Templates split in segments, the most literal first, so `/issues/comments/{id}` wins over `/issues/{number}/...`. */
  readonly #routes: { operation: Operation; segments: string[] }[];

  constructor(document: JsonObject) {
    this.document = document;
    this.#ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
    formatsPlugin.default(this.#ajv);
    this.#ajv.addSchema({ components: document.components ?? {} }, SCHEMA_ID);
    this.operations = readOperations(document, (ref) => this.resolve(ref));
    this.#routes = this.operations
      .map((operation) => ({ operation, segments: operation.template.split('/').slice(1) }))
      .sort((a, b) => literalRank(b.segments) - literalRank(a.segments));
  }

  /** Follows a local `$ref` (`#/components/...`). */
  resolve(ref: string): JsonObject {
    let node: Json = this.document;
    for (const key of ref.replace(/^#\//, '').split('/')) {
      node = node !== null && typeof node === 'object' && !Array.isArray(node) ? (node[key] ?? null) : null;
    }
    if (node === null || typeof node !== 'object' || Array.isArray(node))
      throw new Error(`unresolvable ${ref}`);
    return node;
  }

  /** The operation a request names, with its path parameters (still percent-encoded). */
  match(method: string, pathname: string): RouteMatch | undefined {
    const segments = pathname.split('/').slice(1);
    for (const route of this.#routes) {
      if (route.operation.method !== method.toLowerCase()) continue;
      const pathParams = matchSegments(route.segments, segments, route.operation);
      if (pathParams) return { operation: route.operation, pathParams };
    }
    return undefined;
  }

  /** Errors of `value` against `schema` (a schema of the document, local refs allowed), `[]` when valid. */
  validate(key: string, schema: JsonObject, value: unknown): string[] {
    let validator = this.#validators.get(key);
    if (!validator) {
      validator = this.#ajv.compile(rebase(schema) as object);
      this.#validators.set(key, validator);
    }
    if (validator(value)) return [];
    return (validator.errors ?? []).slice(0, 10).map((error) => {
      const where = error.instancePath || '(root)';
      const params = JSON.stringify(error.params);
      return `${where} ${error.message ?? 'is invalid'} ${params}`;
    });
  }
}

let loaded: GitHubDescription | undefined;

/** The description, parsed once per process (13 MB of JSON, about 0.3 s). */
export function gitHubDescription(): GitHubDescription {
  loaded ??= new GitHubDescription(JSON.parse(readFileSync(descriptionFile(), 'utf8')) as JsonObject);
  return loaded;
}

function literalRank(segments: string[]): number {
  // Earlier literal segments weigh more: compare templates segment by segment.
  return segments.reduce(
    (rank, segment, index) => rank + (segment.startsWith('{') ? 0 : 2 ** (20 - index)),
    0,
  );
}

function matchSegments(
  template: string[],
  actual: string[],
  operation: Operation,
): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let index = 0; index < template.length; index += 1) {
    const part = template[index] ?? '';
    const value = actual[index];
    if (value === undefined || value === '') return undefined;
    if (!part.startsWith('{')) {
      if (part !== value) return undefined;
      continue;
    }
    const name = part.slice(1, -1);
    const multi = operation.parameters.find((parameter) => parameter.name === name)?.multiSegment;
    if (multi && index === template.length - 1) {
      params[name] = actual.slice(index).join('/');
      return params;
    }
    params[name] = value;
  }
  return actual.length === template.length ? params : undefined;
}

/** Local refs point into the schema registered as `github` (the document's components). */
function rebase(node: Json): Json {
  if (Array.isArray(node)) return node.map(rebase);
  if (node === null || typeof node !== 'object') return node;
  const copy: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    copy[key] =
      key === '$ref' && typeof value === 'string' && value.startsWith('#/')
        ? `${SCHEMA_ID}${value}`
        : rebase(value);
  }
  return copy;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'];

function readOperations(document: JsonObject, resolve: (ref: string) => JsonObject): Operation[] {
  const deref = (node: JsonObject): JsonObject => (typeof node.$ref === 'string' ? resolve(node.$ref) : node);
  const operations: Operation[] = [];
  for (const [template, item] of Object.entries((document.paths ?? {}) as Record<string, JsonObject>)) {
    const shared = ((item.parameters ?? []) as JsonObject[]).map(deref);
    for (const method of METHODS) {
      const raw = item[method] as JsonObject | undefined;
      if (!raw) continue;
      const parameters = [...shared, ...((raw.parameters ?? []) as JsonObject[]).map(deref)].map(
        (parameter): Parameter => ({
          name: String(parameter.name),
          in: parameter.in as Parameter['in'],
          required: parameter.required === true,
          schema: (parameter.schema ?? {}) as JsonObject,
          multiSegment: parameter['x-multi-segment'] === true,
        }),
      );
      const body = raw.requestBody ? deref(raw.requestBody as JsonObject) : undefined;
      const bodySchema = (body?.content as JsonObject | undefined)?.['application/json'] as
        | JsonObject
        | undefined;
      const responses = new Map<string, JsonObject | null>();
      for (const [status, response] of Object.entries((raw.responses ?? {}) as Record<string, JsonObject>)) {
        const content = deref(response).content as JsonObject | undefined;
        const json = content?.['application/json'] as JsonObject | undefined;
        responses.set(status, (json?.schema as JsonObject | undefined) ?? null);
      }
      operations.push({
        operationId: String(raw.operationId),
        method,
        template,
        parameters,
        ...(bodySchema?.schema
          ? { requestBody: { required: body?.required === true, schema: bodySchema.schema as JsonObject } }
          : {}),
        responses,
      });
    }
  }
  return operations;
}
