import { z } from 'zod';

/**
 * Inputs of every API operation, shared by the tRPC procedures, the REST routes and the
 * OpenAPI document (one schema, three uses).
 */

export const Id = z.uuid({ message: 'must be an id (a UUID such as 3f2a6c1e-…)' });
export const NodeId = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'must be a node id');
/** A workflow graph as the editor holds it; validated by the graph validator, not here. */
export const GraphInput = z
  .record(z.string(), z.unknown())
  .describe('A workflow graph (see the graph schema): { name, nodes, edges, settings? }');
const JsonValue = z.unknown().describe('Any JSON value');

export const IdInput = z.object({ id: Id });

export const WorkflowListInput = z.object({
  search: z.string().max(200).optional().describe('Only workflows whose name contains this text'),
  active: z.boolean().optional().describe('Only active (true) or inactive (false) workflows'),
});
export const WorkflowCreateInput = z.object({
  name: z.string().trim().min(1, 'name must not be empty').max(200),
  graph: GraphInput.optional().describe('Starting graph; omitted: the workflow starts empty'),
});
export const WorkflowRenameInput = z.object({
  id: Id,
  name: z.string().trim().min(1, 'name must not be empty').max(200),
});
export const WorkflowDuplicateInput = z.object({ id: Id, name: z.string().trim().min(1).max(200).optional() });
export const WorkflowSetActiveInput = z.object({ id: Id, active: z.boolean() });
export const WorkflowSaveInput = z.object({
  id: Id,
  graph: GraphInput,
  baseVersionId: Id.nullable()
    .optional()
    .describe('The version the edit started from; the save is refused when a newer version exists'),
});
export const WorkflowValidateInput = z.object({ graph: z.unknown() });
export const VersionIdInput = z.object({ versionId: Id });
export const WorkflowRestoreInput = z.object({ id: Id, versionId: Id });
export const WorkflowImportInput = z.object({
  json: z
    .union([z.string(), z.record(z.string(), z.unknown())])
    .describe('An export bundle ({ apiq, workflows: [...] }) or one workflow graph, as JSON text or object'),
  activate: z.boolean().optional().describe('Activate every imported workflow'),
});

export const RunStatusSchema = z.enum(['queued', 'running', 'waiting', 'succeeded', 'failed', 'cancelled', 'dead']);

export const RunStartInput = z.object({
  workflowId: Id,
  versionId: Id.optional().describe('Version to run; default the newest saved version'),
  input: JsonValue.optional().describe("The trigger's payload; default {} (or the payload of fromRunId)"),
  pinned: z
    .record(NodeId, JsonValue)
    .optional()
    .describe('Outputs by node id: such a node is not executed, its pinned value is its output'),
  startAt: NodeId.optional().describe('Execute this node and everything downstream; reuse outputs for the rest'),
  only: NodeId.optional().describe('Execute only this node; reuse outputs for its inputs'),
  fromRunId: Id.optional().describe('The run whose outputs are reused with startAt / only'),
});
export const RunListInput = z.object({
  workflowId: Id.optional(),
  status: z.array(RunStatusSchema).max(7).optional(),
  from: z.iso.datetime({ offset: true }).optional().describe('Runs created at or after this time'),
  to: z.iso.datetime({ offset: true }).optional().describe('Runs created before this time'),
  cursor: z.string().max(200).optional().describe('nextCursor of the previous page'),
  limit: z.number().int().min(1).max(200).optional().describe('Page size, default 50'),
});

export const ExpressionPreviewInput = z.object({
  src: z.string().min(1, 'expression is empty').max(20_000),
  context: z
    .object({
      trigger: JsonValue.optional(),
      steps: z.record(z.string(), JsonValue).optional(),
      input: JsonValue.optional(),
      item: JsonValue.optional(),
      index: z.number().int().min(0).optional(),
    })
    .default({}),
});

export const PlannerSettingsSchema = z
  .object({
    baseUrl: z.url({ message: 'must be a URL such as https://api.openai.com/v1' }).nullable(),
    model: z.string().trim().min(1).max(200).nullable(),
    /** A stored connection of kind `openai` holding the API key (and base URL) for the planner. */
    connectionId: z.string().uuid('must be the id of a stored connection').nullable(),
  })
  .strict();
export const RetentionSettingsInput = z
  .object({
    maxAgeDays: z.number().int().min(1).max(36_500).nullable(),
    maxRunsPerWorkflow: z.number().int().min(1).max(100_000_000).nullable(),
  })
  .strict();
export const SettingsUpdateInput = z
  .object({
    planner: PlannerSettingsSchema.partial().optional(),
    retention: RetentionSettingsInput.partial().optional(),
  })
  .strict();

export type RunStartRequest = z.infer<typeof RunStartInput>;
export type RunListRequest = z.infer<typeof RunListInput>;
export type SettingsUpdate = z.infer<typeof SettingsUpdateInput>;

const ConversationTurn = z.object({ role: z.enum(['user', 'assistant']), content: z.string().max(20_000) }).strict();

export const PlanInput = z
  .object({
    /** What the user typed: a whole workflow, or a change to `current`. */
    message: z.string().trim().min(1, 'describe the workflow').max(4_000),
    /** The graph open in the editor; the message edits it. */
    current: z.record(z.string(), z.unknown()).optional(),
    /** Earlier turns of this conversation. */
    history: z.array(ConversationTurn).max(40).optional(),
  })
  .strict();

export const ExplainInput = z.object({ graph: z.record(z.string(), z.unknown()) }).strict();
