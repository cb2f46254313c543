import type { GraphEdge, GraphNode, WorkflowGraph } from './types.ts';

export interface FieldChange {
  /** `params.url`, `name`, `credentials.github`, `policy.retry.maxAttempts`, … */
  path: string;
  before: unknown;
  after: unknown;
}

export interface NodeChange {
  id: string;
  label: string;
  changes: FieldChange[];
}

export interface GraphDiff {
  nameChanged?: { before: string; after: string };
  addedNodes: GraphNode[];
  removedNodes: GraphNode[];
  changedNodes: NodeChange[];
  addedEdges: GraphEdge[];
  removedEdges: GraphEdge[];
  /** Nodes whose only change is their position. */
  movedNodes: string[];
  notesChanged: boolean;
  settingsChanged: boolean;
  /** Nothing at all differs (positions included). */
  same: boolean;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => equal(v, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => equal(a[k], b[k]));
  }
  return false;
}

/** Leaf-level differences between two values; an expression object counts as one leaf. */
function fieldChanges(before: unknown, after: unknown, path: string, out: FieldChange[]): void {
  if (equal(before, after)) return;
  const leaf = (v: unknown) => !isRecord(v) || v.kind === 'expr';
  if (leaf(before) || leaf(after)) {
    out.push({ path, before, after });
    return;
  }
  const a = before as Record<string, unknown>;
  const b = after as Record<string, unknown>;
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)]))
    fieldChanges(a[key], b[key], path === '' ? key : `${path}.${key}`, out);
}

/**
 * What changed from `before` (e.g. a saved version) to `after` (e.g. the open graph): nodes added,
 * removed and changed (each param that differs), edges added and removed.
 *
 * @example
 * const diff = diffGraphs(version.graph, editor.graph);
 * for (const n of diff.changedNodes) console.log(n.id, n.changes.map((c) => c.path));
 */
export function diffGraphs(before: WorkflowGraph, after: WorkflowGraph): GraphDiff {
  const beforeNodes = new Map(before.nodes.map((n) => [n.id, n]));
  const afterNodes = new Map(after.nodes.map((n) => [n.id, n]));
  const addedNodes = after.nodes.filter((n) => !beforeNodes.has(n.id));
  const removedNodes = before.nodes.filter((n) => !afterNodes.has(n.id));
  const changedNodes: NodeChange[] = [];
  const movedNodes: string[] = [];
  for (const node of after.nodes) {
    const old = beforeNodes.get(node.id);
    if (!old || old === node) continue;
    const changes: FieldChange[] = [];
    const { position: p1, ...restBefore } = old;
    const { position: p2, ...restAfter } = node;
    fieldChanges(restBefore, restAfter, '', changes);
    if (changes.length > 0) changedNodes.push({ id: node.id, label: node.name ?? node.id, changes });
    else if (!equal(p1, p2)) movedNodes.push(node.id);
  }
  const keyOf = (e: GraphEdge) => `${e.source}.${e.sourcePort}->${e.target}.${e.targetPort}`;
  const beforeEdges = new Set(before.edges.map(keyOf));
  const afterEdges = new Set(after.edges.map(keyOf));
  const addedEdges = after.edges.filter((e) => !beforeEdges.has(keyOf(e)));
  const removedEdges = before.edges.filter((e) => !afterEdges.has(keyOf(e)));
  const notesChanged = !equal(before.notes ?? [], after.notes ?? []);
  const settingsChanged = !equal(before.settings ?? {}, after.settings ?? {});
  const diff: GraphDiff = {
    addedNodes,
    removedNodes,
    changedNodes,
    addedEdges,
    removedEdges,
    movedNodes,
    notesChanged,
    settingsChanged,
    same: false,
  };
  if (before.name !== after.name) diff.nameChanged = { before: before.name, after: after.name };
  diff.same =
    !diff.nameChanged &&
    addedNodes.length + removedNodes.length + changedNodes.length + movedNodes.length === 0 &&
    addedEdges.length + removedEdges.length === 0 &&
    !notesChanged &&
    !settingsChanged &&
    equal(before.description, after.description);
  return diff;
}

/** `hook.main → code.main`, for lists of edges. */
export function describeEdge(edge: GraphEdge): string {
  const port = (p: string) => (p === 'main' ? '' : `.${p}`);
  return `${edge.source}${port(edge.sourcePort)} → ${edge.target}${port(edge.targetPort)}`;
}
