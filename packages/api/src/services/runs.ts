import { sql } from 'kysely';
import type { Json } from '@apiq/sdk';
import { EditorRunError, pauseRun, requestCancel, resumeRun, retryRun, startEditorRun } from '@apiq/runtime';
import type { ApiContext } from '../trpc.ts';
import { ApiError } from '../errors.ts';
import { durationMs, iso, itemCount } from '../json.ts';
import type { RunListRequest, RunStartRequest } from '../schemas.ts';
import { getWorkflow } from './workflows.ts';

export interface RunSummary {
  id: string;
  workflowId: string;
  workflowName: string;
  versionId: string;
  status: string;
  triggerKind: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  /** The failure, when the run failed: `{ name, message, stepId? }`. */
  error: { name: string; message: string; stepId: string | null } | null;
}

export interface StepAttemptInfo {
  id: number;
  stepId: string;
  iteration: string;
  attempt: number;
  /** running, succeeded, failed, interrupted, skipped, waiting, compensated, pinned (given in the editor), reused (from an earlier run). */
  status: string;
  nodeType: string;
  input: unknown;
  output: unknown;
  ports: string[] | null;
  error: unknown;
  logs: unknown;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  /** A list output's length, 0 for null, else 1; null while running. */
  itemCount: number | null;
}

export interface RunDetail extends RunSummary {
  input: unknown;
  output: unknown;
  response: unknown;
  parentRunId: string | null;
  /** Set for runs started from the editor: pins and start node. */
  editor: unknown;
  paused: boolean;
  /** The graph of the version the run executed. */
  graph: unknown;
  version: number;
  steps: StepAttemptInfo[];
}

/**
 * Starts a manual run from the editor or the API; the run publishes live step events. See
 * `startEditorRun` for pinned outputs, `startAt`, `only` and `fromRunId`. Runs the newest saved
 * version unless `versionId` is given.
 */
export async function startRun(ctx: ApiContext, req: RunStartRequest): Promise<{ runId: string; versionId: string }> {
  const wf = await getWorkflow(ctx, req.workflowId);
  let versionId = req.versionId ?? wf.versionId;
  if (!versionId)
    throw new ApiError(
      'bad_request',
      `Workflow "${wf.name}" cannot run: it has no valid saved version yet. Fix the problems listed and save it.`,
      wf.issues,
    );
  if (req.versionId) {
    const owned = await ctx.db
      .selectFrom('workflow_versions')
      .select('id')
      .where('id', '=', req.versionId)
      .where('workflow_id', '=', req.workflowId)
      .executeTakeFirst();
    if (!owned)
      throw new ApiError('bad_request', `versionId: ${req.versionId} is not a version of workflow ${req.workflowId}.`, [
        { path: 'input.versionId', message: 'not a version of this workflow' },
      ]);
    versionId = owned.id;
  }
  try {
    const { runId } = await startEditorRun(ctx.db, {
      workflowId: req.workflowId,
      versionId,
      workspaceId: ctx.workspaceId,
      ...(req.input !== undefined ? { input: req.input as Json } : {}),
      ...(req.pinned ? { pinned: req.pinned as Record<string, Json> } : {}),
      ...(req.startAt ? { startAt: req.startAt } : {}),
      ...(req.only ? { only: req.only } : {}),
      ...(req.fromRunId ? { fromRunId: req.fromRunId } : {}),
    });
    return { runId, versionId };
  } catch (err) {
    if (err instanceof EditorRunError)
      throw new ApiError('bad_request', err.message, [{ path: `input.${err.field}`, message: err.message }]);
    throw err;
  }
}

/**
 * Runs newest first, filtered by workflow, statuses and creation time, a page at a time: pass
 * the returned `nextCursor` to get the next page (null on the last).
 */
export async function listRuns(
  ctx: ApiContext,
  req: RunListRequest,
): Promise<{ items: RunSummary[]; nextCursor: string | null }> {
  const limit = req.limit ?? 50;
  const after = req.cursor ? decodeCursor(req.cursor) : undefined;
  let q = ctx.db
    .selectFrom('runs as r')
    .innerJoin('workflows as w', 'w.id', 'r.workflow_id')
    .select([
      'r.id',
      'r.workflow_id',
      'w.name',
      'r.version_id',
      'r.status',
      'r.trigger_kind',
      'r.created_at',
      sql<string>`r.created_at::text`.as('created_key'),
      'r.started_at',
      'r.finished_at',
      'r.error',
    ])
    .where('r.workspace_id', '=', ctx.workspaceId)
    .orderBy('r.created_at', 'desc')
    .orderBy('r.id', 'desc')
    .limit(limit + 1);
  if (req.workflowId) q = q.where('r.workflow_id', '=', req.workflowId);
  if (req.status && req.status.length > 0) q = q.where('r.status', 'in', req.status);
  if (req.from) q = q.where('r.created_at', '>=', new Date(req.from));
  if (req.to) q = q.where('r.created_at', '<', new Date(req.to));
  // Compared in SQL: a JS Date would drop the microseconds of the boundary row.
  if (after) q = q.where(sql<boolean>`(r.created_at, r.id) < (${after.at}::timestamptz, ${after.id}::uuid)`);
  const rows = await q.execute();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => summary(r)),
    nextCursor: rows.length > limit && last ? encodeCursor(last.created_key, last.id) : null,
  };
}

