import { freshNodeId, freshNoteId, roundPosition } from './graph-edits.ts';
import type { GraphEdge, GraphNode, StickyNote, WorkflowGraph } from './types.ts';

/** What copy puts on the clipboard: a piece of a graph, recognisable by its `apiq` marker. */
export interface GraphFragment {
  apiq: 'fragment';
  version: 1;
  nodes: GraphNode[];
  /** Only edges between copied nodes. */
  edges: GraphEdge[];
  notes: StickyNote[];
}

/**
 * The selected nodes and notes as a fragment, with the edges between them.
 *
 * @example
 * const text = serializeFragment(copyFragment(graph, ['code', 'if']));
 */
export function copyFragment(
  graph: WorkflowGraph,
  nodeIds: Iterable<string>,
  noteIds: Iterable<string> = [],
): GraphFragment {
  const ids = new Set(nodeIds);
  const notes = new Set(noteIds);
  return {
    apiq: 'fragment',
    version: 1,
    nodes: graph.nodes.filter((n) => ids.has(n.id)),
    edges: graph.edges.filter((e) => ids.has(e.source) && ids.has(e.target)).map(({ id: _id, ...rest }) => rest),
    notes: (graph.notes ?? []).filter((n) => notes.has(n.id)),
  };
}

export function serializeFragment(fragment: GraphFragment): string {
  return JSON.stringify(fragment, null, 2);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads clipboard text: a fragment, or a whole workflow graph (its nodes, edges and notes are pasted).
 * Returns an error message that says what is wrong when the text is neither.
 */
export function parseFragment(text: string): { ok: true; fragment: GraphFragment } | { ok: false; error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return {
      ok: false,
      error: 'The clipboard does not hold APIQ nodes (it is not JSON). Copy nodes in an editor first.',
    };
  }
  if (!isRecord(value) || !Array.isArray(value.nodes))
    return {
      ok: false,
      error: 'The clipboard does not hold APIQ nodes (no "nodes" list). Copy nodes in an editor first.',
    };
  const nodes: GraphNode[] = [];
  for (const [i, raw] of value.nodes.entries()) {
    if (!isRecord(raw) || typeof raw.id !== 'string' || typeof raw.type !== 'string')
      return { ok: false, error: `Cannot paste: nodes[${i}] needs a string "id" and "type".` };
    nodes.push({
      ...(raw as GraphNode),
      version: typeof raw.version === 'number' ? raw.version : 1,
      params: isRecord(raw.params) ? raw.params : {},
    });
  }
  const edges: GraphEdge[] = [];
  for (const raw of Array.isArray(value.edges) ? value.edges : []) {
    if (!isRecord(raw) || typeof raw.source !== 'string' || typeof raw.target !== 'string') continue;
    edges.push({
      source: raw.source,
      sourcePort: typeof raw.sourcePort === 'string' ? raw.sourcePort : 'main',
      target: raw.target,
      targetPort: typeof raw.targetPort === 'string' ? raw.targetPort : 'main',
    });
  }
  const notes: StickyNote[] = [];
  for (const raw of Array.isArray(value.notes) ? value.notes : []) {
    if (isRecord(raw) && typeof raw.id === 'string' && typeof raw.text === 'string' && isRecord(raw.position))
      notes.push(raw as unknown as StickyNote);
  }
  if (nodes.length === 0 && notes.length === 0) return { ok: false, error: 'The clipboard holds no nodes to paste.' };
  return { ok: true, fragment: { apiq: 'fragment', version: 1, nodes, edges, notes } };
}

/** Rewrites `$steps.<old>` references inside expression params to the pasted ids. */
function remapExpressions(value: unknown, ids: ReadonlyMap<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => remapExpressions(v, ids));
  if (!isRecord(value)) return value;
  if (value.kind === 'expr' && typeof value.src === 'string') {
    const src = value.src.replace(/\$steps\.([A-Za-z][A-Za-z0-9_-]*)/g, (whole, id: string) =>
      ids.has(id) ? `$steps.${ids.get(id)}` : whole,
    );
    return { ...value, src };
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = remapExpressions(v, ids);
  return out;
}

function topLeft(fragment: GraphFragment): { x: number; y: number } {
  const points = [...fragment.nodes.map((n) => n.position ?? { x: 0, y: 0 }), ...fragment.notes.map((n) => n.position)];
  return {
    x: Math.min(...points.map((p) => p.x)),
    y: Math.min(...points.map((p) => p.y)),
  };
}

/**
 * Adds a fragment to a graph with fresh ids, keeping its internal edges. Placed with its top-left
 * corner at `at`, or offset by `offset` from where it was copied.
 *
 * @example
 * const { graph: next, nodeIds } = pasteFragment(graph, fragment, { offset: { x: 40, y: 40 } });
 */
export function pasteFragment(
  graph: WorkflowGraph,
  fragment: GraphFragment,
  place: { at: { x: number; y: number } } | { offset: { x: number; y: number } },
): { graph: WorkflowGraph; nodeIds: string[]; noteIds: string[] } {
  const taken = new Set(graph.nodes.map((n) => n.id));
  const ids = new Map<string, string>();
  for (const node of fragment.nodes) {
    const id = freshNodeId(node.id.replace(/_\d+$/, ''), taken);
    taken.add(id);
    ids.set(node.id, id);
  }
  const origin = topLeft(fragment);
  const shift = 'at' in place ? { x: place.at.x - origin.x, y: place.at.y - origin.y } : place.offset;
  const move = (p: { x: number; y: number } | undefined) =>
    roundPosition({ x: (p?.x ?? origin.x) + shift.x, y: (p?.y ?? origin.y) + shift.y });

  const nodes: GraphNode[] = fragment.nodes.map((node) => ({
    ...node,
    id: ids.get(node.id) as string,
    params: remapExpressions(node.params, ids) as Record<string, unknown>,
    position: move(node.position),
  }));
  const edges: GraphEdge[] = fragment.edges
    .filter((e) => ids.has(e.source) && ids.has(e.target))
    .map((e) => ({ ...e, source: ids.get(e.source) as string, target: ids.get(e.target) as string }));
  const takenNotes = new Set((graph.notes ?? []).map((n) => n.id));
  const notes: StickyNote[] = fragment.notes.map((note) => {
    const id = freshNoteId(takenNotes);
    takenNotes.add(id);
    return { ...note, id, position: move(note.position) };
  });
  const next: WorkflowGraph = { ...graph, nodes: [...graph.nodes, ...nodes], edges: [...graph.edges, ...edges] };
  if (notes.length > 0 || graph.notes) next.notes = [...(graph.notes ?? []), ...notes];
  return { graph: next, nodeIds: nodes.map((n) => n.id), noteIds: notes.map((n) => n.id) };
}
