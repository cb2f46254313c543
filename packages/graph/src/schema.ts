import { z } from 'zod';

/** A parameter value computed at run time: a JSONata expression over the run's data. */
export const ExprSchema = z.object({ kind: z.literal('expr'), src: z.string().min(1, 'expression is empty') }).strict();
export type Expr = z.infer<typeof ExprSchema>;

export function isExpr(value: unknown): value is Expr {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === 'expr' &&
    typeof (value as { src?: unknown }).src === 'string'
  );
}

export const NODE_ID = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

export const RetryPolicySchema = z
  .object({
    maxAttempts: z.number().int().min(1).max(25).default(1),
    backoffMs: z.number().int().min(0).max(3_600_000).default(1000),
    maxBackoffMs: z.number().int().min(0).max(86_400_000).default(60_000),
  })
  .strict();

export const StepPolicySchema = z
  .object({
    retry: RetryPolicySchema.optional(),
    /** Per-attempt time limit. */
    timeoutMs: z.number().int().min(1).max(86_400_000).optional(),
    /** On failure, route the error to the `error` port (if wired) or carry on with `{ error }` as output. */
    continueOnError: z.boolean().optional(),
    /** Node id of a compensation step run (in reverse order) when the run fails after this step succeeded. */
    compensate: z.string().regex(NODE_ID).optional(),
  })
  .strict();
export type StepPolicy = z.infer<typeof StepPolicySchema>;

export const GraphNodeSchema = z
  .object({
    id: z.string().regex(NODE_ID, 'node id must start with a letter and use letters, digits, - or _ (max 64)'),
    type: z.string().min(1),
    version: z.number().int().min(1).default(1),
    name: z.string().max(200).optional(),
    params: z.record(z.string(), z.unknown()).default({}),
    /** Credential ids by kind. Values never appear in a graph. */
    credentials: z.record(z.string(), z.string()).optional(),
    policy: StepPolicySchema.optional(),
    position: z.object({ x: z.number(), y: z.number() }).optional(),
    notes: z.string().max(10_000).optional(),
    disabled: z.boolean().optional(),
  })
  .strict();
export type GraphNode = z.infer<typeof GraphNodeSchema>;

export const GraphEdgeSchema = z
  .object({
    id: z.string().optional(),
    source: z.string(),
    sourcePort: z.string().default('main'),
    target: z.string(),
    targetPort: z.string().default('main'),
  })
  .strict();
export type GraphEdge = z.infer<typeof GraphEdgeSchema>;

export const WorkflowSettingsSchema = z
  .object({
    /** Whole-run time limit. */
    timeoutMs: z
      .number()
      .int()
      .min(1)
      .max(30 * 86_400_000)
      .optional(),
    /** Runs of this workflow executing at once, across all executors. */
    concurrency: z.number().int().min(1).max(10_000).optional(),
    /** A workflow started with `{ error, run }` when a run of this one fails. */
    errorWorkflowId: z.string().optional(),
    /** Run compensation steps in reverse order when a run fails. */
    compensateOnFailure: z.boolean().optional(),
  })
  .strict();

export const StickyNoteSchema = z
  .object({
    id: z.string(),
    text: z.string().max(10_000),
    position: z.object({ x: z.number(), y: z.number() }),
    size: z.object({ width: z.number(), height: z.number() }).optional(),
  })
  .strict();

/** The workflow graph: what the editor draws and stores. Layout lives here; the IR drops it. */
export const WorkflowGraphSchema = z
  .object({
    $schema: z.string().optional(),
    apiq: z.literal(1).default(1),
    name: z.string().min(1).max(200),
    description: z.string().max(10_000).optional(),
    nodes: z.array(GraphNodeSchema).min(1, 'a workflow needs at least a trigger node'),
    edges: z.array(GraphEdgeSchema).default([]),
    settings: WorkflowSettingsSchema.default({}),
    notes: z.array(StickyNoteSchema).optional(),
  })
  .strict();
export type WorkflowGraph = z.infer<typeof WorkflowGraphSchema>;
export type WorkflowGraphInput = z.input<typeof WorkflowGraphSchema>;
