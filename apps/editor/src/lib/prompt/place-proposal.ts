import { layoutGraph } from '../canvas/auto-layout.ts';
import { diffGraphs } from '../canvas/graph-diff.ts';
import type { WorkflowGraph } from '../canvas/types.ts';

export interface PlacedProposal {
  graph: WorkflowGraph;
  /** Where the workflow's nodes that the proposal removes are shown (ghosts). */
  ghostPositions: Record<string, { x: number; y: number }>;
}

/**
 * Positions for a proposal on the canvas. A proposal that only changes settings keeps the
 * workflow's layout; one that adds, removes or rewires steps is laid out left to right (dagre)
 * together with the removed steps, so the ghosts sit where they were in the flow.
 *
 * @example
 * const { graph, ghostPositions } = placeProposal(workflow, proposal.graph, (id) => canvas.sizes().get(id));
 */
export function placeProposal(
  base: WorkflowGraph,
  proposed: WorkflowGraph,
  sizeOf: (id: string) => { width: number; height: number } | undefined = () => undefined,
): PlacedProposal {
  const diff = diffGraphs(base, proposed);
  const basePositions = new Map(base.nodes.map((n) => [n.id, n.position]));
  const sameShape =
    diff.addedNodes.length + diff.removedNodes.length + diff.addedEdges.length + diff.removedEdges.length === 0;
  if (sameShape && proposed.nodes.every((n) => basePositions.get(n.id))) {
    return {
      graph: { ...proposed, nodes: proposed.nodes.map((n) => ({ ...n, position: basePositions.get(n.id)! })) },
      ghostPositions: {},
    };
  }
  const proposedIds = new Set(proposed.nodes.map((n) => n.id));
  const together: WorkflowGraph = {
    ...proposed,
    nodes: [...proposed.nodes, ...diff.removedNodes],
    edges: [...proposed.edges, ...diff.removedEdges],
  };
  const positions = layoutGraph(together, sizeOf);
  const ghostPositions: Record<string, { x: number; y: number }> = {};
  for (const n of diff.removedNodes) {
    const at = positions.get(n.id);
    if (at && !proposedIds.has(n.id)) ghostPositions[n.id] = at;
  }
  return {
    graph: { ...proposed, nodes: proposed.nodes.map((n) => ({ ...n, position: positions.get(n.id) ?? n.position })) },
    ghostPositions,
  };
}
