import type { GraphEdge, GraphNode, WorkflowGraph } from '@apiq/graph';

export type { GraphEdge, GraphNode, WorkflowGraph };

/** A sticky note on the canvas (stored in `graph.notes`). */
export type StickyNote = NonNullable<WorkflowGraph['notes']>[number];

/**
 * What the canvas needs to know about a node type (a subset of what `catalog.nodes` returns;
 * any richer catalog entry fits).
 */
export interface NodeTypeInfo {
  id: string;
  version: number;
  title: string;
  description: string;
  keywords: string[];
  category: string;
  /** An emoji, a short text or an SVG document. */
  icon?: string;
  trigger?: string;
  inputs: string[];
  outputs: string[];
}

/** Looks up the type of a graph node (id and version). */
export type TypeLookup = (type: string, version: number) => NodeTypeInfo | undefined;

/** A node's state in the current run, as painted on the canvas. */
export type NodeRunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'retrying' | 'skipped' | 'waiting';

export interface NodeRunState {
  status: NodeRunStatus;
  /** Items in the output: the array length, or 1 for a single value. */
  items?: number;
  durationMs?: number;
  attempt?: number;
  error?: string;
}

/** Per node id. */
export type RunStatuses = Record<string, NodeRunState>;

/**
 * How a node of a proposed change compares with the open workflow (the prompt bar's preview),
 * with its step number in the explanation. `removed` nodes are shown ghosted, struck out.
 */
export interface NodeMark {
  change: 'added' | 'changed' | 'removed' | 'kept';
  step?: number;
}

/** Marks per node id, and per edge key for edges (`added` / `removed`). */
export interface PreviewMarks {
  nodes: Record<string, NodeMark>;
  edges: Record<string, 'added' | 'removed'>;
}

/** A problem to show on a node (the API's ValidationIssue fits). */
export interface NodeIssue {
  code: string;
  message: string;
  path: string;
  nodeId?: string;
  edgeId?: string;
  param?: string;
}
