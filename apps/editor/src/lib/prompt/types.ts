/**
 * Shapes of the prompt bar: the planner's answers come from the app router's types (types only:
 * nothing of the planner reaches the browser bundle).
 */
import type { inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '@apiq/api';
import type { WorkflowGraph } from '../canvas/types.ts';

type Outputs = inferRouterOutputs<AppRouter>;

/** `planner.propose`: a graph (or a question) with explanations, to-dos and needed connections. */
export type PlannerProposal = Outputs['planner']['propose'];
/** `planner.status`: which planner answers (`offline` or a model). */
export type PlannerStatus = Outputs['planner']['status'];
/** A line of `planner.explain`. */
export type ExplainLine = Outputs['planner']['explain'][number];
/** A stored turn of the conversation (`planner.conversation`). */
export type ConversationTurn = Outputs['planner']['conversation']['turns'][number];

/** A parameter the planner left as a placeholder; done once its value differs from `placeholder`. */
export interface Todo {
  nodeId: string;
  param: string;
  hint: string;
  placeholder: unknown;
}

/** The proposal being previewed, with what earlier turns of the conversation said about it. */
export interface ProposalPreview {
  /** The proposed graph (positioned; the user's edits in the preview land here). */
  graph: WorkflowGraph;
  /** One line per step, by node id (from this and earlier proposals of the conversation). */
  notes: Record<string, string>;
  todos: Todo[];
  /** Credential kinds the proposed steps need (by node). */
  credentials: Array<{ nodeId: string; kind: string }>;
  summary: string;
  /** Problems left in the proposal, in words. */
  issues: string[];
  planner: 'offline' | 'model';
}
