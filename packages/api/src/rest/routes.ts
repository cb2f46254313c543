import { z } from 'zod';
import type { ApiContext } from '../trpc.ts';
import {
  Id,
  RunStartInput,
  RunStatusSchema,
  WorkflowCreateInput,
  WorkflowImportInput,
  WorkflowListInput,
  WorkflowRenameInput,
  WorkflowSaveInput,
} from '../schemas.ts';
import * as out from '../outputs.ts';
import {
  createWorkflow,
  deleteWorkflow,
  getWorkflow,
  listVersions,
  listWorkflows,
  renameWorkflow,
  saveWorkflowGraph,
  setWorkflowActive,
} from '../services/workflows.ts';
import { exportWorkflow, importWorkflows } from '../services/transfer.ts';
import { triggerInfo } from '../services/trigger-info.ts';
import { controlRun, getRunDetail, listRuns, startRun } from '../services/runs.ts';
import { listTemplates } from '../services/templates.ts';
import { connections } from '../services/connections.ts';

/** One REST route: a thin adapter from HTTP to a service function, described by zod schemas. */
export interface RestRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Under `/api/v1`, OpenAPI style: `/workflows/{id}`. */
  path: string;
  operationId: string;
  summary: string;
  tag: 'workflows' | 'runs' | 'templates' | 'connections';
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  status: 200 | 201;
  response: z.ZodType;
  /** Error statuses this route can answer besides 400 (and 413/415 with a body). */
  errors: (404 | 409)[];
  handle(ctx: ApiContext, input: { params: any; query: any; body: any }): Promise<unknown>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

const IdParams = z.object({ id: Id });
/** Query values arrive as text: `true`/`false` and numbers are read as such. */
const QueryBoolean = z.enum(['true', 'false']).transform((v) => v === 'true');
const QueryList = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => (typeof v === 'string' ? v.split(',').filter(Boolean) : v), z.array(item));

