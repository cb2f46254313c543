import type { GraphEdge, GraphNode, StickyNote, WorkflowGraph } from './types.ts';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The graph as the API returns it (a draft may be unfinished) with the schema's defaults filled
 * in, so the canvas can rely on `version`, `params`, ports and arrays being there. Unknown fields
 * are kept; nothing is validated here (the validator reports problems).
 *
 * @example
 * const graph = normalizeGraph(workflow.graph, workflow.name);
 */
export function normalizeGraph(raw: unknown, fallbackName = 'Untitled workflow'): WorkflowGraph {
  const g = isRecord(raw) ? raw : {};
  const nodes: GraphNode[] = (Array.isArray(g.nodes) ? g.nodes : []).filter(isRecord).map((n) => ({
    ...(n as unknown as GraphNode),
    id: String(n.id ?? ''),
    type: String(n.type ?? ''),
    version: typeof n.version === 'number' ? n.version : 1,
    params: isRecord(n.params) ? n.params : {},
  }));
  const edges: GraphEdge[] = (Array.isArray(g.edges) ? g.edges : []).filter(isRecord).map((e) => ({
    ...(e as unknown as GraphEdge),
    source: String(e.source ?? ''),
    sourcePort: typeof e.sourcePort === 'string' ? e.sourcePort : 'main',
    target: String(e.target ?? ''),
    targetPort: typeof e.targetPort === 'string' ? e.targetPort : 'main',
  }));
  const graph: WorkflowGraph = {
    ...(g as Partial<WorkflowGraph>),
    apiq: 1,
    name: typeof g.name === 'string' && g.name !== '' ? g.name : fallbackName,
    nodes,
    edges,
    settings: isRecord(g.settings) ? (g.settings as WorkflowGraph['settings']) : {},
  };
  if (Array.isArray(g.notes)) graph.notes = g.notes.filter(isRecord) as unknown as StickyNote[];
  return graph;
}
