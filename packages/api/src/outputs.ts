import { z } from 'zod';

/**
 * What the API returns, as zod schemas: they document the REST responses in the OpenAPI
 * document, and the contract tests check real responses against them.
 */

const Json = z.unknown();
const Timestamp = z.string().describe('ISO 8601 time');

export const IssueSchema = z.object({
  path: z.string().describe('Where: nodes[2].params.url, edges[0].target, body.name, query.limit'),
  message: z.string(),
  code: z.string().optional(),
  nodeId: z.string().optional(),
  edgeId: z.string().optional(),
  param: z.string().optional(),
});

export const ErrorSchema = z
  .object({
    error: z.string().describe('bad_request, not_found, conflict, payload_too_large, unsupported_media_type, internal'),
    message: z.string().describe('What is wrong and what to do'),
    issues: z.array(IssueSchema).optional(),
  })
  .describe('An error');

export const WorkflowSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  active: z.boolean(),
  updatedAt: Timestamp,
  nodeCount: z.number().int(),
  triggerType: z.string().nullable(),
  triggerKind: z.string().nullable(),
  hasDraft: z.boolean(),
  lastRun: z
    .object({ id: z.string(), status: z.string(), createdAt: Timestamp, finishedAt: Timestamp.nullable() })
    .nullable(),
});

export const WorkflowDetailSchema = z.object({
  id: z.string(),
  name: z.string(),
  active: z.boolean(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  versionId: z.string().nullable(),
  version: z.number().int().nullable(),
  activeVersionId: z.string().nullable(),
  graph: z.record(z.string(), Json),
  draft: z.boolean(),
  issues: z.array(IssueSchema),
});

export const SaveResultSchema = z.object({
  workflowId: z.string(),
  saved: z.enum(['version', 'unchanged', 'draft']),
  versionId: z.string().nullable(),
  version: z.number().int().nullable(),
  issues: z.array(IssueSchema),
});

export const ActivationSchema = z.object({
  id: z.string(),
  active: z.boolean(),
  activeVersionId: z.string().nullable(),
  hasDraft: z.boolean(),
});

export const DeletedSchema = z.object({ id: z.string(), deleted: z.literal(true) });

export const VersionSummarySchema = z.object({
  id: z.string(),
  version: z.number().int(),
  createdAt: Timestamp,
  nodeCount: z.number().int(),
  active: z.boolean(),
  current: z.boolean(),
});

export const TriggerInfoSchema = z
  .object({
    kind: z.string().describe('none, manual, webhook, schedule, polling, app_event'),
    nodeId: z.string().optional(),
    method: z.string().optional(),
    path: z.string().optional(),
    url: z.string().optional(),
    cron: z.string().optional(),
    timezone: z.string().optional(),
    next: z.array(Timestamp).optional(),
    type: z.string().optional(),
    active: z.boolean().optional(),
    message: z.string().optional(),
  })
  .describe('How the workflow starts');

export const ExportBundleSchema = z.object({
  apiq: z.literal(1),
  exportedAt: Timestamp,
  workflows: z.array(z.object({ id: z.string(), active: z.boolean(), version: z.number().int(), graph: Json })),
});

export const ImportResultSchema = z.object({
  workflows: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      versionId: z.string(),
      version: z.number().int(),
      active: z.boolean(),
      created: z.boolean(),
    }),
  ),
});

export const RunSummarySchema = z.object({
  id: z.string(),
  workflowId: z.string(),
  workflowName: z.string(),
  versionId: z.string(),
  status: z.string(),
  triggerKind: z.string(),
  createdAt: Timestamp,
  startedAt: Timestamp.nullable(),
  finishedAt: Timestamp.nullable(),
  durationMs: z.number().nullable(),
  error: z.object({ name: z.string(), message: z.string(), stepId: z.string().nullable() }).nullable(),
});

export const StepAttemptSchema = z.object({
  id: z.number().int(),
  stepId: z.string(),
  iteration: z.string(),
  attempt: z.number().int(),
  status: z.string(),
  nodeType: z.string(),
  input: Json,
  output: Json,
  ports: z.array(z.string()).nullable(),
  error: Json,
  logs: Json,
  startedAt: Timestamp,
  finishedAt: Timestamp.nullable(),
  durationMs: z.number().nullable(),
  itemCount: z.number().int().nullable(),
});

export const RunDetailSchema = RunSummarySchema.extend({
  input: Json,
  output: Json,
  response: Json,
  parentRunId: z.string().nullable(),
  editor: Json,
  paused: z.boolean(),
  graph: Json,
  version: z.number().int(),
  steps: z.array(StepAttemptSchema),
});

export const RunPageSchema = z.object({ items: z.array(RunSummarySchema), nextCursor: z.string().nullable() });
export const RunStartedSchema = z.object({ runId: z.string(), versionId: z.string() });

export const TemplateSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  graph: z.record(z.string(), Json),
});

export const ConnectionSchema = z
  .object({
    id: z.string(),
    workspaceId: z.string(),
    name: z.string(),
    kind: z.string(),
    kindTitle: z.string(),
    metadata: z.record(z.string(), z.string()).describe('Non-secret field values'),
    limits: z
      .object({
        requestsPerSecond: z.number().optional(),
        burst: z.number().optional(),
        concurrency: z.number().optional(),
      })
      .nullable()
      .describe('Request limits shared by every step using the connection; null when unlimited'),
    breaker: z
      .object({
        state: z.enum(['closed', 'open', 'half_open']),
        failures: z.number(),
        openUntil: Timestamp.nullable(),
      })
      .nullable()
      .describe("The circuit breaker of the connection's API host as the executors report it; null without a base URL"),
    status: z.string(),
    lastTestedAt: Timestamp.nullable(),
    lastError: z.string().nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .describe('A stored credential: metadata only, never a secret value');
