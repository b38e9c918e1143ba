/** "Did you mean" for keys, services and tags: the closest candidates by edit distance. */

/** Levenshtein distance, two rows of memory. */
export function editDistance(a: string, b: string): number {
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

/** Candidates ordered by distance to `text` (ties alphabetically), at most `limit`. */
export function nearest(text: string, candidates: Iterable<string>, limit: number): string[] {
  return [...new Set(candidates)]
    .map((candidate) => ({ candidate, distance: editDistance(text.toLowerCase(), candidate.toLowerCase()) }))
    .sort((a, b) => a.distance - b.distance || a.candidate.localeCompare(b.candidate))
    .slice(0, limit)
    .map((entry) => entry.candidate);
}

/** The one candidate close enough to be a typo (distance at most a third of its length), if any. */
export function closeMatch(text: string, candidates: Iterable<string>): string | undefined {
  const [best] = nearest(text, candidates, 1);
  if (best === undefined) return undefined;
  const allowed = Math.max(1, Math.floor(Math.max(text.length, best.length) / 3));
  return editDistance(text.toLowerCase(), best.toLowerCase()) <= allowed ? best : undefined;
}

/** `; did you mean "port"?` or, without a close match, `; expected one of a, b, c`. */
export function suggestion(text: string, candidates: readonly string[], noun = 'one of'): string {
  const match = closeMatch(text, candidates);
  if (match !== undefined) return `; did you mean "${match}"?`;
  return candidates.length ? `; expected ${noun} ${[...candidates].sort().join(', ')}` : '';
}
