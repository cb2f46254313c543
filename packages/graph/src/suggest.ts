/** Edit distance (insertions, deletions, substitutions), two rows of memory. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  let current = new Array<number>(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      current[j] = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
    }
    [previous, current] = [current, previous];
  }
  return previous[b.length] as number;
}

/**
 * The candidates closest to `wanted` (at most `limit`): near misses by edit distance on the
 * whole id or on its last segment, then ids whose name contains the wanted name.
 *
 * @example
 * closestMatches('core.http_reqest', ['core.http_request', 'core.if']); // ['core.http_request']
 */
export function closestMatches(wanted: string, candidates: Iterable<string>, limit = 3): string[] {
  const lower = wanted.toLowerCase();
  const wantedName = lower.slice(lower.lastIndexOf('.') + 1);
  const scored: Array<{ id: string; score: number }> = [];
  for (const id of new Set(candidates)) {
    const candidate = id.toLowerCase();
    const name = candidate.slice(candidate.lastIndexOf('.') + 1);
    const whole = editDistance(lower, candidate);
    const byName = editDistance(wantedName, name);
    let score = Infinity;
    if (whole <= Math.max(2, Math.floor(candidate.length / 3))) score = whole;
    if (byName <= Math.max(1, Math.floor(Math.max(wantedName.length, name.length) / 3)))
      score = Math.min(score, byName + 0.5);
    if (Math.min(wantedName.length, name.length) >= 3 && (name.includes(wantedName) || wantedName.includes(name)))
      score = Math.min(score, 1.5);
    if (score !== Infinity) scored.push({ id, score });
  }
  scored.sort((x, y) => x.score - y.score || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  return scored.slice(0, limit).map((s) => s.id);
}
