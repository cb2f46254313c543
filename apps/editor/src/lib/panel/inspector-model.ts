import { pathSegment } from './json-paths.ts';

/** One visible line of the JSON tree. */
export interface TreeRow {
  /** The value's path from the root (`''` for the root, `body.items[0]`): stable across renders. */
  id: string;
  depth: number;
  /** Object key or `[i]`; null for the root. */
  key: string | null;
  type: 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null';
  /** The rendered primitive, or `{3 keys}` / `[12 items]` for containers. */
  preview: string;
  /** True when `preview` was cut short (the full value is shown on selection). */
  truncated: boolean;
  expandable: boolean;
  expanded: boolean;
  /** Whether the row itself matches the search (ancestors of matches are shown too). */
  match: boolean;
}

const MAX_PREVIEW = 160;
const MAX_CHILDREN = 500;

/**
 * The rows of a JSON tree as currently expanded. With a search query, only rows that match (key
 * or primitive value, case-insensitive) and their ancestors are listed, expanded. Containers
 * show at most 500 children, then a summary row.
 *
 * @example flattenJson({ a: 1 }, new Set([''])).map((r) => r.id) // ['', 'a']
 */
export function flattenJson(value: unknown, expanded: ReadonlySet<string>, query = ''): TreeRow[] {
  const needle = query.trim().toLowerCase();
  const matches = needle ? matchingPaths(value, needle) : undefined;
  const rows: TreeRow[] = [];
  const visit = (v: unknown, id: string, key: string | null, depth: number) => {
    if (matches && !matches.has(id)) return;
    const type = typeOf(v);
    const expandable = (type === 'object' || type === 'array') && size(v) > 0;
    const open = expandable && (matches ? true : expanded.has(id));
    const { text, truncated } = previewOf(v);
    const match =
      !!needle && ((key ?? '').toLowerCase().includes(needle) || (!expandable && text.toLowerCase().includes(needle)));
    rows.push({ id, depth, key, type, preview: text, truncated, expandable, expanded: open, match });
    if (!open) return;
    let shown = 0;
    for (const [childKey, child, rawKey] of entries(v)) {
      if (shown++ >= MAX_CHILDREN) {
        rows.push({
          id: `${id}…`,
          depth: depth + 1,
          key: null,
          type: 'null',
          preview: `… ${size(v) - MAX_CHILDREN} more not shown (copy the value to see all)`,
          truncated: false,
          expandable: false,
          expanded: false,
          match: false,
        });
        break;
      }
      visit(child, childPath(id, childKey), rawKey, depth + 1);
    }
  };
  visit(value, '', null, 0);
  return rows;
}

/** The ids to expand by default: the root and its direct children. */
export function defaultExpanded(value: unknown): Set<string> {
  const out = new Set<string>(['']);
  for (const [key, child] of entries(value)) {
    if (size(child) > 0 && size(child) <= 20) out.add(childPath('', key));
  }
  return out;
}

/** Every container path in the value (for "expand all"), bounded. */
export function allContainerPaths(value: unknown, limit = 2000): Set<string> {
  const out = new Set<string>();
  const visit = (v: unknown, id: string) => {
    if (out.size >= limit || size(v) === 0) return;
    out.add(id);
    for (const [key, child] of entries(v)) visit(child, childPath(id, key));
  };
  visit(value, '');
  return out;
}

export interface TableView {
  columns: string[];
  rows: { key: string; cells: string[] }[];
  /** Rows left out after the limit. */
  more: number;
}

/**
 * A table of the value: a list of objects becomes one row per item and one column per key;
 * an object becomes key/value rows; a list of primitives becomes index/value rows.
 *
 * @example toTable([{ id: 1, ok: true }]) // { columns: ['id', 'ok'], rows: [{ key: '0', cells: ['1', 'true'] }], more: 0 }
 */
