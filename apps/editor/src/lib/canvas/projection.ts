import type { Edge, Node } from '@xyflow/svelte';
import { edgeKey } from './graph-edits.ts';
import type {
  GraphEdge,
  GraphNode,
  NodeIssue,
  NodeMark,
  NodeRunState,
  PreviewMarks,
  NodeTypeInfo,
  RunStatuses,
  StickyNote,
  TypeLookup,
  WorkflowGraph,
} from './types.ts';

/**
 * The canvas is a projection of the graph: each graph node becomes a `step` flow node, each sticky
 * note a `note` flow node, each edge a flow edge whose handles are the ports. Projection reuses
 * the previous flow objects when nothing about them changed, so Svelte Flow keeps their measured
 * size and selection and re-renders only what changed.
 */

export interface StepData extends Record<string, unknown> {
  node: GraphNode;
  nodeType: NodeTypeInfo | undefined;
  run: NodeRunState | undefined;
  issues: NodeIssue[];
  pinned: boolean;
  readonly: boolean;
  /** Show the `error` output: the node continues on error, or a wire already leaves it. */
  errorPort: boolean;
  /** In a proposal preview: added / changed / removed, and the step number. */
  mark?: NodeMark | undefined;
}

export interface NoteData extends Record<string, unknown> {
  note: StickyNote;
  readonly: boolean;
}

export type StepFlowNode = Node<StepData, 'step'>;
export type NoteFlowNode = Node<NoteData, 'note'>;
export type FlowNode = StepFlowNode | NoteFlowNode;
export type FlowEdge = Edge<{ edge: GraphEdge }>;

export const NOTE_PREFIX = 'note:';

export function noteFlowId(noteId: string): string {
  return NOTE_PREFIX + noteId;
}

/** The note id of a flow node id, or undefined for a step. */
export function noteIdOf(flowId: string): string | undefined {
  return flowId.startsWith(NOTE_PREFIX) ? flowId.slice(NOTE_PREFIX.length) : undefined;
}

export interface Decorations {
  statuses?: RunStatuses;
  issues?: readonly NodeIssue[];
  pinnedIds?: ReadonlySet<string>;
  readonly?: boolean;
  /** A proposal preview's marks (see PreviewMarks). */
  marks?: PreviewMarks;
}

export interface IssueIndex {
  byNode: Map<string, NodeIssue[]>;
  byEdge: Map<string, NodeIssue[]>;
  /** Issues about the workflow as a whole (no node or edge). */
  general: NodeIssue[];
}

/** Places each validation issue on its node or edge (by id, or by the index in its path). */
export function indexIssues(graph: WorkflowGraph, issues: readonly NodeIssue[]): IssueIndex {
  const byNode = new Map<string, NodeIssue[]>();
  const byEdge = new Map<string, NodeIssue[]>();
  const general: NodeIssue[] = [];
  const add = (map: Map<string, NodeIssue[]>, key: string, issue: NodeIssue) => {
    const list = map.get(key) ?? [];
    list.push(issue);
    map.set(key, list);
  };
  for (const issue of issues) {
    const edgeMatch = /^edges\[(\d+)\]/.exec(issue.path);
    if (edgeMatch) {
      const edge = graph.edges[Number(edgeMatch[1])];
      if (edge) {
        add(byEdge, edgeKey(edge), issue);
        continue;
      }
    }
    let nodeId = issue.nodeId;
    if (nodeId === undefined) {
      const nodeMatch = /^nodes\[(\d+)\]/.exec(issue.path);
      if (nodeMatch) nodeId = graph.nodes[Number(nodeMatch[1])]?.id;
    }
    if (nodeId !== undefined && graph.nodes.some((n) => n.id === nodeId)) add(byNode, nodeId, issue);
    else general.push(issue);
  }
  return { byNode, byEdge, general };
}

function sameRun(a: NodeRunState | undefined, b: NodeRunState | undefined): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  return (
    a.status === b.status &&
    a.items === b.items &&
    a.durationMs === b.durationMs &&
    a.attempt === b.attempt &&
    a.error === b.error
  );
}

function sameIssues(a: readonly NodeIssue[], b: readonly NodeIssue[]): boolean {
  return a.length === b.length && a.every((issue, i) => issue.message === b[i]?.message);
}

const NO_ISSUES: NodeIssue[] = [];

function sameMark(a: NodeMark | undefined, b: NodeMark | undefined): boolean {
  return a === b || (a?.change === b?.change && a?.step === b?.step);
}

/**
 * Flow nodes for `graph`, reusing objects from `previous` that did not change.
 *
 * @example
 * nodes = projectNodes(nodes, graph, lookup, { statuses, issues });
 */
