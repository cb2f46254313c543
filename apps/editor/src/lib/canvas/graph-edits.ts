import type { GraphEdge, GraphNode, NodeTypeInfo, StickyNote, WorkflowGraph } from './types.ts';
import type { ConnectionAttempt } from './connection-rules.ts';

/**
 * Pure edits of a workflow graph. Each returns a new graph and shares the parts it did not change,
 * so history snapshots stay cheap and the canvas can tell what changed by reference.
 */

const NODE_ID = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/** The canvas key of an edge: its id, or its ends (two edges never share both ends). */
export function edgeKey(edge: Pick<GraphEdge, 'id' | 'source' | 'sourcePort' | 'target' | 'targetPort'>): string {
  return edge.id ?? `${edge.source}.${edge.sourcePort}->${edge.target}.${edge.targetPort}`;
}

/** A readable id not used yet: `code`, `code_2`, … from the type id `core.code`. */
export function freshNodeId(typeId: string, taken: ReadonlySet<string>): string {
  let base = (typeId.split('.').pop() ?? 'node').replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 56);
  if (!/^[A-Za-z]/.test(base)) base = `n_${base}`.slice(0, 56);
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) {
    const id = `${base}_${i}`;
    if (!taken.has(id)) return id;
  }
}

/** A fresh id for a sticky note. */
export function freshNoteId(taken: ReadonlySet<string>): string {
  for (let i = 1; ; i++) if (!taken.has(`note_${i}`)) return `note_${i}`;
}

export function isValidNodeId(id: string): boolean {
  return NODE_ID.test(id);
}

/**
 * Adds a node of `type` at `position`; returns the new graph and the node's id.
 *
 * @example
 * const { graph: next, id } = addNode(graph, codeType, { x: 200, y: 80 });
 */
export function addNode(
  graph: WorkflowGraph,
  type: Pick<NodeTypeInfo, 'id' | 'version'>,
  position: { x: number; y: number },
  params: Record<string, unknown> = {},
): { graph: WorkflowGraph; id: string } {
  const id = freshNodeId(type.id, new Set(graph.nodes.map((n) => n.id)));
  const node: GraphNode = { id, type: type.id, version: type.version, params, position: roundPosition(position) };
  return { graph: { ...graph, nodes: [...graph.nodes, node] }, id };
}

export function roundPosition(p: { x: number; y: number }): { x: number; y: number } {
  return { x: Math.round(p.x), y: Math.round(p.y) };
}

/** Replaces the node with the same id (a node panel edit). */
export function replaceNode(graph: WorkflowGraph, node: GraphNode): WorkflowGraph {
  const index = graph.nodes.findIndex((n) => n.id === node.id);
  if (index < 0) return graph;
  const nodes = graph.nodes.slice();
  nodes[index] = node;
  return { ...graph, nodes };
}

/** Adds an edge (the caller has checked it with `checkConnection`). */
export function connect(graph: WorkflowGraph, attempt: ConnectionAttempt): WorkflowGraph {
  const edge: GraphEdge = { ...attempt };
  return { ...graph, edges: [...graph.edges, edge] };
}

export interface Selection {
  nodeIds?: Iterable<string>;
  edgeKeys?: Iterable<string>;
  noteIds?: Iterable<string>;
}

/** Removes nodes (with their edges), edges and notes. */
export function removeElements(graph: WorkflowGraph, selection: Selection): WorkflowGraph {
  const nodeIds = new Set(selection.nodeIds ?? []);
  const edgeKeys = new Set(selection.edgeKeys ?? []);
  const noteIds = new Set(selection.noteIds ?? []);
  if (nodeIds.size === 0 && edgeKeys.size === 0 && noteIds.size === 0) return graph;
  const next: WorkflowGraph = {
    ...graph,
    nodes: nodeIds.size ? graph.nodes.filter((n) => !nodeIds.has(n.id)) : graph.nodes,
    edges: graph.edges.filter((e) => !edgeKeys.has(edgeKey(e)) && !nodeIds.has(e.source) && !nodeIds.has(e.target)),
  };
  if (graph.notes && noteIds.size) next.notes = graph.notes.filter((n) => !noteIds.has(n.id));
  return next;
}

/** Moves nodes and notes; ids not listed keep their place. Unchanged positions keep their objects. */
export function moveElements(
  graph: WorkflowGraph,
  positions: ReadonlyMap<string, { x: number; y: number }>,
  notePositions: ReadonlyMap<string, { x: number; y: number }> = new Map(),
): WorkflowGraph {
  let changed = false;
  const nodes = graph.nodes.map((n) => {
    const p = positions.get(n.id);
    if (!p) return n;
    const rounded = roundPosition(p);
    if (n.position && n.position.x === rounded.x && n.position.y === rounded.y) return n;
    changed = true;
    return { ...n, position: rounded };
  });
  const notes = graph.notes?.map((n) => {
    const p = notePositions.get(n.id);
    if (!p) return n;
    const rounded = roundPosition(p);
    if (n.position.x === rounded.x && n.position.y === rounded.y) return n;
    changed = true;
    return { ...n, position: rounded };
  });
  if (!changed) return graph;
  const next: WorkflowGraph = { ...graph, nodes };
  if (notes) next.notes = notes;
  return next;
}

/** Adds a sticky note; returns its id. */
export function addNote(
  graph: WorkflowGraph,
  position: { x: number; y: number },
  text = '',
): { graph: WorkflowGraph; id: string } {
  const id = freshNoteId(new Set((graph.notes ?? []).map((n) => n.id)));
  const note: StickyNote = { id, text, position: roundPosition(position), size: { width: 240, height: 140 } };
  return { graph: { ...graph, notes: [...(graph.notes ?? []), note] }, id };
}

/** Changes a sticky note's text, position or size. */
export function updateNote(graph: WorkflowGraph, id: string, patch: Partial<Omit<StickyNote, 'id'>>): WorkflowGraph {
  if (!graph.notes?.some((n) => n.id === id)) return graph;
  return { ...graph, notes: graph.notes.map((n) => (n.id === id ? { ...n, ...patch } : n)) };
}

/** Sets or clears `disabled` on the given nodes. */
export function setDisabled(graph: WorkflowGraph, ids: Iterable<string>, disabled: boolean): WorkflowGraph {
  const set = new Set(ids);
  return {
    ...graph,
    nodes: graph.nodes.map((n) => {
      if (!set.has(n.id)) return n;
      const next = { ...n };
      if (disabled) next.disabled = true;
      else delete next.disabled;
      return next;
    }),
  };
}

/**
 * The first place at or below `position` where a node of `size` overlaps no other node, so a
 * node added by click never hides another one.
 *
 * @example
 * addNode(graph, type, freeSpot(graph, canvas.center()));
 */
export function freeSpot(
  graph: WorkflowGraph,
  position: { x: number; y: number },
  size: { width: number; height: number } = { width: 220, height: 64 },
  gap = 24,
): { x: number; y: number } {
  const spot = roundPosition(position);
  const overlaps = () =>
    graph.nodes.some((n) => {
      const p = n.position;
      if (!p) return false;
      return (
        p.x < spot.x + size.width + gap &&
        spot.x < p.x + size.width + gap &&
        p.y < spot.y + size.height + gap &&
        spot.y < p.y + size.height + gap
      );
    });
  for (let i = 0; i < 200 && overlaps(); i++) spot.y += size.height + gap;
  return spot;
}
