import { createRequire as __greenlightRequire } from 'node:module';
const require = __greenlightRequire(import.meta.url);
import {
  GreenlightError
} from "./chunk-L2HEXJUQ.js";

// src/core/registry.ts
var RegistryError = class extends GreenlightError {
  name = "RegistryError";
  registryKind;
  constructor(kind, message, options = {}) {
    super(message, { ...options, kind: kind === "image-not-found" ? "image-not-found" : "registry-error" });
    this.registryKind = kind;
  }
};
var ACCEPTED_MANIFEST_TYPES = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.docker.distribution.manifest.v2+json"
];

export {
  RegistryError,
  ACCEPTED_MANIFEST_TYPES
};
