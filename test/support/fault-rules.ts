/**
 * The rules of the fault-injecting proxy (fault-proxy.ts), as plain values and pure
 * functions: which requests a rule matches, on which of them it fires, and what it does.
 * Kept apart from the server so the counting and the seeded randomness are unit-tested.
 */

/** What a request looks like to a rule. */
export interface RequestFacts {
  method: string;
  /** path without the query */
  path: string;
  query: URLSearchParams;
  /** lower-case header names, as node:http gives them */
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
}

export interface RequestMatch {
  /** one method or several (upper case); any when absent */
  method?: string | readonly string[];
  /** a string is the exact path; a RegExp is tested against the path (anchor it yourself) */
  path?: string | RegExp;
  /** each named parameter must be present (`true`), equal a string, or match a RegExp */
  query?: Readonly<Record<string, string | RegExp | true>>;
  /** each named header (lower case) must equal a string or match a RegExp */
  header?: Readonly<Record<string, string | RegExp>>;
  /** only writes (anything but GET, HEAD, OPTIONS) or only reads */
  write?: boolean;
  /** only watch requests (`watch=true` or `watch=1`), or only requests that are not watches */
  watch?: boolean;
}

/**
 * On which matching requests a rule fires. Counting is per rule and 1-based: the first
 * request the rule matches is number 1. Without `nth`, the rule fires from `from` on
 * (default 1), each time with `probability` if given, at most `limit` times.
 */
export interface Trigger {
  nth?: number | readonly number[];
  from?: number;
  /** fire with probability `p`, drawn from a generator seeded with `seed` (the same seed, the same choices) */
  probability?: { p: number; seed: number };
  limit?: number;
}

/** Error-answer faults: the proxy answers itself and the server never sees the request. */
export interface StatusFault {
  kind: 'status';
  /** e.g. 500, 503, 504, 403 */
  status: number;
  message?: string;
  /** seconds for a Retry-After header (clients such as client-go retry 429 and 5xx that carry one) */
  retryAfterSeconds?: number;
}

export interface ThrottleFault {
  kind: 'throttle';
  /** 429 Too Many Requests with this Retry-After (seconds) */
  retryAfterSeconds: number;
  message?: string;
}

export interface ConflictFault {
  kind: 'conflict';
  /** `Conflict` (the object was modified: resourceVersion mismatch) or `AlreadyExists` */
  reason?: 'Conflict' | 'AlreadyExists';
  message?: string;
}

/**
 * Resets the client's connection (TCP RST). `before`: the request never reaches the
 * server. `after`: the server handles it (a write is applied) and the answer is thrown away.
 */
export interface ResetFault {
  kind: 'reset';
  when: 'before' | 'after';
}

/** Waits `ms`, then forwards the request as usual. */
export interface DelayFault {
  kind: 'delay';
  ms: number;
}

/** Never answers: the request is held until the client gives up, or `maxMs` (default 120 s), then reset. */
export interface HangFault {
  kind: 'hang';
  maxMs?: number;
}

/**
 * Forwards a watch and cuts its stream once `afterEvents` whole events have reached the
 * client. `abort` (default) closes the connection in the middle of the chunked body (the
 * client sees an unexpected EOF, as when a server or load balancer dies); `end` ends the
 * response cleanly, as the API server does when a watch times out.
 */
export interface CutWatchFault {
  kind: 'cut-watch';
  afterEvents: number;
  mode?: 'abort' | 'end';
}

/** Answers `status` (default 200) with bytes that are not what the client expects. */
export interface GarbageFault {
  kind: 'garbage';
  status?: number;
  /** default `application/json`, so the client tries to parse it */
  contentType?: string;
  /** default: 256 bytes from the rule's seeded generator */
  body?: string | Buffer;
}

export type Fault =
  | StatusFault
  | ThrottleFault
  | ConflictFault
  | ResetFault
  | DelayFault
  | HangFault
  | CutWatchFault
  | GarbageFault;

