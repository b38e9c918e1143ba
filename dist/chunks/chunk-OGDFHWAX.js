import { createRequire as __greenlightRequire } from 'node:module';
const require = __greenlightRequire(import.meta.url);

// src/core/config/types.ts
var DEFAULT_BRANCH = "master";
var DEFAULT_TEST_TIMEOUT = "10m";
var DEFAULT_PRESTOP_SLEEP_SECONDS = 5;
var DEFAULT_PROBE_RATE = 20;
function describeSelector(image) {
  switch (image.kind) {
    case "branch":
      return `branch ${image.branch}`;
    case "tag":
      return `tag ${image.tag}`;
    case "digest":
      return `digest ${image.digest}`;
  }
}

// src/core/config/suggest.ts
function editDistance(a, b) {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
function nearest(text, candidates, limit) {
  return [...new Set(candidates)].map((candidate) => ({ candidate, distance: editDistance(text.toLowerCase(), candidate.toLowerCase()) })).sort((a, b) => a.distance - b.distance || a.candidate.localeCompare(b.candidate)).slice(0, limit).map((entry) => entry.candidate);
}
function closeMatch(text, candidates) {
  const [best] = nearest(text, candidates, 1);
  if (best === void 0) return void 0;
  const allowed = Math.max(1, Math.floor(Math.max(text.length, best.length) / 3));
  return editDistance(text.toLowerCase(), best.toLowerCase()) <= allowed ? best : void 0;
}
function suggestion(text, candidates, noun = "one of") {
  const match = closeMatch(text, candidates);
  if (match !== void 0) return `; did you mean "${match}"?`;
  return candidates.length ? `; expected ${noun} ${[...candidates].sort().join(", ")}` : "";
}

export {
  nearest,
  closeMatch,
  suggestion,
  DEFAULT_BRANCH,
  DEFAULT_TEST_TIMEOUT,
  DEFAULT_PRESTOP_SLEEP_SECONDS,
  DEFAULT_PROBE_RATE,
  describeSelector
};
