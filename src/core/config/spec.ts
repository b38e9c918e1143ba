/**
 * A small description language for the config files. The validator walks YAML nodes
 * against it (with positions) and the JSON Schemas for editors are generated from it, so
 * the two cannot drift apart.
 */

export interface StringSpec {
  type: 'string';
  /** What the error says was expected: `a git branch name`. */
  expected: string;
  description: string;
  /** Returns why a string is not acceptable, or undefined. */
  problem?: (value: string) => string | undefined;
  /** The same rule for editors (JSON Schema `pattern`), as far as a regex can say it. */
  pattern?: RegExp;
  /** Quantities like `cpu: 1` are numbers in YAML; read them as their source text. */
  acceptNumbers?: boolean;
  /** Candidates for "did you mean" when the value is refused (time zones). */
  suggestions?: () => readonly string[];
  examples?: readonly string[];
  /** Names the value must be one of, known only at validation time (catalog services, groups). */
  known?: KnownNames;
}

export interface KnownNames {
  /** `service`, `group` */
  noun: string;
  names: readonly string[];
  /** Where the names come from, for the hint: `groups/services.yaml`. */
  where: string;
}

export interface IntegerSpec {
  type: 'integer';
  description: string;
  minimum: number;
  maximum: number;
}

export interface EnumSpec {
  type: 'enum';
  description: string;
  values: readonly string[];
}

export interface FieldSpec {
  spec: Spec;
  required?: boolean;
}

export interface ObjectSpec {
  type: 'object';
  description: string;
  fields: Readonly<Record<string, FieldSpec>>;
  /** Exactly one of these keys must be present. */
  exactlyOne?: readonly string[];
  /** At most one of these keys may be present. */
  atMostOne?: readonly string[];
  /** At least one of these keys must be present. */
  atLeastOne?: readonly string[];
  /** A plain string stands for `{ <field>: string }`, and an empty value for `{}`. */
  shorthand?: string;
}

export interface MapSpec {
  type: 'map';
  description: string;
  key: StringSpec;
  value: Spec;
  minEntries?: number;
}

export interface ListSpec {
  type: 'list';
  description: string;
  items: Spec;
  minItems?: number;
}

export type Spec = StringSpec | IntegerSpec | EnumSpec | ObjectSpec | MapSpec | ListSpec;

/**
 * A copy of `spec` whose string at `route` must be one of `known`. Route segments are
 * field names, `*key`/`*value` for a map's keys/values and `*item` for list items.
 */
export function withKnownNames(spec: Spec, route: readonly string[], known: KnownNames): Spec {
  const [head, ...rest] = route;
  if (head === undefined) return spec.type === 'string' ? { ...spec, known } : spec;
  if (spec.type === 'object') {
    const field = spec.fields[head];
    if (!field) return spec;
    return {
      ...spec,
      fields: { ...spec.fields, [head]: { ...field, spec: withKnownNames(field.spec, rest, known) } },
    };
  }
  if (spec.type === 'map' && head === '*key') return { ...spec, key: { ...spec.key, known } };
  if (spec.type === 'map' && head === '*value')
    return { ...spec, value: withKnownNames(spec.value, rest, known) };
  if (spec.type === 'list' && head === '*item')
    return { ...spec, items: withKnownNames(spec.items, rest, known) };
  return spec;
}
