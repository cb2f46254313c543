/** Node box size and spacing shared by the preview and the canvas positions of a new workflow. */
export const BOX = { width: 184, height: 56, gapX: 72, gapY: 28 } as const;

export interface LayoutEdge {
  source: string;
  target: string;
}

/** Top-left corner of each node's box by id. */
export type Layout = Map<string, { x: number; y: number; layer: number; row: number }>;

/**
 * A deterministic left-to-right layered layout: a node's column is its longest path from a node
 * without inputs; rows keep the input order, then follow the mean row of each node's parents so
 * edges cross less. The same graph always gives the same layout.
 *
 * @example
 * layoutGraph(['hook', 'post'], [{ source: 'hook', target: 'post' }]).get('post'); // { x: 256, y: 0, layer: 1, row: 0 }
 */
export function layoutGraph(nodeIds: readonly string[], edges: readonly LayoutEdge[]): Layout {
  const known = new Set(nodeIds);
  const parents = new Map<string, string[]>(nodeIds.map((id) => [id, []]));
  const children = new Map<string, string[]>(nodeIds.map((id) => [id, []]));
  for (const e of edges) {
    if (!known.has(e.source) || !known.has(e.target) || e.source === e.target) continue;
    parents.get(e.target)!.push(e.source);
    children.get(e.source)!.push(e.target);
  }
  // Kahn's order; nodes left over sit on a cycle and keep layer 0 plus what was reached.
  const layer = new Map<string, number>(nodeIds.map((id) => [id, 0]));
  const pending = new Map(nodeIds.map((id) => [id, parents.get(id)!.length]));
  const queue = nodeIds.filter((id) => pending.get(id) === 0);
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i]!;
    for (const child of children.get(id)!) {
      layer.set(child, Math.max(layer.get(child)!, layer.get(id)! + 1));
      pending.set(child, pending.get(child)! - 1);
      if (pending.get(child) === 0) queue.push(child);
    }
  }
  const columns: string[][] = [];
  for (const id of nodeIds) (columns[layer.get(id)!] ??= []).push(id);
  const rowOf = new Map<string, number>();
  for (const column of columns) {
    if (!column) continue;
    const order = new Map(column.map((id, i) => [id, i]));
    const key = (id: string) => {
      const rows = parents
        .get(id)!
        .map((p) => rowOf.get(p))
        .filter((r): r is number => r !== undefined);
      return rows.length ? rows.reduce((a, b) => a + b, 0) / rows.length : order.get(id)!;
    };
    column.sort((a, b) => key(a) - key(b) || order.get(a)! - order.get(b)!);
    column.forEach((id, i) => rowOf.set(id, i));
  }
  const tallest = Math.max(1, ...columns.map((c) => c?.length ?? 0));
  const out: Layout = new Map();
  columns.forEach((column, l) => {
    if (!column) return;
    const offset = ((tallest - column.length) * (BOX.height + BOX.gapY)) / 2;
    column.forEach((id, row) =>
      out.set(id, {
        x: l * (BOX.width + BOX.gapX),
        y: Math.round(offset + row * (BOX.height + BOX.gapY)),
        layer: l,
        row,
      }),
    );
  });
  return out;
}
