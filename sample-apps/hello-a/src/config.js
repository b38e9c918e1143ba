// Reads the service's settings from its environment. Everything is optional.

function integer(env, name, fallback, min, max) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

const optional = (value) => (value === undefined || value === '' ? null : value);

export function readConfig(env) {
  const config = {
    port: integer(env, 'PORT', 8080, 0, 65535),
    host: optional(env.HOST),
    greeting: optional(env.GREETING) ?? 'hello from a',
    commit: optional(env.GREENLIGHT_COMMIT),
    branch: optional(env.GREENLIGHT_BRANCH),
    color: optional(env.GREENLIGHT_COLOR),
    digest: optional(env.GREENLIGHT_DIGEST),
    drainMs: integer(env, 'SHUTDOWN_DRAIN_MS', 5000, 0, 600_000),
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 25_000, 1, 600_000),
  };
  if (config.drainMs >= config.shutdownTimeoutMs) {
    throw new Error('SHUTDOWN_DRAIN_MS must be less than SHUTDOWN_TIMEOUT_MS');
  }
  return config;
}