export interface FaultRule {
  /** names the rule in the proxy's records; default `rule-<n>` */
  name?: string;
  match?: RequestMatch;
  on?: Trigger;
  fault: Fault;
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A write is anything that may change state on the server. */
export function isWrite(method: string): boolean {
  return !READ_METHODS.has(method.toUpperCase());
}

export function isWatch(query: URLSearchParams): boolean {
  const watch = query.get('watch');
  return watch === 'true' || watch === '1';
}

function matchesText(value: string | undefined, expected: string | RegExp | true): boolean {
  if (value === undefined) return false;
  if (expected === true) return true;
  if (typeof expected === 'string') return value === expected;
  expected.lastIndex = 0; // a RegExp with the g or y flag keeps state between tests
  return expected.test(value);
}

function headerValue(facts: RequestFacts, name: string): string | undefined {
  const value = facts.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : (value as string | undefined);
}

export function matchesRequest(match: RequestMatch, facts: RequestFacts): boolean {
  const method = facts.method.toUpperCase();
  if (match.method !== undefined) {
    const methods = typeof match.method === 'string' ? [match.method] : match.method;
    if (!methods.some((m) => m.toUpperCase() === method)) return false;
  }
  if (match.path !== undefined && !matchesText(facts.path, match.path)) return false;
  for (const [name, expected] of Object.entries(match.query ?? {})) {
    if (!matchesText(facts.query.get(name) ?? undefined, expected)) return false;
  }
  for (const [name, expected] of Object.entries(match.header ?? {})) {
    if (!matchesText(headerValue(facts, name), expected)) return false;
  }
  if (match.write !== undefined && isWrite(method) !== match.write) return false;
  if (match.watch !== undefined && isWatch(facts.query) !== match.watch) return false;
  return true;
}

/**
 * mulberry32: a tiny seeded generator of floats in [0, 1). Written here because tests need
 * only reproducibility, not quality, and no dependency is worth ten lines.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A rule with its counters: how many requests it matched and how often it fired. */
export interface ActiveRule {
  readonly name: string;
  readonly rule: FaultRule;
  matched: number;
  fired: number;
  readonly random: () => number;
}

export function activateRule(rule: FaultRule, index: number): ActiveRule {
  validateRule(rule);
  // the generator also feeds garbage bodies, so every rule has one; seeded for reproducibility
  const seed = rule.on?.probability?.seed ?? index + 1;
  return { name: rule.name ?? `rule-${index}`, rule, matched: 0, fired: 0, random: seededRandom(seed) };
}

function validateRule(rule: FaultRule): void {
  const on = rule.on ?? {};
  const positive = (value: number | undefined, what: string) => {
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
      throw new Error(`fault rule ${rule.name ?? ''}: ${what} must be a whole number >= 1, got ${value}`);
    }
  };
  for (const n of typeof on.nth === 'number' ? [on.nth] : (on.nth ?? [])) positive(n, 'on.nth');
  positive(on.from, 'on.from');
  positive(on.limit, 'on.limit');
  const p = on.probability?.p;
  if (p !== undefined && !(p >= 0 && p <= 1)) {
    throw new Error(`fault rule ${rule.name ?? ''}: on.probability.p must be within 0..1, got ${p}`);
  }
  if (rule.fault.kind === 'cut-watch') positive(rule.fault.afterEvents, 'fault.afterEvents');
}

/**
 * Counts the request against the rule (when it matches) and says whether the rule would
 * fire on it. Mutates the match counter (and draws from the generator): call once per
 * request and rule. The caller counts the firing (see chooseFault).
 */
export function countAndDecide(active: ActiveRule, facts: RequestFacts): boolean {
  if (!matchesRequest(active.rule.match ?? {}, facts)) return false;
  active.matched += 1;
  const on = active.rule.on ?? {};
  if (on.limit !== undefined && active.fired >= on.limit) return false;
  if (on.nth !== undefined) {
    const nth = typeof on.nth === 'number' ? [on.nth] : on.nth;
    return nth.includes(active.matched);
  }
  if (active.matched < (on.from ?? 1)) return false;
  // drawn only for candidates, so the choices depend on the seed and the candidates alone
  return on.probability ? active.random() < on.probability.p : true;
}

/**
 * Every rule counts every request it matches; the first rule (in the order they were
 * added) that fires decides the fault, and only that rule counts a firing. Returns that
 * rule, or undefined: forward the request as it is.
 */
export function chooseFault(rules: readonly ActiveRule[], facts: RequestFacts): ActiveRule | undefined {
  let chosen: ActiveRule | undefined;
  for (const rule of rules) {
    if (countAndDecide(rule, facts) && !chosen) chosen = rule;
  }
  if (chosen) chosen.fired += 1;
  return chosen;
}
