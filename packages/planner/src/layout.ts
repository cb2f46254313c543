import type { GraphEdge, GraphNode } from '@apiq/graph';

const COLUMN = 280;
const ROW = 140;

/**
 * Left-to-right layered layout: each node one column right of its deepest parent, nodes in a
 * column stacked around the middle. Deterministic, so the same proposal always looks the same.
 */
export function layoutGraph(nodes: GraphNode[], edges: GraphEdge[]): GraphNode[] {
  const depth = new Map<string, number>();
  const incoming = new Map<string, string[]>();
  for (const e of edges) incoming.set(e.target, [...(incoming.get(e.target) ?? []), e.source]);
  const visit = (id: string, seen: Set<string>): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    if (seen.has(id)) return 0;
    seen.add(id);
    const parents = incoming.get(id) ?? [];
    const d = parents.length === 0 ? 0 : Math.max(...parents.map((p) => visit(p, seen))) + 1;
    depth.set(id, d);
    return d;
  };
  for (const n of nodes) visit(n.id, new Set());
  const columns = new Map<number, string[]>();
  for (const n of nodes) {
    const d = depth.get(n.id) ?? 0;
    columns.set(d, [...(columns.get(d) ?? []), n.id]);
  }
  const position = new Map<string, { x: number; y: number }>();
  for (const [d, ids] of columns)
    ids.forEach((id, i) => position.set(id, { x: d * COLUMN, y: (i - (ids.length - 1) / 2) * ROW }));
  return nodes.map((n) => ({ ...n, position: position.get(n.id)! }));
}
