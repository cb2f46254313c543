import { sql, type Kysely } from 'kysely';
import { jsonb, type Database } from '@apiq/db';
import { validateWorkflow, type ValidationIssue } from '@apiq/graph';
import { activateWorkflow, deactivateWorkflow, saveWorkflow, WorkflowConflictError } from '@apiq/runtime';
import type { ApiContext } from '../trpc.ts';
import { ApiError, type ApiIssue } from '../errors.ts';
import { iso } from '../json.ts';
import { stableStringify } from './stable-json.ts';

export interface WorkflowSummary {
  id: string;
  name: string;
  active: boolean;
  updatedAt: string;
  nodeCount: number;
  /** Node type of the trigger of the newest saved version (`core.webhook_trigger`), null before the first valid save. */
  triggerType: string | null;
  /** How runs start: manual, webhook, schedule, polling, app_event. */
  triggerKind: string | null;
  /** Unsaved changes that do not validate yet are kept as a draft. */
  hasDraft: boolean;
  lastRun: { id: string; status: string; createdAt: string; finishedAt: string | null } | null;
}

export interface WorkflowDetail {
  id: string;
  name: string;
  active: boolean;
  createdAt: string;
  updatedAt: string;
  /** The newest saved (valid) version; null until the graph validates once. */
  versionId: string | null;
  version: number | null;
  activeVersionId: string | null;
  /** The graph to edit: the draft when there is one, else the newest version's graph. */
  graph: Record<string, unknown>;
  /** True when `graph` is a draft that does not validate yet (it never runs). */
  draft: boolean;
  /** The draft's validation problems (empty when `draft` is false). */
  issues: ApiIssue[];
}

export interface SaveResult {
  workflowId: string;
  /** `version`: a new immutable version; `unchanged`: equal to the newest version; `draft`: invalid, kept as a draft. */
  saved: 'version' | 'unchanged' | 'draft';
  versionId: string | null;
  version: number | null;
  issues: ApiIssue[];
}

/** The graph a new workflow starts with: no nodes yet (kept as a draft until it has a trigger). */
export function emptyGraph(name: string): Record<string, unknown> {
  return { apiq: 1, name, nodes: [], edges: [] };
}

/** Graph validation issues in the API's shape (path, message, code, nodeId, edgeId, param). */
export function graphIssues(issues: ValidationIssue[]): ApiIssue[] {
  return issues.map((i) => ({
    path: i.path,
    message: i.message,
    code: i.code,
    ...(i.nodeId ? { nodeId: i.nodeId } : {}),
    ...(i.edgeId ? { edgeId: i.edgeId } : {}),
    ...(i.param ? { param: i.param } : {}),
  }));
}

/**
 * Workflows of the caller's workspace, most recently changed first, with their last run.
 *
 * @example
 * await listWorkflows(ctx, { search: 'orders', active: true });
 */
