/**
 * The JSON Schemas for editors and the validator must agree. The schemas are generated from
 * the validator's specs; this test keeps the committed files equal to that, and checks with
 * an independent (small) JSON Schema evaluator that every shipped example is valid under the
 * schema and that the structural mistakes of the corpus are invalid under it too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { catalogJsonSchema, groupJsonSchema } from '../../src/core/config/json-schema.ts';
import { CATALOG_SPEC, GROUP_SPEC } from '../../src/core/config/schemas.ts';
import type { Spec } from '../../src/core/config/spec.ts';
import { validateGroupsDir } from '../../src/disk/groups.ts';
import { REPO_ROOT } from '../support/action-runner.ts';

type Schema = Record<string, unknown>;

/** The subset of draft 2020-12 the generated schemas use; returns the paths that fail. */
function schemaErrors(schema: Schema, value: unknown, path = '$'): string[] {
  const errors: string[] = [];
  const fail = (why: string) => errors.push(`${path}: ${why}`);
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((type) => matchesType(type as string, value))) fail(`not ${types.join('|')}`);
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) fail('not in enum');
  if (
    typeof value === 'string' &&
    typeof schema.pattern === 'string' &&
    !new RegExp(schema.pattern, 'u').test(value)
  )
    fail(`does not match ${schema.pattern}`);
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) fail('below minimum');
    if (typeof schema.maximum === 'number' && value > schema.maximum) fail('above maximum');
  }
  if (isObject(value)) errors.push(...objectErrors(schema, value, path));
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) fail('too few items');
    const items = schema.items;
    if (isObject(items)) {
      for (const [i, item] of value.entries()) errors.push(...schemaErrors(items, item, `${path}[${i}]`));
    }
  }
  const passes = (sub: unknown) => schemaErrors(sub as Schema, value, path).length === 0;
  if (Array.isArray(schema.anyOf) && !schema.anyOf.some(passes)) fail('no anyOf branch matches');
  if (Array.isArray(schema.oneOf) && schema.oneOf.filter(passes).length !== 1)
    fail('not exactly one oneOf branch');
  if (Array.isArray(schema.allOf))
    for (const sub of schema.allOf) errors.push(...schemaErrors(sub as Schema, value, path));
  if (isObject(schema.not) && passes(schema.not)) fail('matches "not"');
  return errors;
}

function objectErrors(schema: Schema, value: Record<string, unknown>, path: string): string[] {
  const errors: string[] = [];
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  for (const key of (schema.required as string[] | undefined) ?? []) {
    if (!(key in value)) errors.push(`${path}: missing ${key}`);
  }
  if (typeof schema.minProperties === 'number' && Object.keys(value).length < schema.minProperties)
    errors.push(`${path}: too few properties`);
  for (const [key, item] of Object.entries(value)) {
    if (isObject(schema.propertyNames))
      errors.push(...schemaErrors(schema.propertyNames, key, `${path}.${key}(name)`));
    const sub = properties[key] ?? schema.additionalProperties;
    if (sub === false) errors.push(`${path}.${key}: not allowed`);
    else if (isObject(sub)) errors.push(...schemaErrors(sub, item, `${path}.${key}`));
  }
  return errors;
}

