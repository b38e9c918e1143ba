/**
 * Walks a parsed YAML document against a Spec, collecting every error with its position,
 * and returns plain values. parse.ts has already refused alias bombs; aliases are still
 * followed under a budget here, so the walk's cost is bounded on its own.
 */
import {
  type Alias,
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  type LineCounter,
  type Node,
  type Pair,
} from 'yaml';
import { type Diagnostic, formatPath } from './diagnostics.ts';
import type {
  EnumSpec,
  IntegerSpec,
  KnownNames,
  ListSpec,
  MapSpec,
  ObjectSpec,
  Spec,
  StringSpec,
} from './spec.ts';
import { closeMatch, suggestion } from './suggest.ts';

export type Path = readonly (string | number)[];

/** Marks a value that failed validation; its error is already recorded. */
export const INVALID: unique symbol = Symbol('invalid');
export type Checked = unknown;

/** At most this many alias dereferences per file: real configs use a handful. */
export const MAX_ALIASES = 100;

export interface WalkContext {
  file: string;
  document: Document;
  lineCounter: LineCounter;
  diagnostics: Diagnostic[];
  aliasesLeft: number;
  /** Where each path's value sits, for checks that run after the walk (unknown service, ...). */
  positions: Map<string, number>;
}

export function createWalkContext(file: string, document: Document, lineCounter: LineCounter): WalkContext {
  return { file, document, lineCounter, diagnostics: [], aliasesLeft: MAX_ALIASES, positions: new Map() };
}

export function report(context: WalkContext, offset: number, path: Path, message: string): void {
  const { line, col } = context.lineCounter.linePos(offset);
  context.diagnostics.push({ file: context.file, line, col, path: formatPath(path), message });
}

/** Reports at the recorded position of `path` (or the file start when unknown). */
export function reportAt(context: WalkContext, path: Path, message: string): void {
  report(context, context.positions.get(formatPath(path)) ?? 0, path, message);
}

function offsetOf(node: Node | null | undefined, fallback: number): number {
  return node?.range?.[0] ?? fallback;
}

/** What a node is, for "got ...": `a list`, `a map`, `the number 8.5`, `"text"`. */
export function describeNode(node: Node | null | undefined): string {
  if (!node) return 'nothing';
  if (isMap(node)) return 'a map';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const value = node.value;
    if (value === null) return 'nothing (an empty value)';
    if (typeof value === 'boolean') return `the boolean ${String(value)}`;
    if (typeof value === 'number') return `the number ${node.source ?? String(value)}`;
    if (typeof value === 'string') return `"${value.length > 60 ? `${value.slice(0, 57)}...` : value}"`;
  }
  return 'an unsupported value';
}

function expectedPhrase(spec: Spec): string {
  switch (spec.type) {
    case 'string':
      return spec.expected;
    case 'integer':
      return `an integer from ${spec.minimum} to ${spec.maximum}`;
    case 'enum':
      return `one of ${spec.values.join(', ')}`;
    case 'object':
    case 'map':
      return 'a map';
    case 'list':
      return 'a list';
  }
}

/** Follows an alias within the budget; undefined (and one error) once the budget is spent. */
function dereference(
  node: Node | null | undefined,
  path: Path,
  context: WalkContext,
): Node | null | undefined {
  if (!isAlias(node)) return node;
  context.aliasesLeft--;
  if (context.aliasesLeft === -1) {
    report(
      context,
      offsetOf(node, 0),
      path,
      `too many aliases (more than ${MAX_ALIASES}); refusing to expand`,
    );
  }
  if (context.aliasesLeft < 0) return undefined;
  const target = (node as Alias).resolve(context.document);
  if (!target) report(context, offsetOf(node, 0), path, `alias *${node.source} has no anchor`);
  return target as Node | undefined;
}

export function walk(
  raw: Node | null | undefined,
  spec: Spec,
  path: Path,
  context: WalkContext,
  at: number,
): Checked {
  const node = dereference(raw, path, context);
  if (node === undefined && isAlias(raw)) return INVALID;
  const offset = offsetOf(raw, at);
  context.positions.set(formatPath(path), offset);
  switch (spec.type) {
    case 'string':
      return walkString(node, spec, path, context, offset);
    case 'integer':
      return walkInteger(node, spec, path, context, offset);
    case 'enum':
      return walkEnum(node, spec, path, context, offset);
    case 'object':
      return walkObject(node, spec, path, context, offset);
    case 'map':
      return walkMap(node, spec, path, context, offset);
    case 'list':
      return walkList(node, spec, path, context, offset);
  }
}

