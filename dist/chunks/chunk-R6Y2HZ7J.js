import { createRequire as __greenlightRequire } from 'node:module';
const require = __greenlightRequire(import.meta.url);

// src/core/naming.ts
import { createHash } from "node:crypto";
var COLORS = ["blue", "green"];
function otherColor(color) {
  return color === "blue" ? "green" : "blue";
}
var MAX_TAG_LENGTH = 128;
var MAX_LABEL_LENGTH = 63;
var LAST_GOOD_TAG_PREFIX = "branch-";
var SHA_TAG_PREFIX = "sha-";
var HASH_LENGTH = 10;
var HASH_SUFFIX = new RegExp(`-[0-9a-f]{${HASH_LENGTH}}$`);
function shortHash(text) {
  return createHash("sha256").update(text, "utf8").digest("hex").slice(0, HASH_LENGTH);
}
function commitTag(sha) {
  return `${SHA_TAG_PREFIX}${sha.toLowerCase()}`;
}
function isCommitSha(text) {
  return /^[0-9a-f]{40}$/i.test(text) || /^[0-9a-f]{64}$/i.test(text);
}
function lastGoodTag(branch) {
  return sanitizeWithHash(branch, {
    prefix: LAST_GOOD_TAG_PREFIX,
    maxLength: MAX_TAG_LENGTH,
    lowercase: true,
    invalidRun: /[^a-z0-9_.-]+/g
  });
}
function labelValue(text) {
  return sanitizeWithHash(text, {
    prefix: "",
    maxLength: MAX_LABEL_LENGTH,
    lowercase: false,
    invalidRun: /[^A-Za-z0-9_.-]+/g
  });
}
function sanitizeWithHash(text, rules) {
  const cased = rules.lowercase ? text.toLowerCase() : text;
  const cleaned = cased.replace(rules.invalidRun, "-").replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "");
  const fits = rules.prefix.length + cleaned.length <= rules.maxLength;
  const looksHashed = HASH_SUFFIX.test(cleaned);
  if (cleaned === text && fits && cleaned.length > 0 && !looksHashed) return rules.prefix + cleaned;
  const room = rules.maxLength - rules.prefix.length - HASH_LENGTH - 1;
  const stem = cleaned.slice(0, room).replace(/[^A-Za-z0-9]+$/, "");
  return `${rules.prefix}${stem ? `${stem}-` : ""}${shortHash(text)}`;
}
function deploymentName(service, color) {
  return `${service}-${color}`;
}
function previewServiceName(service) {
  return `${service}-preview`;
}
function serviceUrlEnvName(service) {
  return `GREENLIGHT_URL_${service.toUpperCase().replace(/[^A-Z0-9]+/g, "_")}`;
}

export {
  COLORS,
  otherColor,
  LAST_GOOD_TAG_PREFIX,
  SHA_TAG_PREFIX,
  commitTag,
  isCommitSha,
  lastGoodTag,
  labelValue,
  deploymentName,
  previewServiceName,
  serviceUrlEnvName
};