function matchesType(type: string, value: unknown): boolean {
  if (type === 'integer') return Number.isInteger(value);
  if (type === 'null') return value === null;
  if (type === 'array') return Array.isArray(value);
  if (type === 'object') return isObject(value);
  return typeof value === type;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const committed = (name: string) =>
  JSON.parse(readFileSync(join(REPO_ROOT, 'groups/schema', name), 'utf8')) as Schema;
const readYaml = (path: string) => parse(readFileSync(join(REPO_ROOT, path), 'utf8')) as unknown;

/** Every key path a spec allows (`services.*.port`), to compare with a schema's. */
function specKeys(spec: Spec, prefix = ''): string[] {
  if (spec.type === 'object') {
    return Object.entries(spec.fields).flatMap(([key, field]) => [
      `${prefix}${key}`,
      ...specKeys(field.spec, `${prefix}${key}.`),
    ]);
  }
  if (spec.type === 'map') return specKeys(spec.value, `${prefix}*.`);
  if (spec.type === 'list') return specKeys(spec.items, `${prefix}[].`);
  return [];
}

function schemaKeys(schema: Schema, prefix = ''): string[] {
  const branch = (schema.anyOf as Schema[] | undefined)?.find((sub) => sub.type === 'object');
  if (branch) return schemaKeys(branch, prefix);
  if (isObject(schema.properties)) {
    return Object.entries(schema.properties).flatMap(([key, sub]) => [
      `${prefix}${key}`,
      ...schemaKeys(sub as Schema, `${prefix}${key}.`),
    ]);
  }
  if (isObject(schema.additionalProperties)) return schemaKeys(schema.additionalProperties, `${prefix}*.`);
  if (isObject(schema.items)) return schemaKeys(schema.items, `${prefix}[].`);
  return [];
}

describe('JSON Schemas', () => {
  it('are committed exactly as generated from the specs (run `node groups/schema/generate.ts`)', () => {
    expect(committed('services.schema.json')).toEqual(catalogJsonSchema());
    expect(committed('group.schema.json')).toEqual(groupJsonSchema());
  });

  it('allow exactly the keys the validator allows', () => {
    expect(schemaKeys(committed('services.schema.json')).sort()).toEqual(specKeys(CATALOG_SPEC).sort());
    expect(schemaKeys(committed('group.schema.json')).sort()).toEqual(specKeys(GROUP_SPEC).sort());
    expect(specKeys(GROUP_SPEC)).toContain('services.*.branch');
    expect(specKeys(CATALOG_SPEC)).toContain('services.*.resources.requests.cpu');
  });

  it('are referenced from the shipped YAML files for editors', () => {
    const files = readdirSync(join(REPO_ROOT, 'groups')).filter((file) => file.endsWith('.yaml'));
    for (const file of files) {
      const schema = file === 'services.yaml' ? 'services' : 'group';
      expect(readFileSync(join(REPO_ROOT, 'groups', file), 'utf8')).toMatch(
        new RegExp(`^# yaml-language-server: \\$schema=\\./schema/${schema}\\.schema\\.json\\n`),
      );
    }
  });

  it('accept every shipped example, which the validator accepts too', () => {
    expect(validateGroupsDir({ cwd: REPO_ROOT, groupsDir: 'groups' }).diagnostics).toEqual([]);
    expect(schemaErrors(committed('services.schema.json'), readYaml('groups/services.yaml'))).toEqual([]);
    for (const group of [
      'groups/master.yaml',
      'groups/login-feature.yaml',
      'test/fixtures/groups/bad/master.yaml',
    ]) {
      expect(schemaErrors(committed('group.schema.json'), readYaml(group)), group).toEqual([]);
    }
  });

  it.each([
    'unknown-key',
    'missing-namespace',
    'namespace-invalid',
    'branch-list',
    'branch-and-tag',
    'digest-invalid',
    'tag-invalid',
    'replicas-zero',
    'replicas-string',
    'integration-both',
    'schedule-no-timezone',
    'verified-not-list',
    'top-level-list',
    'no-services',
  ])('reject the structural mistake bad/%s.yaml, as the validator does', (name) => {
    expect(
      schemaErrors(committed('group.schema.json'), readYaml(`test/fixtures/groups/bad/${name}.yaml`)),
    ).not.toEqual([]);
  });

  it.each([
    'service-type-typo',
    'env-number',
    'missing-repository',
    'port-range',
    'service-name-invalid',
    'replicas-range',
  ])('reject the catalog mistake bad-catalogs/%s', (name) => {
    const catalog = readYaml(`test/fixtures/groups/bad-catalogs/${name}/services.yaml`);
    expect(schemaErrors(committed('services.schema.json'), catalog)).not.toEqual([]);
  });
});
