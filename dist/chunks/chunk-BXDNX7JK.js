import { createRequire as __greenlightRequire } from 'node:module';
const require = __greenlightRequire(import.meta.url);
import {
  parseDuration
} from "./chunk-KUEXGX5L.js";
import {
  InputError
} from "./chunk-L2HEXJUQ.js";

// src/runner/inputs.ts
function requiredInput(source, name) {
  const value = source.get(name);
  if (!value) throw new InputError(`Input required and not supplied: ${name}`);
  return value;
}
function optionalInput(source, name) {
  return source.get(name) || void 0;
}
function booleanInput(source, name, fallback) {
  const value = source.get(name);
  if (!value) return fallback;
  if (["true", "True", "TRUE"].includes(value)) return true;
  if (["false", "False", "FALSE"].includes(value)) return false;
  throw new InputError(`Input "${name}": expected true or false, got "${value}"`);
}
function choiceInput(source, name, choices, fallback) {
  const value = source.get(name);
  if (!value && fallback !== void 0) return fallback;
  if (!value) throw new InputError(`Input required and not supplied: ${name} (one of ${choices.join(", ")})`);
  if (choices.includes(value)) return value;
  throw new InputError(`Input "${name}": expected one of ${choices.join(", ")}, got "${value}"`);
}
function durationInput(source, name, fallback) {
  return parseDuration(source.get(name) || fallback, `Input "${name}"`);
}
function listInput(source, name) {
  const value = source.get(name);
  if (!value) return [];
  const lines = value.split(/\r?\n/);
  const items = lines.length === 1 ? value.split(",") : lines;
  return items.map((item) => item.trim()).filter((item) => item && !item.startsWith("#"));
}
function withoutActionInputs(env) {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !/^INPUT_/i.test(name)));
}

export {
  requiredInput,
  optionalInput,
  booleanInput,
  choiceInput,
  durationInput,
  listInput,
  withoutActionInputs
};