function mismatch(
  node: Node | null | undefined,
  spec: Spec,
  path: Path,
  context: WalkContext,
  offset: number,
) {
  const quoteHint =
    spec.type === 'string' && isScalar(node) && typeof node.value !== 'string' && node.value !== null
      ? ` (quote it: "${node.source ?? String(node.value)}")`
      : spec.type === 'list' && isScalar(node) && typeof node.value === 'string'
        ? ` (a list of one is written [${node.value}])`
        : '';
  report(context, offset, path, `expected ${expectedPhrase(spec)}, got ${describeNode(node)}${quoteHint}`);
  return INVALID;
}

function scalarText(node: Node | null | undefined, acceptNumbers: boolean): string | undefined {
  if (!isScalar(node)) return undefined;
  if (typeof node.value === 'string') return node.value;
  if (acceptNumbers && typeof node.value === 'number') return node.source ?? String(node.value);
  return undefined;
}

function walkString(
  node: Node | null | undefined,
  spec: StringSpec,
  path: Path,
  context: WalkContext,
  offset: number,
) {
  const text = scalarText(node, spec.acceptNumbers ?? false);
  if (text === undefined) return mismatch(node, spec, path, context, offset);
  const problem = spec.problem?.(text);
  if (problem === undefined) return checkKnown(text, spec.known, path, context, offset);
  const hint = spec.suggestions ? suggestion(text, spec.suggestions()).replace(/; expected .*$/, '') : '';
  report(context, offset, path, `expected ${spec.expected}, got "${text}" (${problem})${hint}`);
  return INVALID;
}

/** An unknown name (a service missing from the catalog) gets "did you mean" or the list of names. */
function checkKnown(
  text: string,
  known: KnownNames | undefined,
  path: Path,
  context: WalkContext,
  offset: number,
): Checked {
  if (!known || known.names.includes(text)) return text;
  const hint = suggestion(text, known.names, `a ${known.noun} of ${known.where}:`);
  report(context, offset, path, `unknown ${known.noun} "${text}"${hint}`);
  return INVALID;
}

function walkInteger(
  node: Node | null | undefined,
  spec: IntegerSpec,
  path: Path,
  context: WalkContext,
  offset: number,
) {
  if (!isScalar(node) || typeof node.value !== 'number' || !Number.isInteger(node.value)) {
    return mismatch(node, spec, path, context, offset);
  }
  if (node.value < spec.minimum || node.value > spec.maximum) {
    report(context, offset, path, `expected ${expectedPhrase(spec)}, got ${node.value}`);
    return INVALID;
  }
  return node.value;
}

function walkEnum(
  node: Node | null | undefined,
  spec: EnumSpec,
  path: Path,
  context: WalkContext,
  offset: number,
) {
  if (!isScalar(node) || typeof node.value !== 'string') return mismatch(node, spec, path, context, offset);
  if (spec.values.includes(node.value)) return node.value;
  const typo = suggestion(node.value, spec.values);
  const hint = typo.startsWith('; did') ? typo : '';
  report(context, offset, path, `expected ${expectedPhrase(spec)}, got "${node.value}"${hint}`);
  return INVALID;
}

interface KeyedPair {
  key: string;
  keyOffset: number;
  value: Node | null | undefined;
}

/** The pairs of a map with string keys; reports non-string and duplicate keys. */
function keyedPairs(node: Node, path: Path, context: WalkContext): KeyedPair[] {
  const pairs: KeyedPair[] = [];
  const firstSeen = new Map<string, number>();
  for (const pair of (isMap(node) ? node.items : []) as Pair<Node | null, Node | null>[]) {
    const keyNode = dereference(pair.key, path, context);
    const keyOffset = offsetOf(pair.key, offsetOf(node, 0));
    if (!isScalar(keyNode) || (typeof keyNode.value !== 'string' && typeof keyNode.value !== 'number')) {
      report(context, keyOffset, path, `expected a key name, got ${describeNode(keyNode)} as a key`);
      continue;
    }
    const key = String(keyNode.value);
    const first = firstSeen.get(key);
    if (first !== undefined) {
      const { line } = context.lineCounter.linePos(first);
      report(context, keyOffset, [...path, key], `duplicate key (first given on line ${line})`);
      continue;
    }
    firstSeen.set(key, keyOffset);
    pairs.push({ key, keyOffset, value: pair.value });
  }
  return pairs;
}

