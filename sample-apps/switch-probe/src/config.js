// Reads the probe's settings from its environment; Greenlight sets them on the probe Job.

function integer(env, name, fallback, min, max) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/**
 * GREENLIGHT_PROBE_TARGETS: `name=url` pairs separated by spaces, one per live Service,
 * e.g. `hello-a=http://hello-a.ns.svc.cluster.local:8080/healthz`. Plain http only: the
 * probe runs inside the cluster, next to the Services it measures.
 */
export function readTargets(raw) {
  const targets = [];
  for (const pair of (raw ?? '').split(/\s+/).filter(Boolean)) {
    const equals = pair.indexOf('=');
    const name = pair.slice(0, equals);
    const url = pair.slice(equals + 1);
    if (equals <= 0 || !URL.canParse(url) || new URL(url).protocol !== 'http:') {
      throw new Error(
        `GREENLIGHT_PROBE_TARGETS: expected name=http://host:port/path, got ${JSON.stringify(pair)}`,
      );
    }
    if (targets.some((target) => target.name === name)) {
      throw new Error(`GREENLIGHT_PROBE_TARGETS: ${name} is named twice`);
    }
    targets.push({ name, url });
  }
  if (targets.length === 0) throw new Error('GREENLIGHT_PROBE_TARGETS is empty: nothing to probe');
  return targets;
}

export function readSettings(env) {
  const settings = {
    targets: readTargets(env.GREENLIGHT_PROBE_TARGETS),
    // per target; the whole probe sends rate × targets requests a second
    rate: integer(env, 'GREENLIGHT_PROBE_RATE', 20, 1, 1000),
    durationMs: integer(env, 'GREENLIGHT_PROBE_DURATION_MS', 600_000, 100, 3_600_000),
    timeoutMs: integer(env, 'GREENLIGHT_PROBE_TIMEOUT_MS', 2000, 1, 60_000),
    reportEveryMs: integer(env, 'GREENLIGHT_PROBE_REPORT_MS', 1000, 100, 60_000),
  };
  return settings;
}
