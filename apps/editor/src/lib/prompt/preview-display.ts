import { diffGraphs } from '../canvas/graph-diff.ts';
import { edgeKey } from '../canvas/graph-edits.ts';
import type { GraphEdge, GraphNode, NodeMark, PreviewMarks, WorkflowGraph } from '../canvas/types.ts';

/** The canvas's view of a proposal: the proposed graph plus the workflow's removed nodes and edges as ghosts. */
export interface PreviewDisplay {
  /** Proposed nodes first (so validation paths still point at them), then the ghosts. */
  graph: WorkflowGraph;
  marks: PreviewMarks;
  counts: { added: number; changed: number; removed: number };
  ghostNodes: ReadonlySet<GraphNode>;
  ghostEdges: ReadonlySet<GraphEdge>;
}

const ends = (e: GraphEdge) => `${e.source}.${e.sourcePort}->${e.target}.${e.targetPort}`;

/**
 * Compares a proposal with the open workflow for the canvas: new nodes and edges marked
 * `added`, nodes whose settings differ `changed`, and what the proposal drops kept on the canvas
 * as `removed` ghosts (at `ghostPositions` when given, else where they were).
 *
 * @example
 * const view = previewDisplay(workflow, proposal.graph, stepNumbers(proposal.graph));
 * <WorkflowCanvas graph={view.graph} marks={view.marks} … />
 */
export function previewDisplay(
  base: WorkflowGraph,
  proposed: WorkflowGraph,
  steps: ReadonlyMap<string, number>,
  ghostPositions: Readonly<Record<string, { x: number; y: number }>> = {},
): PreviewDisplay {
  const diff = diffGraphs(base, proposed);
  const added = new Set(diff.addedNodes.map((n) => n.id));
  const changed = new Set(diff.changedNodes.map((n) => n.id));
  const nodes: Record<string, NodeMark> = {};
  for (const n of proposed.nodes) {
    const change = added.has(n.id) ? 'added' : changed.has(n.id) ? 'changed' : 'kept';
    const step = steps.get(n.id);
    nodes[n.id] = step === undefined ? { change } : { change, step };
  }
  const edges: Record<string, 'added' | 'removed'> = {};
  const baseEdges = new Set(base.edges.map(ends));
  for (const e of proposed.edges) if (!baseEdges.has(ends(e))) edges[edgeKey(e)] = 'added';

  const ghostNodes = diff.removedNodes.map((n) => {
    const at = ghostPositions[n.id] ?? n.position;
    return at ? { ...n, position: at } : n;
  });
  for (const n of ghostNodes) nodes[n.id] = { change: 'removed' };
  const proposedIds = new Set(proposed.nodes.map((n) => n.id));
  const shown = new Set([...proposedIds, ...ghostNodes.map((n) => n.id)]);
  const ghostEdges = diff.removedEdges
    .filter((e) => shown.has(e.source) && shown.has(e.target))
    .map((e) => ({ ...e, id: `removed:${ends(e)}` }));
  for (const e of ghostEdges) edges[edgeKey(e)] = 'removed';

  return {
    graph: { ...proposed, nodes: [...proposed.nodes, ...ghostNodes], edges: [...proposed.edges, ...ghostEdges] },
    marks: { nodes, edges },
    counts: { added: added.size, changed: changed.size, removed: ghostNodes.length },
    ghostNodes: new Set(ghostNodes),
    ghostEdges: new Set(ghostEdges),
  };
}

/**
 * An edit made on the preview canvas, back on the proposed graph: the ghosts (left untouched by
 * the canvas, which cannot select, move or wire them) are dropped again.
 *
 * @example
 * preview.apply(withoutGhosts(nextFromCanvas, view));
 */
export function withoutGhosts(
  graph: WorkflowGraph,
  display: Pick<PreviewDisplay, 'ghostNodes' | 'ghostEdges'>,
): WorkflowGraph {
  const nodes = graph.nodes.filter((n) => !display.ghostNodes.has(n));
  const ids = new Set(nodes.map((n) => n.id));
  const edges = graph.edges.filter((e) => !display.ghostEdges.has(e) && ids.has(e.source) && ids.has(e.target));
  if (nodes.length === graph.nodes.length && edges.length === graph.edges.length) return graph;
  return { ...graph, nodes, edges };
}
