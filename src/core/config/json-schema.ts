/**
 * JSON Schemas (draft 2020-12) for editors, generated from the same specs the validator
 * walks. `groups/schema/*.schema.json` are these, committed; a unit test keeps them equal.
 * Rules a regex cannot express (git ref rules, cron ranges, time zones, references to
 * other services) are checked by `greenlight validate` only.
 */
import { CATALOG_SPEC, GROUP_SPEC } from './schemas.ts';
import type { ObjectSpec, Spec, StringSpec } from './spec.ts';

type JsonSchema = Record<string, unknown>;

const DRAFT = 'https://json-schema.org/draft/2020-12/schema';

export function catalogJsonSchema(): JsonSchema {
  return {
    $schema: DRAFT,
    $id: 'https://greenlight.dev/schema/services.schema.json',
    title: 'Greenlight service catalog',
    ...toJsonSchema(CATALOG_SPEC),
  };
}

export function groupJsonSchema(): JsonSchema {
  return {
    $schema: DRAFT,
    $id: 'https://greenlight.dev/schema/group.schema.json',
    title: 'Greenlight deployment group',
    ...toJsonSchema(GROUP_SPEC),
  };
}

/** The schemas as committed: two-space JSON and a final newline. */
export function renderJsonSchema(schema: JsonSchema): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}

export function toJsonSchema(spec: Spec): JsonSchema {
  switch (spec.type) {
    case 'string':
      return stringSchema(spec);
    case 'integer':
      return { description: spec.description, type: 'integer', minimum: spec.minimum, maximum: spec.maximum };
    case 'enum':
      return { description: spec.description, enum: [...spec.values] };
    case 'object':
      return objectSchema(spec);
    case 'map':
      return {
        description: spec.description,
        type: 'object',
        propertyNames: stringSchema(spec.key),
        additionalProperties: toJsonSchema(spec.value),
        ...(spec.minEntries ? { minProperties: spec.minEntries } : {}),
      };
    case 'list':
      return {
        description: spec.description,
        type: 'array',
        items: toJsonSchema(spec.items),
        ...(spec.minItems ? { minItems: spec.minItems } : {}),
      };
  }
}

function stringSchema(spec: StringSpec): JsonSchema {
  const schema: JsonSchema = {
    description: spec.description,
    type: spec.acceptNumbers ? ['string', 'number'] : 'string',
  };
  if (spec.pattern && !spec.acceptNumbers) schema.pattern = spec.pattern.source;
  if (spec.examples) schema.examples = [...spec.examples];
  return schema;
}

function objectSchema(spec: ObjectSpec): JsonSchema {
  const properties = Object.fromEntries(
    Object.entries(spec.fields).map(([key, field]) => [key, toJsonSchema(field.spec)]),
  );
  const required = Object.entries(spec.fields)
    .filter(([, field]) => field.required)
    .map(([key]) => key);
  const object: JsonSchema = {
    description: spec.description,
    type: 'object',
    additionalProperties: false,
    properties,
    ...(required.length ? { required } : {}),
    ...presenceRules(spec),
  };
  if (spec.shorthand === undefined) return object;
  const shorthand = spec.fields[spec.shorthand];
  return {
    description: spec.description,
    anyOf: [
      { type: 'null' },
      ...(shorthand ? [toJsonSchema(shorthand.spec)] : []),
      { ...object, description: undefined },
    ],
  };
}

function presenceRules(spec: ObjectSpec): JsonSchema {
  const has = (key: string) => ({ required: [key] });
  const rules: JsonSchema[] = [];
  if (spec.exactlyOne) rules.push({ oneOf: spec.exactlyOne.map(has) });
  if (spec.atLeastOne) rules.push({ anyOf: spec.atLeastOne.map(has) });
  if (spec.atMostOne) {
    const pairs = spec.atMostOne.flatMap(
      (a, i) => spec.atMostOne?.slice(i + 1).map((b) => ({ required: [a, b] })) ?? [],
    );
    rules.push({ not: { anyOf: pairs } });
  }
  if (rules.length === 0) return {};
  return rules.length === 1 ? (rules[0] as JsonSchema) : { allOf: rules };
}
