import { Graph, layout } from '@dagrejs/dagre';
import type { WorkflowGraph } from './types.ts';

export const DEFAULT_NODE_SIZE = { width: 220, height: 64 };

/**
 * Positions for every node, left to right along the edges (dagre), as top-left corners.
 * Sizes are the measured ones when known. Notes keep their place.
 *
 * @example
 * const positions = layoutGraph(graph, (id) => measured.get(id));
 * graph = moveElements(graph, positions);
 */
export function layoutGraph(
  graph: WorkflowGraph,
  sizeOf: (id: string) => { width: number; height: number } | undefined = () => undefined,
): Map<string, { x: number; y: number }> {
  const g = new Graph({ multigraph: true });
  g.setGraph({ rankdir: 'LR', nodesep: 40, ranksep: 90, marginx: 0, marginy: 0 });
  g.setDefaultEdgeLabel(() => ({}));
  const ids = new Set(graph.nodes.map((n) => n.id));
  for (const node of graph.nodes) {
    const size = sizeOf(node.id) ?? DEFAULT_NODE_SIZE;
    g.setNode(node.id, { width: size.width, height: size.height });
  }
  for (const [i, edge] of graph.edges.entries()) {
    if (ids.has(edge.source) && ids.has(edge.target) && edge.source !== edge.target)
      g.setEdge(edge.source, edge.target, {}, `e${i}`);
  }
  layout(g);
  const positions = new Map<string, { x: number; y: number }>();
  for (const node of graph.nodes) {
    const placed = g.node(node.id);
    const size = sizeOf(node.id) ?? DEFAULT_NODE_SIZE;
    positions.set(node.id, { x: Math.round(placed.x - size.width / 2), y: Math.round(placed.y - size.height / 2) });
  }
  return positions;
}

/** Whether any node lacks a position (an imported or generated graph): then lay it out on open. */
export function needsLayout(graph: WorkflowGraph): boolean {
  return graph.nodes.some((n) => !n.position);
}
