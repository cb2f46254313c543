import type { Json } from './types.ts';

export interface DedupeState {
  cursor?: Json;
  seen: string[];
}

/**
 * Keeps only items not seen in earlier polls. Remembers the last `memory` keys so a
 * source that returns overlapping pages never starts the same run twice.
 */
export function dedupeItems<T>(
  previous: Json | undefined,
  items: T[],
  keyOf: (item: T) => string,
  memory = 1000,
): { fresh: T[]; state: DedupeState } {
  const prior = readState(previous);
  const seen = new Set(prior.seen);
  const fresh: T[] = [];
  for (const item of items) {
    const key = keyOf(item);
    if (seen.has(key)) continue;
    seen.add(key);
    fresh.push(item);
  }
  const all = [...prior.seen, ...fresh.map(keyOf)];
  return {
    fresh,
    state: { ...(prior.cursor === undefined ? {} : { cursor: prior.cursor }), seen: all.slice(-memory) },
  };
}

function readState(value: Json | undefined): DedupeState {
  if (value && typeof value === 'object' && !Array.isArray(value) && Array.isArray(value.seen)) {
    return {
      ...(value.cursor === undefined ? {} : { cursor: value.cursor }),
      seen: value.seen.filter((s): s is string => typeof s === 'string'),
    };
  }
  return { seen: [] };
}
