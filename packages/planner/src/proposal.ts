import type { ValidationIssue, WorkflowGraph } from '@apiq/graph';

/** A proposed workflow, or a question when the request is too unclear to guess. */
export interface Proposal {
  planner: 'offline' | 'model';
  /** The graph (what the editor saves and `apiq validate` accepts); absent when asking a question. */
  graph?: WorkflowGraph;
  /** One line per step, in order. */
  explanation: Array<{ nodeId: string; text: string }>;
  /** A one-paragraph summary. */
  summary: string;
  /** Parameters holding placeholders the user must fill in before running. */
  todo: Array<{ nodeId: string; param: string; hint: string }>;
  /** Credential kinds the steps need; the user picks or connects them when confirming. */
  credentials: Array<{ nodeId: string; kind: string }>;
  /** Set instead of a graph when one clarifying question is needed. */
  question?: string;
  /** Validation problems left after repairs (empty for a valid proposal). */
  issues: ValidationIssue[];
}
