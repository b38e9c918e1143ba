import { createRequire as __greenlightRequire } from 'node:module';
const require = __greenlightRequire(import.meta.url);

// src/core/errors.ts
var GreenlightError = class extends Error {
  name = "GreenlightError";
  hint;
  kind;
  constructor(message, options = {}) {
    super(message, options.cause === void 0 ? void 0 : { cause: options.cause });
    this.hint = options.hint;
    this.kind = options.kind ?? "cluster-error";
  }
};
var InputError = class extends GreenlightError {
  name = "InputError";
  constructor(message, options = {}) {
    super(message, { kind: "input-invalid", ...options });
  }
};
function describeError(error) {
  if (error instanceof GreenlightError) {
    return error.hint ? `${error.message}
  hint: ${error.hint}` : error.message;
  }
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}

export {
  GreenlightError,
  InputError,
  describeError
};
