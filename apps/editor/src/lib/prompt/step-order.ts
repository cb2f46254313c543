import type { WorkflowGraph } from '../canvas/types.ts';

/**
 * Step numbers (1, 2, …) in the order data flows: a node comes after every node wired into it;
 * nodes that do not depend on each other keep their order in the graph. Nodes on a cycle (an
 * invalid graph) follow the rest in graph order.
 *
 * @example
 * stepNumbers(graph).get('post_to_slack') // 2
 */
export function stepNumbers(graph: WorkflowGraph): Map<string, number> {
  const index = new Map(graph.nodes.map((n, i) => [n.id, i]));
  const waiting = new Map<string, number>();
  const next = new Map<string, string[]>();
  for (const n of graph.nodes) waiting.set(n.id, 0);
  for (const e of graph.edges) {
    if (!index.has(e.source) || !index.has(e.target) || e.source === e.target) continue;
    waiting.set(e.target, (waiting.get(e.target) ?? 0) + 1);
    next.set(e.source, [...(next.get(e.source) ?? []), e.target]);
  }
  const ready = graph.nodes.filter((n) => waiting.get(n.id) === 0).map((n) => n.id);
  const order: string[] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => index.get(a)! - index.get(b)!);
    const id = ready.shift()!;
    order.push(id);
    for (const t of next.get(id) ?? []) {
      const left = waiting.get(t)! - 1;
      waiting.set(t, left);
      if (left === 0) ready.push(t);
    }
  }
  const placed = new Set(order);
  for (const n of graph.nodes) if (!placed.has(n.id)) order.push(n.id);
  return new Map(order.map((id, i) => [id, i + 1]));
}