function walkObject(
  node: Node | null | undefined,
  spec: ObjectSpec,
  path: Path,
  context: WalkContext,
  offset: number,
) {
  if (spec.shorthand !== undefined && isScalar(node)) {
    if (node.value === null) return {};
    const field = spec.fields[spec.shorthand];
    if (typeof node.value === 'string' && field) {
      const value = walk(node, field.spec, path, context, offset);
      return value === INVALID ? INVALID : { [spec.shorthand]: value };
    }
  }
  if (!isMap(node)) return mismatch(node, spec, path, context, offset);
  const before = context.diagnostics.length;
  const result: Record<string, unknown> = {};
  let valid = true;
  const known = Object.keys(spec.fields);
  for (const { key, keyOffset, value } of keyedPairs(node, path, context)) {
    const field = spec.fields[key];
    if (!field) {
      // A misspelt required key is reported once, as the typo, not again as missing.
      const typo = closeMatch(key, known);
      if (typo !== undefined) context.positions.set(formatPath([...path, typo]), keyOffset);
      const hint =
        key === '<<' ? '; YAML merge keys are not supported, write the keys out' : suggestion(key, known);
      report(context, keyOffset, [...path, key], `unknown key${hint}`);
      valid = false;
      continue;
    }
    const checked = walk(value, field.spec, [...path, key], context, keyOffset);
    if (checked === INVALID) valid = false;
    else result[key] = checked;
  }
  const complete = checkPresence(result, spec, path, context, offset);
  return complete && valid && context.diagnostics.length === before ? result : INVALID;
}

function checkPresence(
  result: Record<string, unknown>,
  spec: ObjectSpec,
  path: Path,
  context: WalkContext,
  offset: number,
): boolean {
  let complete = true;
  for (const [key, field] of Object.entries(spec.fields)) {
    if (field.required && !(key in result) && !context.positions.has(formatPath([...path, key]))) {
      report(context, offset, path, `missing required key "${key}"`);
      complete = false;
    }
  }
  const present = (keys: readonly string[]) =>
    keys.filter((key) => key in result || context.positions.has(formatPath([...path, key])));
  if (spec.exactlyOne) {
    const given = present(spec.exactlyOne);
    if (given.length !== 1) {
      const which = given.length === 0 ? 'none' : given.join(' and ');
      report(context, offset, path, `expected exactly one of ${spec.exactlyOne.join(', ')}; got ${which}`);
      complete = false;
    }
  }
  const several = spec.atMostOne ? present(spec.atMostOne) : [];
  if (several.length > 1) {
    report(
      context,
      offset,
      path,
      `expected at most one of ${spec.atMostOne?.join(', ')}; got ${several.join(' and ')}`,
    );
    complete = false;
  }
  if (spec.atLeastOne && present(spec.atLeastOne).length === 0) {
    report(context, offset, path, `expected at least one of ${spec.atLeastOne.join(', ')}; got none`);
    complete = false;
  }
  return complete;
}

function walkMap(
  node: Node | null | undefined,
  spec: MapSpec,
  path: Path,
  context: WalkContext,
  offset: number,
) {
  if (!isMap(node)) return mismatch(node, spec, path, context, offset);
  const before = context.diagnostics.length;
  const result: Record<string, unknown> = {};
  let valid = true;
  const pairs = keyedPairs(node, path, context);
  for (const { key, keyOffset, value } of pairs) {
    const problem = spec.key.problem?.(key);
    if (problem !== undefined) {
      report(
        context,
        keyOffset,
        [...path, key],
        `expected ${spec.key.expected} as the key, got "${key}" (${problem})`,
      );
      valid = false;
      continue;
    }
    if (checkKnown(key, spec.key.known, [...path, key], context, keyOffset) === INVALID) {
      valid = false;
      continue;
    }
    const checked = walk(value, spec.value, [...path, key], context, keyOffset);
    if (checked === INVALID) valid = false;
    else result[key] = checked;
  }
  if (pairs.length < (spec.minEntries ?? 0)) {
    report(
      context,
      offset,
      path,
      `expected at least ${spec.minEntries} entr${spec.minEntries === 1 ? 'y' : 'ies'}, got none`,
    );
    valid = false;
  }
  return valid && context.diagnostics.length === before ? result : INVALID;
}

function walkList(
  node: Node | null | undefined,
  spec: ListSpec,
  path: Path,
  context: WalkContext,
  offset: number,
) {
  if (!isSeq(node)) return mismatch(node, spec, path, context, offset);
  const before = context.diagnostics.length;
  const result: unknown[] = [];
  let valid = true;
  for (const [index, item] of (node.items as (Node | null)[]).entries()) {
    const checked = walk(item, spec.items, [...path, index], context, offsetOf(node, offset));
    if (checked === INVALID) valid = false;
    else result.push(checked);
  }
  if (result.length < (spec.minItems ?? 0) && valid) {
    report(
      context,
      offset,
      path,
      `expected at least ${spec.minItems} item${spec.minItems === 1 ? '' : 's'}, got none`,
    );
    valid = false;
  }
  return valid && context.diagnostics.length === before ? result : INVALID;
}