/** A run with the graph it ran and every step attempt (input, output, error, timings, item counts). */
export async function getRunDetail(ctx: ApiContext, id: string): Promise<RunDetail> {
  const r = await ctx.db
    .selectFrom('runs as r')
    .innerJoin('workflows as w', 'w.id', 'r.workflow_id')
    .innerJoin('workflow_versions as v', 'v.id', 'r.version_id')
    .select([
      'r.id',
      'r.workflow_id',
      'w.name',
      'r.version_id',
      'r.status',
      'r.trigger_kind',
      'r.trigger_payload',
      'r.output',
      'r.response',
      'r.error',
      'r.state',
      'r.parent_run_id',
      'r.created_at',
      'r.started_at',
      'r.finished_at',
      'v.graph',
      'v.version',
    ])
    .where('r.id', '=', id)
    .where('r.workspace_id', '=', ctx.workspaceId)
    .executeTakeFirst();
  if (!r) throw runNotFound(id);
  const steps = await ctx.db.selectFrom('step_attempts').selectAll().where('run_id', '=', id).orderBy('id').execute();
  const state = (r.state ?? {}) as { editor?: unknown; paused?: boolean };
  return {
    ...summary(r),
    input: r.trigger_payload,
    output: r.output,
    response: r.response,
    parentRunId: r.parent_run_id,
    editor: state.editor ?? null,
    paused: state.paused === true,
    graph: r.graph,
    version: r.version,
    steps: steps.map(stepInfo),
  };
}

/** A step attempt row as the API shows it. */
export function stepInfo(s: {
  id: number;
  step_id: string;
  iteration: string;
  attempt: number;
  status: string;
  node_type: string;
  input: unknown;
  output: unknown;
  ports: unknown;
  error: unknown;
  logs: unknown;
  started_at: Date;
  finished_at: Date | null;
  duration_ms: number | null;
}): StepAttemptInfo {
  return {
    id: Number(s.id),
    stepId: s.step_id,
    iteration: s.iteration,
    attempt: s.attempt,
    status: s.status,
    nodeType: s.node_type,
    input: s.input,
    output: s.output,
    ports: (s.ports as string[] | null) ?? null,
    error: s.error,
    logs: s.logs,
    startedAt: iso(s.started_at)!,
    finishedAt: iso(s.finished_at),
    durationMs: s.duration_ms === null ? null : Number(s.duration_ms),
    itemCount: s.finished_at === null ? null : itemCount(s.output),
  };
}

type RunAction = 'cancel' | 'retry' | 'pause' | 'resume';

const ACTIONS: Record<RunAction, { run: (ctx: ApiContext, id: string) => Promise<boolean>; refused: string }> = {
  cancel: {
    run: async (ctx, id) => Boolean(await requestCancel(ctx.db, id)),
    refused: 'only queued, waiting or running runs can be cancelled',
  },
  retry: {
    run: (ctx, id) => retryRun(ctx.db, id),
    refused: 'only failed, dead or cancelled runs can be retried',
  },
  pause: {
    run: (ctx, id) => pauseRun(ctx.db, id),
    refused: 'only queued, waiting or running runs that are not paused can be paused',
  },
  resume: { run: (ctx, id) => resumeRun(ctx.db, id), refused: 'only paused runs can be resumed' },
};

/**
 * Cancels (queued and waiting runs at once, running ones at their next step), retries (a failed
 * run continues from its failed step), pauses or resumes a run. Refused with a conflict naming
 * the run's status when the action does not apply.
 */
export async function controlRun(ctx: ApiContext, id: string, action: RunAction): Promise<RunSummary> {
  const before = await getRunSummary(ctx, id);
  const ok = await ACTIONS[action].run(ctx, id);
  if (!ok)
    throw new ApiError('conflict', `Cannot ${action} run ${id}: it is ${before.status}; ${ACTIONS[action].refused}.`);
  return getRunSummary(ctx, id);
}

export async function getRunSummary(ctx: ApiContext, id: string): Promise<RunSummary> {
  const r = await ctx.db
    .selectFrom('runs as r')
    .innerJoin('workflows as w', 'w.id', 'r.workflow_id')
    .select([
      'r.id',
      'r.workflow_id',
      'w.name',
      'r.version_id',
      'r.status',
      'r.trigger_kind',
      'r.created_at',
      'r.started_at',
      'r.finished_at',
      'r.error',
    ])
    .where('r.id', '=', id)
    .where('r.workspace_id', '=', ctx.workspaceId)
    .executeTakeFirst();
  if (!r) throw runNotFound(id);
  return summary(r);
}

function summary(r: {
  id: string;
  workflow_id: string;
  name: string;
  version_id: string;
  status: string;
  trigger_kind: string;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  error: unknown;
}): RunSummary {
  const e = r.error as { name?: unknown; message?: unknown; stepId?: unknown } | null;
  return {
    id: r.id,
    workflowId: r.workflow_id,
    workflowName: r.name,
    versionId: r.version_id,
    status: r.status,
    triggerKind: r.trigger_kind,
    createdAt: iso(r.created_at)!,
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
    durationMs: durationMs(r.started_at, r.finished_at),
    error: e
      ? {
          name: String(e.name ?? 'Error'),
          message: String(e.message ?? ''),
          stepId: typeof e.stepId === 'string' ? e.stepId : null,
        }
      : null,
  };
}

function runNotFound(id: string): ApiError {
  return new ApiError('not_found', `No run ${id} in this workspace.`);
}

function encodeCursor(at: string, id: string): string {
  return Buffer.from(JSON.stringify([at, id])).toString('base64url');
}

function decodeCursor(cursor: string): { at: string; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if (
      typeof at === 'string' &&
      typeof id === 'string' &&
      /^[0-9a-f-]{36}$/i.test(id) &&
      /^[0-9 :.T+-]{10,40}$/.test(at)
    )
      return { at, id };
  } catch {
    // reported below
  }
  throw new ApiError(
    'bad_request',
    'cursor is not a cursor this API returned; pass nextCursor from the previous page.',
    [{ path: 'input.cursor', message: 'invalid cursor' }],
  );
}
