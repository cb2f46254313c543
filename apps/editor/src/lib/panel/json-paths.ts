/** One field found in sample data, as an expression path relative to its root. */
export interface FieldPath {
  /** `body.items[0].id`; keys that are not identifiers are quoted for JSONata: `` headers.`content-type` ``. */
  path: string;
  /** `string`, `number`, `object`, `array`, ... */
  type: string;
  /** A short rendering of the value, for the completion list. */
  sample: string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A JSONata path step for an object key. */
export function pathSegment(key: string): string {
  return IDENTIFIER.test(key) ? key : `\`${key.replace(/`/g, '')}\``;
}

/**
 * Every field path in a JSON value, breadth first (shallow paths come first), arrays walked
 * through their first item as `[0]`. Bounded by depth and count so a huge payload stays cheap.
 *
 * @example fieldPaths({ body: { items: [{ id: 1 }] } }).map((f) => f.path)
 * // ['body', 'body.items', 'body.items[0]', 'body.items[0].id']
 */
export function fieldPaths(value: unknown, options: { maxDepth?: number; limit?: number } = {}): FieldPath[] {
  const maxDepth = options.maxDepth ?? 6;
  const limit = options.limit ?? 400;
  const out: FieldPath[] = [];
  let queue: { path: string; value: unknown; depth: number }[] = [{ path: '', value, depth: 0 }];
  while (queue.length > 0 && out.length < limit) {
    const next: typeof queue = [];
    for (const entry of queue) {
      if (entry.depth >= maxDepth) continue;
      for (const [segment, child] of children(entry.value)) {
        const path =
          segment.startsWith('[') || entry.path === '' ? `${entry.path}${segment}` : `${entry.path}.${segment}`;
        out.push({ path, type: typeName(child), sample: sampleOf(child) });
        if (out.length >= limit) break;
        next.push({ path, value: child, depth: entry.depth + 1 });
      }
      if (out.length >= limit) break;
    }
    queue = next;
  }
  return out;
}

/** Reads `body.items[0].id`-style paths (as produced by `fieldPaths`) from a value. */
export function valueAtPath(value: unknown, path: string): unknown {
  let current = value;
  for (const match of path.matchAll(/`([^`]*)`|\[(\d+)\]|([A-Za-z_$][A-Za-z0-9_$]*)/g)) {
    if (current === null || typeof current !== 'object') return undefined;
    const key = match[1] ?? match[3];
    current =
      match[2] !== undefined
        ? Array.isArray(current)
          ? current[Number(match[2])]
          : undefined
        : (current as Record<string, unknown>)[key!];
  }
  return current;
}

function children(value: unknown): [string, unknown][] {
  if (Array.isArray(value)) return value.length > 0 ? [['[0]', value[0]]] : [];
  if (value !== null && typeof value === 'object')
    return Object.entries(value as Record<string, unknown>).map(([k, v]) => [pathSegment(k), v]);
  return [];
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function sampleOf(value: unknown): string {
  if (Array.isArray(value)) return `[${value.length}]`;
  if (value !== null && typeof value === 'object') return `{${Object.keys(value).length}}`;
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}
