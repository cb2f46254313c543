import type { NodeTypeInfo } from './types.ts';

export const CATEGORY_ORDER = ['trigger', 'flow', 'data', 'code', 'network', 'app', 'ai', 'utility'] as const;

const CATEGORY_LABELS: Record<string, string> = {
  trigger: 'Triggers',
  flow: 'Flow',
  data: 'Data',
  code: 'Code',
  network: 'Network',
  app: 'Apps',
  ai: 'AI',
  utility: 'Utilities',
};

export function categoryLabel(category: string): string {
  return CATEGORY_LABELS[category] ?? category.charAt(0).toUpperCase() + category.slice(1);
}

function tokenScore(type: NodeTypeInfo, token: string): number {
  const title = type.title.toLowerCase();
  let best = 0;
  if (title === token) best = 100;
  else if (title.startsWith(token)) best = 60;
  else if (title.split(/[\s/-]+/).some((w) => w.startsWith(token))) best = 40;
  else if (title.includes(token)) best = 30;
  for (const keyword of type.keywords) {
    const k = keyword.toLowerCase();
    if (k === token) best = Math.max(best, 35);
    else if (k.startsWith(token)) best = Math.max(best, 25);
    else if (k.includes(token)) best = Math.max(best, 15);
  }
  if (type.id.toLowerCase().includes(token)) best = Math.max(best, 10);
  if (best === 0 && type.description.toLowerCase().includes(token)) best = 5;
  return best;
}

/**
 * Node types matching every word of `query` (in title, keywords, id or description), best first.
 * An empty query lists all types by title.
 *
 * @example
 * searchNodeTypes(types, 'http req')[0]?.id; // 'core.http_request'
 */
export function searchNodeTypes<T extends NodeTypeInfo>(types: readonly T[], query: string): T[] {
  const tokens = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (tokens.length === 0) return [...types].sort((a, b) => a.title.localeCompare(b.title));
  const scored: Array<{ type: T; score: number }> = [];
  for (const type of types) {
    let score = 0;
    let all = true;
    for (const token of tokens) {
      const s = tokenScore(type, token);
      if (s === 0) {
        all = false;
        break;
      }
      score += s;
    }
    if (all) scored.push({ type, score });
  }
  return scored.sort((a, b) => b.score - a.score || a.type.title.localeCompare(b.type.title)).map((s) => s.type);
}

export interface PaletteGroup<T> {
  category: string;
  label: string;
  types: T[];
}

/** Groups types by category in the palette's order, keeping each group's order. */
export function groupByCategory<T extends NodeTypeInfo>(types: readonly T[]): PaletteGroup<T>[] {
  const groups = new Map<string, T[]>();
  for (const type of types) {
    const list = groups.get(type.category) ?? [];
    list.push(type);
    groups.set(type.category, list);
  }
  const rank = (c: string) => {
    const i = (CATEGORY_ORDER as readonly string[]).indexOf(c);
    return i < 0 ? CATEGORY_ORDER.length : i;
  };
  return [...groups.entries()]
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([category, list]) => ({ category, label: categoryLabel(category), types: list }));
}

/** Only the newest version of each type id (the palette adds the newest). */
export function newestVersions<T extends NodeTypeInfo>(types: readonly T[]): T[] {
  const newest = new Map<string, T>();
  for (const t of types) {
    const seen = newest.get(t.id);
    if (!seen || seen.version < t.version) newest.set(t.id, t);
  }
  return [...newest.values()];
}
