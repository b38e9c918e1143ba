import { createRequire as __greenlightRequire } from 'node:module';
const require = __greenlightRequire(import.meta.url);
import {
  InputError
} from "./chunk-L2HEXJUQ.js";

// src/core/duration.ts
var UNIT_MS = { ms: 1, s: 1e3, m: 6e4, h: 36e5 };
var DURATION = /^(\d+)(ms|s|m|h)$/;
function parseDuration(text, what) {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1e3;
  const match = DURATION.exec(trimmed);
  if (!match?.[1] || !match[2]) {
    throw new InputError(`${what}: expected a duration like 30s, 10m or 1h, got "${text}"`);
  }
  return Number(match[1]) * UNIT_MS[match[2]];
}
function parseScaleDownDelay(text, what) {
  if (text.trim() === "keep") return "keep";
  try {
    return parseDuration(text, what);
  } catch {
    throw new InputError(`${what}: expected a duration like 30s or 2m, or keep, got "${text}"`);
  }
}

export {
  parseDuration,
  parseScaleDownDelay
};
