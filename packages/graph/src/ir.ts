import type { StepPolicy } from './schema.ts';

/**
 * The compiled, validated form the engine executes. Pure data: no layout, no functions.
 * Steps are listed in a deterministic topological order; loops are explicit.
 */
export interface WorkflowIR {
  ir: 1;
  name: string;
  /** The trigger step's id. */
  trigger: string;
  triggerKind: string;
  /** Top-level steps in execution order (loop bodies are inside their `loop`). */
  order: string[];
  steps: Record<string, IRStep>;
  /** For-each constructs by the for-each step's id. */
  loops: Record<string, IRLoop>;
  settings: IRSettings;
}

export interface IRSettings {
  timeoutMs?: number;
  concurrency?: number;
  errorWorkflowId?: string;
  compensateOnFailure: boolean;
}

export interface IRInput {
  /** The port of this step the edge enters. */
  port: string;
  from: string;
  fromPort: string;
}

export interface ResolvedPolicy {
  retry: { maxAttempts: number; backoffMs: number; maxBackoffMs: number };
  timeoutMs: number;
  continueOnError: boolean;
  compensate?: string;
}

export interface IRStep {
  id: string;
  name?: string;
  type: string;
  version: number;
  /** Literals and `{ kind: 'expr', src }` values, as in the graph. */
  params: Record<string, unknown>;
  credentials: Record<string, string>;
  policy: ResolvedPolicy;
  /** Incoming edges in a stable order; the first active one becomes `ctx.input`. */
  inputs: IRInput[];
  /** Outgoing step ids by port. */
  outputs: Record<string, string[]>;
  /** Id of the innermost enclosing for-each, if any. */
  loop?: string;
  /** Whether the node has side effects (from its definition): decides how eagerly it is recorded. */
  sideEffects: boolean;
  /** Which built-in construct the engine applies around the node's own `run`. */
  construct: 'trigger' | 'step' | 'for_each' | 'aggregate' | 'wait' | 'respond';
  disabled: boolean;
}

export interface IRLoop {
  /** The for-each step. */
  id: string;
  /** Steps run once per item, in execution order (nested loops appear as their for-each step). */
  body: string[];
  /** The aggregate step that closes the loop; runs once with the list of per-item results. */
  aggregate: string;
  /** Body steps whose outputs are collected per item (those wired into the aggregate). */
  collect: string[];
}

export type { StepPolicy };