export function toTable(value: unknown, limit = 200, query = ''): TableView {
  const needle = query.trim().toLowerCase();
  const keep = (cells: string[], key: string) =>
    !needle || key.toLowerCase().includes(needle) || cells.some((c) => c.toLowerCase().includes(needle));
  let columns: string[];
  let all: { key: string; cells: string[] }[];
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeOf(v) === 'object')) {
    const keys = new Set<string>();
    for (const item of value.slice(0, 200))
      for (const k of Object.keys(item as object)) if (keys.size < 40) keys.add(k);
    columns = [...keys];
    all = value.map((item, i) => ({
      key: String(i),
      cells: columns.map((c) => cell((item as Record<string, unknown>)[c])),
    }));
  } else if (Array.isArray(value)) {
    columns = ['value'];
    all = value.map((item, i) => ({ key: String(i), cells: [cell(item)] }));
  } else if (typeOf(value) === 'object') {
    columns = ['value'];
    all = Object.entries(value as Record<string, unknown>).map(([k, v]) => ({ key: k, cells: [cell(v)] }));
  } else {
    columns = ['value'];
    all = [{ key: '', cells: [cell(value)] }];
  }
  const filtered = all.filter((r) => keep(r.cells, r.key));
  return { columns, rows: filtered.slice(0, limit), more: Math.max(0, filtered.length - limit) };
}

/**
 * Compact one-line JSON, cut at `max` characters.
 *
 * @example compactJson({ a: [1, 2] }) // '{"a":[1,2]}'
 */
export function compactJson(value: unknown, max = 2000): string {
  const text = value === undefined ? 'undefined' : (JSON.stringify(value) ?? String(value));
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Reads a tree row's value back by its id. */
export function valueAtId(value: unknown, id: string): unknown {
  if (id === '') return value;
  let current = value;
  for (const match of id.matchAll(/`([^`]*)`|\[(\d+)\]|([A-Za-z_][A-Za-z0-9_]*)/g)) {
    if (current === null || typeof current !== 'object') return undefined;
    current =
      match[2] !== undefined
        ? (current as unknown[])[Number(match[2])]
        : (current as Record<string, unknown>)[(match[1] ?? match[3])!];
  }
  return current;
}

function cell(v: unknown): string {
  if (typeof v === 'string') return v.length > 120 ? `${v.slice(0, 119)}…` : v;
  if (v === undefined) return '';
  return compactJson(v, 120);
}

function childPath(parent: string, key: string): string {
  if (key.startsWith('[')) return `${parent}${key}`;
  return parent === '' ? key : `${parent}.${key}`;
}

/** Children as [path segment, value, key as shown]. */
function entries(v: unknown): [string, unknown, string][] {
  if (Array.isArray(v)) return v.map((child, i) => [`[${i}]`, child, `[${i}]`]);
  if (v !== null && typeof v === 'object') return Object.entries(v).map(([k, child]) => [pathSegment(k), child, k]);
  return [];
}

function size(v: unknown): number {
  if (Array.isArray(v)) return v.length;
  if (v !== null && typeof v === 'object') return Object.keys(v).length;
  return 0;
}

function typeOf(v: unknown): TreeRow['type'] {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  const t = typeof v;
  return t === 'object' || t === 'string' || t === 'number' || t === 'boolean' ? t : 'string';
}

function previewOf(v: unknown): { text: string; truncated: boolean } {
  if (Array.isArray(v)) return { text: `[${v.length} item${v.length === 1 ? '' : 's'}]`, truncated: false };
  if (v !== null && typeof v === 'object') {
    const n = Object.keys(v).length;
    return { text: `{${n} key${n === 1 ? '' : 's'}}`, truncated: false };
  }
  const text = v === undefined ? 'undefined' : JSON.stringify(v);
  return text.length > MAX_PREVIEW
    ? { text: `${text.slice(0, MAX_PREVIEW - 1)}…`, truncated: true }
    : { text, truncated: false };
}

/** Paths of every node that matches, plus all their ancestors. */
function matchingPaths(value: unknown, needle: string): Set<string> {
  const out = new Set<string>();
  const visit = (v: unknown, id: string, key: string | null, ancestors: string[]): void => {
    const container = size(v) > 0;
    const hit =
      (key ?? '').toLowerCase().includes(needle) ||
      (!container && (JSON.stringify(v) ?? '').toLowerCase().includes(needle));
    if (hit) {
      out.add(id);
      for (const a of ancestors) out.add(a);
    }
    for (const [childKey, child, rawKey] of entries(v))
      visit(child, childPath(id, childKey), rawKey, [...ancestors, id]);
  };
  visit(value, '', null, []);
  return out;
}