export function projectNodes(
  previous: readonly FlowNode[],
  graph: WorkflowGraph,
  lookup: TypeLookup,
  decorations: Decorations = {},
): FlowNode[] {
  const prevById = new Map(previous.map((n) => [n.id, n]));
  const issues = indexIssues(graph, decorations.issues ?? []);
  const readonly = decorations.readonly ?? false;
  const errorWired = new Set(graph.edges.filter((e) => e.sourcePort === 'error').map((e) => e.source));
  const out: FlowNode[] = [];
  for (const [index, node] of graph.nodes.entries()) {
    const prev = prevById.get(node.id);
    const nodeType = lookup(node.type, node.version);
    const run = decorations.statuses?.[node.id];
    const nodeIssues = issues.byNode.get(node.id) ?? NO_ISSUES;
    const pinned = decorations.pinnedIds?.has(node.id) ?? false;
    const errorPort = !nodeType?.trigger && (node.policy?.continueOnError === true || errorWired.has(node.id));
    const mark = decorations.marks?.nodes[node.id];
    if (prev?.type === 'step') {
      const d = prev.data;
      if (
        d.node === node &&
        d.nodeType === nodeType &&
        sameRun(d.run, run) &&
        sameIssues(d.issues, nodeIssues) &&
        d.pinned === pinned &&
        d.readonly === readonly &&
        d.errorPort === errorPort &&
        sameMark(d.mark, mark)
      ) {
        out.push(prev);
        continue;
      }
    }
    const position =
      prev && prev.type === 'step' && prev.data.node === node
        ? prev.position
        : (node.position ?? { x: index * 260, y: 0 });
    const flowNode: StepFlowNode = {
      id: node.id,
      type: 'step',
      position,
      data: { node, nodeType, run, issues: nodeIssues, pinned, readonly, errorPort, mark },
      ...(prev?.selected ? { selected: true } : {}),
      ...(prev?.measured ? { measured: prev.measured } : {}),
      // A removed node of a preview is only shown: it cannot be moved, wired or selected.
      ...(mark?.change === 'removed' ? { draggable: false, connectable: false, selectable: false } : {}),
    };
    out.push(flowNode);
  }
  for (const note of graph.notes ?? []) {
    const id = noteFlowId(note.id);
    const prev = prevById.get(id);
    if (prev?.type === 'note' && prev.data.note === note && prev.data.readonly === readonly) {
      out.push(prev);
      continue;
    }
    const size = note.size ?? { width: 240, height: 140 };
    out.push({
      id,
      type: 'note',
      position: note.position,
      data: { note, readonly },
      width: size.width,
      height: size.height,
      zIndex: -1,
      ...(prev?.selected ? { selected: true } : {}),
    });
  }
  return out;
}

/** CSS class of an edge from its source's run state: a wire lights up once data went through it. */
function edgeClass(
  edge: GraphEdge,
  statuses: RunStatuses | undefined,
  invalid: boolean,
  mark?: 'added' | 'removed',
): string {
  const classes: string[] = [];
  if (mark) classes.push(`proposal-${mark}`);
  if (edge.sourcePort === 'error') classes.push('error-port');
  const s = statuses?.[edge.source]?.status;
  const target = statuses?.[edge.target]?.status;
  if (s === 'succeeded' && target && target !== 'queued' && target !== 'skipped') classes.push('ran');
  if (invalid) classes.push('invalid');
  return classes.join(' ');
}

/** Flow edges for `graph`, reusing objects from `previous` that did not change. */
export function projectEdges(
  previous: readonly FlowEdge[],
  graph: WorkflowGraph,
  decorations: Decorations = {},
): FlowEdge[] {
  const prevById = new Map(previous.map((e) => [e.id, e]));
  const issues = indexIssues(graph, decorations.issues ?? []);
  return graph.edges.map((edge) => {
    const id = edgeKey(edge);
    const prev = prevById.get(id);
    const edgeIssues = issues.byEdge.get(id);
    const mark = decorations.marks?.edges[id];
    const cls = edgeClass(edge, decorations.statuses, edgeIssues !== undefined, mark);
    const running = decorations.statuses?.[edge.target]?.status === 'running';
    const label = edgeIssues?.[0]?.message;
    if (prev && prev.data?.edge === edge && (prev.class ?? '') === cls && (prev.animated ?? false) === running) {
      if (prev.ariaLabel === edgeAria(edge, label)) return prev;
    }
    const flowEdge: FlowEdge = {
      id,
      source: edge.source,
      target: edge.target,
      sourceHandle: edge.sourcePort,
      targetHandle: edge.targetPort,
      data: { edge },
      class: cls,
      animated: running,
      ariaLabel: edgeAria(edge, label),
      ...(prev?.selected ? { selected: true } : {}),
      ...(mark === 'removed' ? { selectable: false } : {}),
    };
    return flowEdge;
  });
}

function edgeAria(edge: GraphEdge, problem: string | undefined): string {
  const base = `Connection from ${edge.source} (${edge.sourcePort}) to ${edge.target} (${edge.targetPort})`;
  return problem ? `${base}: ${problem}` : base;
}

/** Current positions of steps and notes on the canvas, to write back into the graph after a drag. */
export function flowPositions(nodes: readonly FlowNode[]): {
  steps: Map<string, { x: number; y: number }>;
  notes: Map<string, { x: number; y: number }>;
} {
  const steps = new Map<string, { x: number; y: number }>();
  const notes = new Map<string, { x: number; y: number }>();
  for (const n of nodes) {
    const noteId = noteIdOf(n.id);
    if (noteId !== undefined) notes.set(noteId, n.position);
    else steps.set(n.id, n.position);
  }
  return { steps, notes };
}

/** Ids of the selected steps, notes and edges. */
export function selectedElements(
  nodes: readonly FlowNode[],
  edges: readonly FlowEdge[],
): { nodeIds: string[]; noteIds: string[]; edgeKeys: string[] } {
  const nodeIds: string[] = [];
  const noteIds: string[] = [];
  for (const n of nodes) {
    if (!n.selected) continue;
    const noteId = noteIdOf(n.id);
    if (noteId !== undefined) noteIds.push(noteId);
    else nodeIds.push(n.id);
  }
  return { nodeIds, noteIds, edgeKeys: edges.filter((e) => e.selected).map((e) => e.id) };
}

/** Marks exactly the given steps and notes as selected (after a paste), reusing unchanged objects. */
export function selectOnly(nodes: readonly FlowNode[], ids: ReadonlySet<string>): FlowNode[] {
  return nodes.map((n) => {
    const want = ids.has(n.id);
    return (n.selected ?? false) === want ? n : ({ ...n, selected: want } as FlowNode);
  });
}