export const routes: RestRoute[] = [
  {
    method: 'GET',
    path: '/workflows',
    operationId: 'listWorkflows',
    summary: 'List workflows, most recently changed first',
    tag: 'workflows',
    query: WorkflowListInput.extend({ active: QueryBoolean.optional() }),
    status: 200,
    response: z.object({ items: z.array(out.WorkflowSummarySchema) }),
    errors: [],
    handle: async (ctx, { query }) => ({ items: await listWorkflows(ctx, query) }),
  },
  {
    method: 'POST',
    path: '/workflows',
    operationId: 'createWorkflow',
    summary: 'Create a workflow (empty, or from a graph)',
    tag: 'workflows',
    body: WorkflowCreateInput,
    status: 201,
    response: out.SaveResultSchema,
    errors: [],
    handle: (ctx, { body }) => createWorkflow(ctx, body),
  },
  {
    method: 'POST',
    path: '/workflows/import',
    operationId: 'importWorkflows',
    summary: 'Import an export bundle or a graph (all or nothing)',
    tag: 'workflows',
    body: WorkflowImportInput,
    status: 201,
    response: out.ImportResultSchema,
    errors: [409],
    handle: (ctx, { body }) => importWorkflows(ctx, body.json, body.activate),
  },
  {
    method: 'GET',
    path: '/workflows/{id}',
    operationId: 'getWorkflow',
    summary: 'Get a workflow with the graph to edit',
    tag: 'workflows',
    params: IdParams,
    status: 200,
    response: out.WorkflowDetailSchema,
    errors: [404],
    handle: (ctx, { params }) => getWorkflow(ctx, params.id),
  },
  {
    method: 'PUT',
    path: '/workflows/{id}',
    operationId: 'saveWorkflow',
    summary: 'Save the graph: a new version when valid, else a draft',
    tag: 'workflows',
    params: IdParams,
    body: WorkflowSaveInput.omit({ id: true }),
    status: 200,
    response: out.SaveResultSchema,
    errors: [404, 409],
    handle: (ctx, { params, body }) => saveWorkflowGraph(ctx, { id: params.id, ...body }),
  },
  {
    method: 'PATCH',
    path: '/workflows/{id}',
    operationId: 'renameWorkflow',
    summary: 'Rename a workflow',
    tag: 'workflows',
    params: IdParams,
    body: WorkflowRenameInput.omit({ id: true }),
    status: 200,
    response: out.SaveResultSchema,
    errors: [404],
    handle: (ctx, { params, body }) => renameWorkflow(ctx, params.id, body.name),
  },
  {
    method: 'DELETE',
    path: '/workflows/{id}',
    operationId: 'deleteWorkflow',
    summary: 'Delete a workflow with its versions and runs',
    tag: 'workflows',
    params: IdParams,
    status: 200,
    response: out.DeletedSchema,
    errors: [404],
    handle: (ctx, { params }) => deleteWorkflow(ctx, params.id),
  },
  {
    method: 'POST',
    path: '/workflows/{id}/activate',
    operationId: 'activateWorkflow',
    summary: "Activate: the newest version's webhook or schedule goes live",
    tag: 'workflows',
    params: IdParams,
    status: 200,
    response: out.ActivationSchema,
    errors: [404, 409],
    handle: (ctx, { params }) => setWorkflowActive(ctx, params.id, true),
  },
  {
    method: 'POST',
    path: '/workflows/{id}/deactivate',
    operationId: 'deactivateWorkflow',
    summary: 'Deactivate: its triggers stop',
    tag: 'workflows',
    params: IdParams,
    status: 200,
    response: out.ActivationSchema,
    errors: [404],
    handle: (ctx, { params }) => setWorkflowActive(ctx, params.id, false),
  },
  {
    method: 'GET',
    path: '/workflows/{id}/versions',
    operationId: 'listWorkflowVersions',
    summary: 'List saved versions, newest first',
    tag: 'workflows',
    params: IdParams,
    status: 200,
    response: z.object({ items: z.array(out.VersionSummarySchema) }),
    errors: [404],
    handle: async (ctx, { params }) => ({ items: await listVersions(ctx, params.id) }),
  },
  {
    method: 'GET',
    path: '/workflows/{id}/trigger',
    operationId: 'getWorkflowTrigger',
    summary: 'How the workflow starts: webhook URL, next schedule times, or manual',
    tag: 'workflows',
    params: IdParams,
    status: 200,
    response: out.TriggerInfoSchema,
    errors: [404],
    handle: (ctx, { params }) => triggerInfo(ctx, params.id),
  },
  {
    method: 'GET',
    path: '/workflows/{id}/export',
    operationId: 'exportWorkflow',
    summary: 'Export the newest version as a bundle (the `apiq export` format)',
    tag: 'workflows',
    params: IdParams,
    status: 200,
    response: out.ExportBundleSchema,
    errors: [404, 409],
    handle: (ctx, { params }) => exportWorkflow(ctx, params.id),
  },
  {
    method: 'POST',
    path: '/runs',
    operationId: 'startRun',
    summary: 'Start a manual run (optionally with pinned outputs, from a node, or one node)',
    tag: 'runs',
    body: RunStartInput,
    status: 201,
    response: out.RunStartedSchema,
    errors: [404],
    handle: (ctx, { body }) => startRun(ctx, body),
  },
  {
    method: 'GET',
    path: '/runs',
    operationId: 'listRuns',
    summary: 'List runs, newest first, a page at a time',
    tag: 'runs',
    query: z.object({
      workflowId: Id.optional(),
      status: QueryList(RunStatusSchema).optional().describe('Comma-separated statuses, e.g. failed,dead'),
      from: z.iso.datetime({ offset: true }).optional(),
      to: z.iso.datetime({ offset: true }).optional(),
      cursor: z.string().max(200).optional(),
      limit: z.coerce.number().int().min(1).max(200).optional(),
    }),
    status: 200,
    response: out.RunPageSchema,
    errors: [],
    handle: (ctx, { query }) => listRuns(ctx, query),
  },
  {
    method: 'GET',
    path: '/runs/{id}',
    operationId: 'getRun',
    summary: 'Get a run with its graph and every step attempt',
    tag: 'runs',
    params: IdParams,
    status: 200,
    response: out.RunDetailSchema,
    errors: [404],
    handle: (ctx, { params }) => getRunDetail(ctx, params.id),
  },
  ...(['cancel', 'retry', 'pause', 'resume'] as const).map(
    (action): RestRoute => ({
      method: 'POST',
      path: `/runs/{id}/${action}`,
      operationId: `${action}Run`,
      summary: {
        cancel: 'Cancel a run (queued and waiting at once, running at its next step)',
        retry: 'Retry a failed run from its failed step',
        pause: 'Pause a run before its next step',
        resume: 'Resume a paused run',
      }[action],
      tag: 'runs',
      params: IdParams,
      status: 200,
      response: out.RunSummarySchema,
      errors: [404, 409],
      handle: (ctx, { params }) => controlRun(ctx, params.id, action),
    }),
  ),
  {
    method: 'GET',
    path: '/connections',
    operationId: 'listConnections',
    summary: 'List connections (metadata only; secret values are never returned)',
    tag: 'connections',
    status: 200,
    response: z.object({ items: z.array(out.ConnectionSchema) }),
    errors: [],
    handle: async (ctx) => ({ items: await connections.list(ctx) }),
  },
  {
    method: 'GET',
    path: '/templates',
    operationId: 'listTemplates',
    summary: 'List workflow templates',
    tag: 'templates',
    status: 200,
    response: z.object({ items: z.array(out.TemplateSchema) }),
    errors: [],
    handle: async () => ({ items: await listTemplates() }),
  },
];
