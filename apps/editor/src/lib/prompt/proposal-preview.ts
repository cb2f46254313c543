import type { GraphNode, WorkflowGraph } from '../canvas/types.ts';
import { layoutGraph, needsLayout } from '../canvas/auto-layout.ts';
import { moveElements } from '../canvas/graph-edits.ts';
import type { PlannerProposal, ProposalPreview, Todo } from './types.ts';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A parameter's value by its dotted path (`channel`, `body.text`). */
export function paramAt(node: GraphNode | undefined, path: string): unknown {
  let value: unknown = node?.params;
  for (const part of path.split('.')) {
    if (!isRecord(value)) return undefined;
    value = value[part];
  }
  return value;
}

/** A human-readable form of a validation issue the planner could not repair. */
function issueText(issue: PlannerProposal['issues'][number]): string {
  const where = issue.nodeId ? `${issue.nodeId}${issue.param ? ` → ${issue.param}` : ''}: ` : '';
  return `${where}${issue.message}`;
}

/**
 * The preview after a proposal arrives. A follow-up ("only for issues labelled bug") answers
 * with the whole graph but explains, and lists to-dos and connections for, what it changed only:
 * what earlier turns said about steps that are still there is kept.
 *
 * @example
 * preview = nextPreview(preview, answer, placeProposal(workflow, answer.graph).graph);
 */
export function nextPreview(
  previous: ProposalPreview | undefined,
  proposal: Pick<PlannerProposal, 'explanation' | 'todo' | 'credentials' | 'summary' | 'issues' | 'planner'>,
  graph: WorkflowGraph,
): ProposalPreview {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const notes: Record<string, string> = {};
  for (const id of byId.keys()) if (previous?.notes[id]) notes[id] = previous.notes[id];
  for (const line of proposal.explanation) if (byId.has(line.nodeId)) notes[line.nodeId] = line.text;

  const todos: Todo[] = [];
  const seen = new Set<string>();
  const fresh = proposal.todo.map((t) => ({ ...t, placeholder: paramAt(byId.get(t.nodeId), t.param) }));
  for (const t of [...fresh, ...(previous?.todos ?? [])]) {
    const key = `${t.nodeId}\u0000${t.param}`;
    if (seen.has(key) || !byId.has(t.nodeId)) continue;
    seen.add(key);
    todos.push(t);
  }
  const credentials: ProposalPreview['credentials'] = [];
  const seenCred = new Set<string>();
  for (const c of [...(previous?.credentials ?? []), ...proposal.credentials]) {
    const key = `${c.nodeId}\u0000${c.kind}`;
    if (seenCred.has(key) || !byId.has(c.nodeId)) continue;
    seenCred.add(key);
    credentials.push(c);
  }
  return {
    graph,
    notes,
    todos,
    credentials,
    summary: proposal.summary,
    issues: proposal.issues.map(issueText),
    planner: proposal.planner,
  };
}

/**
 * The to-dos still open in `graph`: the node is there and the parameter still holds the
 * planner's placeholder (filling it in, in the node panel, ticks it off).
 */
export function openTodos(todos: readonly Todo[], graph: WorkflowGraph): Todo[] {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  return todos.filter((t) => byId.has(t.nodeId) && same(paramAt(byId.get(t.nodeId), t.param), t.placeholder));
}

export interface NeededConnection {
  kind: string;
  /** The steps that use a connection of this kind and have none chosen yet. */
  nodeIds: string[];
}

/**
 * The connections to pick when confirming, one per credential kind: the kinds the planner named
 * plus the kinds each step's type requires, for steps that have no connection of that kind yet.
 *
 * @example
 * neededConnections(graph, preview.credentials, (n) => typeOf(n)?.credentials ?? [])
 * // [{ kind: 'slack', nodeIds: ['post_to_slack'] }]
 */
export function neededConnections(
  graph: WorkflowGraph,
  named: ReadonlyArray<{ nodeId: string; kind: string }>,
  requirements: (node: GraphNode) => ReadonlyArray<{ kind: string; required?: boolean }>,
): NeededConnection[] {
  const out = new Map<string, string[]>();
  const add = (kind: string, node: GraphNode) => {
    if (node.credentials?.[kind]) return;
    const list = out.get(kind) ?? [];
    if (!list.includes(node.id)) list.push(node.id);
    out.set(kind, list);
  };
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  for (const c of named) {
    const node = byId.get(c.nodeId);
    if (node) add(c.kind, node);
  }
  for (const node of graph.nodes) for (const r of requirements(node)) if (r.required !== false) add(r.kind, node);
  return [...out].map(([kind, nodeIds]) => ({ kind, nodeIds }));
}

/** Writes the chosen connection of each kind into the steps that need it (`node.credentials[kind] = id`). */
export function withConnections(
  graph: WorkflowGraph,
  needed: readonly NeededConnection[],
  chosen: Readonly<Record<string, string>>,
): WorkflowGraph {
  const assign = new Map<string, Record<string, string>>();
  for (const { kind, nodeIds } of needed) {
    const id = chosen[kind];
    if (!id) continue;
    for (const nodeId of nodeIds) assign.set(nodeId, { ...(assign.get(nodeId) ?? {}), [kind]: id });
  }
  if (assign.size === 0) return graph;
  return {
    ...graph,
    nodes: graph.nodes.map((n) => {
      const add = assign.get(n.id);
      return add ? { ...n, credentials: { ...(n.credentials ?? {}), ...add } } : n;
    }),
  };
}

/**
 * The workflow with the confirmed proposal in it: the proposal's steps and wires, the workflow's
 * own name, description and sticky notes; laid out when a step has no position.
 *
 * @example
 * doc.apply(confirmProposal(doc.graph, withConnections(preview.graph, needed, chosen)));
 */
export function confirmProposal(workflow: WorkflowGraph, proposed: WorkflowGraph): WorkflowGraph {
  let next: WorkflowGraph = {
    ...workflow,
    nodes: proposed.nodes,
    edges: proposed.edges,
    settings: { ...(workflow.settings ?? {}), ...(proposed.settings ?? {}) },
  };
  if (!workflow.description && proposed.description) next.description = proposed.description;
  const notes = proposed.notes ?? workflow.notes;
  if (notes) next.notes = notes;
  if (needsLayout(next)) next = moveElements(next, layoutGraph(next));
  return next;
}
