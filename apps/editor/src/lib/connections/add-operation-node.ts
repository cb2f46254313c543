import type { OperationArgs, OperationNodeParams } from './types.ts';

interface GraphNodeLike {
  id: string;
  type: string;
  position?: { x: number; y: number };
  [key: string]: unknown;
}

interface GraphEdgeLike {
  source: string;
  sourcePort?: string;
  target: string;
  targetPort?: string;
  [key: string]: unknown;
}

/** The part of a workflow graph this module reads and writes; everything else is kept as it is. */
export interface GraphLike {
  name?: string;
  nodes: GraphNodeLike[];
  edges: GraphEdgeLike[];
  [key: string]: unknown;
}

export interface AppendOperation {
  params: OperationNodeParams;
  args: OperationArgs;
  /** `{ [credential kind]: connection id }` */
  credentials?: Record<string, string>;
  /** Output ports by node type (from the catalog), to wire the new node after the last one. */
  outputsOf?: (type: string) => string[] | undefined;
}

/** Horizontal distance between a node and the one added after it. */
export const NODE_SPACING_X = 280;
const MANUAL_TRIGGER = 'core.manual_trigger';

/**
 * Adds an `api.operation` node for an operation to a workflow graph: to the right of the
 * rightmost node, wired from it when that node ends a branch (its first output port); an empty
 * graph gets a manual trigger first, so the result can run. Returns a new graph and the node id.
 *
 * @example
 * const { graph: next, nodeId } = appendOperationNode(graph, { params, args: { path: { petId: 10 }, query: {}, headers: {} } });
 * nodeId; // → 'get_pet_by_id'
 */
export function appendOperationNode(graph: GraphLike, add: AppendOperation): { graph: GraphLike; nodeId: string } {
  const nodes = [...graph.nodes];
  const edges = [...graph.edges];
  if (nodes.length === 0)
    nodes.push({ id: 'start', type: MANUAL_TRIGGER, version: 1, params: {}, position: { x: 0, y: 0 } });

  const last = rightmost(nodes, edges);
  const nodeId = uniqueId(snakeCase(add.params.operation.operationId), new Set(nodes.map((n) => n.id)));
  const position = last?.position
    ? { x: last.position.x + NODE_SPACING_X, y: last.position.y }
    : { x: NODE_SPACING_X * nodes.length, y: 0 };
  const args: Record<string, unknown> = { path: add.args.path, query: add.args.query, headers: add.args.headers };
  if (add.args.body !== undefined) args.body = add.args.body;
  nodes.push({
    id: nodeId,
    type: 'api.operation',
    version: 1,
    name: add.params.operation.summary || add.params.operation.operationId,
    params: { ...add.params, args },
    ...(add.credentials && Object.keys(add.credentials).length > 0 ? { credentials: add.credentials } : {}),
    position,
  });
  if (last) {
    const ports = last.type === MANUAL_TRIGGER ? ['main'] : (add.outputsOf?.(last.type) ?? ['main']);
    if (ports.length > 0) edges.push({ source: last.id, sourcePort: ports[0]!, target: nodeId, targetPort: 'main' });
  }
  return { graph: { ...graph, nodes, edges }, nodeId };
}

/** The node to continue from: the rightmost node without outgoing edges (else the rightmost). */
function rightmost(nodes: GraphNodeLike[], edges: GraphEdgeLike[]): GraphNodeLike | undefined {
  const leaves = nodes.filter((n) => !edges.some((e) => e.source === n.id));
  const pool = leaves.length > 0 ? leaves : nodes;
  let best: GraphNodeLike | undefined;
  for (const node of pool) if (!best || (node.position?.x ?? 0) >= (best.position?.x ?? 0)) best = node;
  return best;
}

/**
 * A node id from an operation id: `getPetById` → `get_pet_by_id`, `issues/create` → `issues_create`.
 *
 * @example snakeCase('getPetById') // 'get_pet_by_id'
 */
export function snakeCase(operationId: string): string {
  const words = operationId
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  const id = /^[a-z]/.test(words) ? words : `op_${words}`;
  return id.slice(0, 56) || 'operation';
}

function uniqueId(base: string, taken: Set<string>): string {
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}_${i}`)) return `${base}_${i}`;
}