export async function listWorkflows(
  ctx: ApiContext,
  filter: { search?: string | undefined; active?: boolean | undefined },
): Promise<WorkflowSummary[]> {
  const nodes = sql`coalesce(w.draft -> 'nodes', v.graph -> 'nodes')`;
  const search = filter.search ? `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
  const { rows } = await sql<{
    id: string;
    name: string;
    active: boolean;
    updated_at: Date;
    has_draft: boolean;
    node_count: number;
    trigger_type: string | null;
    trigger_kind: string | null;
    last_run_id: string | null;
    last_run_status: string | null;
    last_run_at: Date | null;
    last_run_finished_at: Date | null;
  }>`
    select w.id, w.name, w.active, w.updated_at, w.draft is not null as has_draft,
      case when jsonb_typeof(${nodes}) = 'array' then jsonb_array_length(${nodes}) else 0 end as node_count,
      v.ir -> 'steps' -> (v.ir ->> 'trigger') ->> 'type' as trigger_type,
      v.ir ->> 'triggerKind' as trigger_kind,
      lr.id as last_run_id, lr.status as last_run_status, lr.created_at as last_run_at, lr.finished_at as last_run_finished_at
    from workflows w
    left join workflow_versions v on v.id = w.current_version_id
    left join lateral (
      select r.id, r.status, r.created_at, r.finished_at from runs r
      where r.workflow_id = w.id order by r.created_at desc limit 1) lr on true
    where w.workspace_id = ${ctx.workspaceId}
      and (${search}::text is null or w.name ilike ${search})
      and (${filter.active ?? null}::boolean is null or w.active = ${filter.active ?? null})
    order by w.updated_at desc, w.id`.execute(ctx.db);
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    active: r.active,
    updatedAt: iso(r.updated_at)!,
    nodeCount: Number(r.node_count),
    triggerType: r.trigger_type,
    triggerKind: r.trigger_kind,
    hasDraft: r.has_draft,
    lastRun: r.last_run_id
      ? {
          id: r.last_run_id,
          status: r.last_run_status!,
          createdAt: iso(r.last_run_at)!,
          finishedAt: iso(r.last_run_finished_at),
        }
      : null,
  }));
}

/** A workflow with the graph to edit (draft or newest version). Not found: ApiError `not_found`. */
export async function getWorkflow(ctx: ApiContext, id: string): Promise<WorkflowDetail> {
  const row = await ctx.db
    .selectFrom('workflows as w')
    .leftJoin('workflow_versions as v', 'v.id', 'w.current_version_id')
    .select([
      'w.id',
      'w.name',
      'w.active',
      'w.created_at',
      'w.updated_at',
      'w.current_version_id',
      'w.active_version_id',
      'w.draft',
      'v.graph',
      'v.version',
    ])
    .where('w.id', '=', id)
    .where('w.workspace_id', '=', ctx.workspaceId)
    .executeTakeFirst();
  if (!row) throw workflowNotFound(id);
  const draft = row.draft as Record<string, unknown> | null;
  const graph = draft ?? (row.graph as Record<string, unknown> | null) ?? emptyGraph(row.name);
  const checked = draft ? validateWorkflow(draft, ctx.catalog) : undefined;
  return {
    id: row.id,
    name: row.name,
    active: row.active,
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
    versionId: row.current_version_id,
    version: row.version ?? null,
    activeVersionId: row.active_version_id,
    graph,
    draft: draft !== null,
    issues: checked && !checked.ok ? graphIssues(checked.errors) : [],
  };
}

/**
 * Creates a workflow. Without a graph it starts empty (a draft until it has a trigger); a graph
 * that validates becomes version 1, one that does not is kept as the draft.
 *
 * @example
 * const { workflowId } = await createWorkflow(ctx, { name: 'Orders' });
 */
export async function createWorkflow(
  ctx: ApiContext,
  input: { name: string; graph?: Record<string, unknown> | undefined },
): Promise<SaveResult> {
  const graph = input.graph ? { ...input.graph, name: input.name } : emptyGraph(input.name);
  return ctx.db.transaction().execute(async (tx) => {
    const row = await tx
      .insertInto('workflows')
      .values({ workspace_id: ctx.workspaceId, name: input.name, active_version_id: null, current_version_id: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    return storeGraph(ctx, tx, { id: row.id, current_version_id: null }, graph);
  });
}

/**
 * Saves the edited graph: a new immutable version when it validates (nothing new when it equals
 * the newest version), else a draft, so no edit is lost. With `baseVersionId`, refuses (conflict)
 * when another save made a newer version since.
 */
export async function saveWorkflowGraph(
  ctx: ApiContext,
  input: { id: string; graph: Record<string, unknown>; baseVersionId?: string | null | undefined },
): Promise<SaveResult> {
  return ctx.db.transaction().execute(async (tx) => {
    const wf = await lockWorkflow(ctx, tx, input.id);
    if (input.baseVersionId !== undefined && input.baseVersionId !== wf.current_version_id) {
      throw new ApiError(
        'conflict',
        `Workflow ${input.id} was saved elsewhere since your copy (your base version ${input.baseVersionId ?? 'none'}, newest ${wf.current_version_id ?? 'none'}). Reload it and apply your change again, or save without baseVersionId to overwrite.`,
      );
    }
    return storeGraph(ctx, tx, wf, input.graph);
  });
}

/** Renames a workflow (its graph's name changes with it, saved like any edit). */
export async function renameWorkflow(ctx: ApiContext, id: string, name: string): Promise<SaveResult> {
  return ctx.db.transaction().execute(async (tx) => {
    const wf = await lockWorkflow(ctx, tx, id);
    const graph = await workingGraph(tx, wf);
    const result = await storeGraph(ctx, tx, wf, { ...graph, name });
    await tx.updateTable('workflows').set({ name }).where('id', '=', id).execute();
    return result;
  });
}

/** A copy of the workflow's graph (draft included) as a new, inactive workflow. */
export async function duplicateWorkflow(ctx: ApiContext, id: string, name?: string): Promise<SaveResult> {
  const source = await getWorkflow(ctx, id);
  return createWorkflow(ctx, { name: name ?? `${source.name} (copy)`.slice(0, 200), graph: source.graph });
}

/** Deletes a workflow with its versions, runs and triggers. */
export async function deleteWorkflow(ctx: ApiContext, id: string): Promise<{ id: string; deleted: true }> {
  const gone = await ctx.db
    .deleteFrom('workflows')
    .where('id', '=', id)
    .where('workspace_id', '=', ctx.workspaceId)
    .returning('id')
    .executeTakeFirst();
  if (!gone) throw workflowNotFound(id);
  await sql`select pg_notify('apiq_workflows', ${id})`.execute(ctx.db);
  return { id, deleted: true };
}

/**
 * Activates (webhooks and schedules go live on the newest saved version) or deactivates a
 * workflow. Refused with the problems listed when no valid version exists yet, and with a
 * conflict when its webhook path is taken.
 */
export async function setWorkflowActive(
  ctx: ApiContext,
  id: string,
  active: boolean,
): Promise<{ id: string; active: boolean; activeVersionId: string | null; hasDraft: boolean }> {
  const wf = await getWorkflow(ctx, id);
  if (active) {
    if (!wf.versionId) {
      throw new ApiError(
        'bad_request',
        `Workflow "${wf.name}" cannot be activated: it has no valid saved version yet. Fix the problems listed and save it.`,
        wf.issues,
      );
    }
    try {
      await activateWorkflow(ctx.db, id);
    } catch (err) {
      if (err instanceof WorkflowConflictError)
        throw new ApiError('conflict', `Workflow "${wf.name}" cannot be activated: ${err.message}.`);
      throw err;
    }
  } else {
    await deactivateWorkflow(ctx.db, id);
  }
  const after = await getWorkflow(ctx, id);
  return { id, active: after.active, activeVersionId: after.activeVersionId, hasDraft: after.draft };
}

/** Validates a graph without saving it. */
export function validateGraph(ctx: ApiContext, graph: unknown): { ok: boolean; issues: ApiIssue[] } {
  const checked = validateWorkflow(graph, ctx.catalog);
  return checked.ok ? { ok: true, issues: [] } : { ok: false, issues: graphIssues(checked.errors) };
}

export interface VersionSummary {
  id: string;
  version: number;
  createdAt: string;
  nodeCount: number;
  active: boolean;
  current: boolean;
}

/** Every saved version of a workflow, newest first. */
export async function listVersions(ctx: ApiContext, id: string): Promise<VersionSummary[]> {
  const wf = await getWorkflow(ctx, id);
  const rows = await ctx.db
    .selectFrom('workflow_versions')
    .select(['id', 'version', 'created_at', sql<number>`jsonb_array_length(graph -> 'nodes')`.as('node_count')])
    .where('workflow_id', '=', id)
    .orderBy('version', 'desc')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    version: r.version,
    createdAt: iso(r.created_at)!,
    nodeCount: Number(r.node_count),
    active: wf.active && r.id === wf.activeVersionId,
    current: r.id === wf.versionId,
  }));
}

/** One saved version with its graph. */
export async function getVersion(
  ctx: ApiContext,
  versionId: string,
): Promise<{ id: string; workflowId: string; version: number; createdAt: string; graph: Record<string, unknown> }> {
  const row = await ctx.db
    .selectFrom('workflow_versions as v')
    .innerJoin('workflows as w', 'w.id', 'v.workflow_id')
    .select(['v.id', 'v.workflow_id', 'v.version', 'v.created_at', 'v.graph'])
    .where('v.id', '=', versionId)
    .where('w.workspace_id', '=', ctx.workspaceId)
    .executeTakeFirst();
  if (!row) throw new ApiError('not_found', `No workflow version ${versionId} in this workspace.`);
  return {
    id: row.id,
    workflowId: row.workflow_id,
    version: row.version,
    createdAt: iso(row.created_at)!,
    graph: row.graph as Record<string, unknown>,
  };
}

/** Makes an old version the newest again (as a new version equal to it); drops any draft. */
export async function restoreVersion(ctx: ApiContext, id: string, versionId: string): Promise<SaveResult> {
  const old = await getVersion(ctx, versionId);
  if (old.workflowId !== id)
    throw new ApiError('bad_request', `Version ${versionId} belongs to workflow ${old.workflowId}, not ${id}.`);
  return ctx.db.transaction().execute(async (tx) => {
    const wf = await lockWorkflow(ctx, tx, id);
    const result = await storeGraph(ctx, tx, wf, old.graph);
    if (result.saved === 'unchanged')
      await tx.updateTable('workflows').set({ draft: null }).where('id', '=', id).execute();
    return result;
  });
}

// ---- shared steps ------------------------------------------------------------------------------

type LockedWorkflow = { id: string; current_version_id: string | null };

async function lockWorkflow(ctx: ApiContext, tx: Kysely<Database>, id: string): Promise<LockedWorkflow> {
  const wf = await tx
    .selectFrom('workflows')
    .select(['id', 'current_version_id', 'draft', 'name'])
    .where('id', '=', id)
    .where('workspace_id', '=', ctx.workspaceId)
    .forUpdate()
    .executeTakeFirst();
  if (!wf) throw workflowNotFound(id);
  return wf;
}

async function workingGraph(tx: Kysely<Database>, wf: LockedWorkflow): Promise<Record<string, unknown>> {
  const row = await tx
    .selectFrom('workflows as w')
    .leftJoin('workflow_versions as v', 'v.id', 'w.current_version_id')
    .select(['w.draft', 'v.graph', 'w.name'])
    .where('w.id', '=', wf.id)
    .executeTakeFirstOrThrow();
  return (row.draft ?? row.graph ?? emptyGraph(row.name)) as Record<string, unknown>;
}

/** The one path every edit takes: a version when valid (none when unchanged), else a draft. */
async function storeGraph(
  ctx: ApiContext,
  tx: Kysely<Database>,
  wf: LockedWorkflow,
  graph: Record<string, unknown>,
): Promise<SaveResult> {
  const validated = validateWorkflow(graph, ctx.catalog);
  const refIssues = await credentialRefIssues(ctx, tx, graph);
  const checked: typeof validated =
    refIssues.length === 0
      ? validated
      : { ok: false, errors: [...(validated.ok ? [] : validated.errors), ...refIssues] };
  const current = wf.current_version_id
    ? await tx
        .selectFrom('workflow_versions')
        .select(['id', 'version', 'graph'])
        .where('id', '=', wf.current_version_id)
        .executeTakeFirst()
    : undefined;
  if (!checked.ok) {
    const name = typeof graph.name === 'string' && graph.name.trim() ? graph.name.trim().slice(0, 200) : undefined;
    await tx
      .updateTable('workflows')
      .set({ draft: jsonb(graph), updated_at: new Date(), ...(name ? { name } : {}) })
      .where('id', '=', wf.id)
      .execute();
    return {
      workflowId: wf.id,
      saved: 'draft',
      versionId: current?.id ?? null,
      version: current?.version ?? null,
      issues: graphIssues(checked.errors),
    };
  }
  if (current && stableStringify(current.graph) === stableStringify(checked.graph)) {
    await tx.updateTable('workflows').set({ draft: null, name: checked.graph.name }).where('id', '=', wf.id).execute();
    return { workflowId: wf.id, saved: 'unchanged', versionId: current.id, version: current.version, issues: [] };
  }
  const saved = await saveWorkflow(tx, ctx.catalog, checked.graph, {
    workflowId: wf.id,
    workspaceId: ctx.workspaceId,
  });
  await tx.updateTable('workflows').set({ draft: null }).where('id', '=', wf.id).execute();
  return { workflowId: wf.id, saved: 'version', versionId: saved.versionId, version: saved.version, issues: [] };
}

export function workflowNotFound(id: string): ApiError {
  return new ApiError('not_found', `No workflow ${id} in this workspace.`);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Connections a graph names must be this workspace's and of the kind the node asks for: checked
 * at save (and again at run by the credential resolver). A node naming another workspace's
 * connection gets the same answer as one naming nothing.
 */
async function credentialRefIssues(
  ctx: ApiContext,
  tx: Kysely<Database>,
  graph: Record<string, unknown>,
): Promise<Array<{ code: string; message: string; path: string; nodeId: string }>> {
  const nodes = Array.isArray(graph.nodes) ? (graph.nodes as Array<Record<string, unknown>>) : [];
  const refs: Array<{ index: number; nodeId: string; kind: string; id: string }> = [];
  nodes.forEach((n, index) => {
    const creds = n?.credentials;
    if (creds && typeof creds === 'object' && !Array.isArray(creds))
      for (const [kind, id] of Object.entries(creds as Record<string, unknown>))
        if (typeof id === 'string') refs.push({ index, nodeId: String(n.id ?? index), kind, id });
  });
  if (refs.length === 0) return [];
  const ids = [...new Set(refs.map((r) => r.id).filter((id) => UUID.test(id)))];
  const found = ids.length
    ? await tx
        .selectFrom('credentials')
        .select(['id', 'kind'])
        .where('workspace_id', '=', ctx.workspaceId)
        .where('id', 'in', ids)
        .execute()
    : [];
  const kindOf = new Map(found.map((c) => [c.id, c.kind]));
  const issues: Array<{ code: string; message: string; path: string; nodeId: string }> = [];
  for (const r of refs) {
    const path = `nodes[${r.index}].credentials.${r.kind}`;
    const kind = kindOf.get(r.id);
    if (!kind)
      issues.push({
        code: 'unknown_credential',
        path,
        nodeId: r.nodeId,
        message: `node "${r.nodeId}": connection ${r.id} does not exist in this workspace; choose one of your connections`,
      });
    else if (kind !== r.kind)
      issues.push({
        code: 'credential_kind_mismatch',
        path,
        nodeId: r.nodeId,
        message: `node "${r.nodeId}": connection ${r.id} is a ${kind} connection, not ${r.kind}`,
      });
  }
  return issues;
}
