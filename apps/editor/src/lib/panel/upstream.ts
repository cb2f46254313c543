/** The edges of a workflow graph, as far as the upstream walk needs them. */
export interface GraphShape {
  nodes: readonly { id: string }[];
  edges: readonly { source: string; target: string }[];
}

/**
 * Ids of the nodes whose output can reach `nodeId` (its ancestors), nearest first; the node
 * itself is never included, even inside a cycle. These are the steps an expression on the
 * node may read as `$steps.<id>`.
 *
 * @example upstreamNodeIds({ nodes, edges: [{ source: 'a', target: 'b' }, { source: 'b', target: 'c' }] }, 'c')
 * // ['b', 'a']
 */
export function upstreamNodeIds(graph: GraphShape, nodeId: string): string[] {
  const parents = new Map<string, string[]>();
  for (const e of graph.edges) {
    const list = parents.get(e.target) ?? [];
    list.push(e.source);
    parents.set(e.target, list);
  }
  const seen = new Set<string>([nodeId]);
  const order: string[] = [];
  let frontier = [nodeId];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const id of frontier) {
      for (const parent of parents.get(id) ?? []) {
        if (seen.has(parent)) continue;
        seen.add(parent);
        order.push(parent);
        next.push(parent);
      }
    }
    frontier = next;
  }
  const known = new Set(graph.nodes.map((n) => n.id));
  return order.filter((id) => known.has(id));
}

/** Ids of the nodes wired straight into `nodeId`'s inputs (the source of `$input`). */
export function directParents(graph: GraphShape, nodeId: string): string[] {
  return [...new Set(graph.edges.filter((e) => e.target === nodeId).map((e) => e.source))];
}
