import { validateWorkflow } from '@apiq/graph';
import { activateWorkflow, saveWorkflow, WorkflowConflictError, WorkflowInvalidError } from '@apiq/runtime';
import type { ApiContext } from '../trpc.ts';
import { ApiError, type ApiIssue } from '../errors.ts';
import { graphIssues, workflowNotFound } from './workflows.ts';

/** The export bundle, the same format `apiq export` writes and `apiq import` reads. */
export interface ExportBundle {
  apiq: 1;
  exportedAt: string;
  workflows: { id: string; active: boolean; version: number; graph: unknown }[];
}

/** A workflow's newest saved version as an export bundle (drafts are not exported). */
export async function exportWorkflow(ctx: ApiContext, id: string): Promise<ExportBundle> {
  const row = await ctx.db
    .selectFrom('workflows as w')
    .leftJoin('workflow_versions as v', 'v.id', 'w.current_version_id')
    .select(['w.id', 'w.name', 'w.active', 'v.graph', 'v.version'])
    .where('w.id', '=', id)
    .where('w.workspace_id', '=', ctx.workspaceId)
    .executeTakeFirst();
  if (!row) throw workflowNotFound(id);
  if (row.version === null || row.graph === null)
    throw new ApiError('conflict', `Workflow "${row.name}" has no valid saved version to export yet; save it first.`);
  return {
    apiq: 1,
    exportedAt: new Date().toISOString(),
    workflows: [{ id: row.id, active: row.active, version: row.version, graph: row.graph }],
  };
}

export interface ImportResult {
  workflows: { id: string; name: string; versionId: string; version: number; active: boolean; created: boolean }[];
}

/**
 * Imports an export bundle or a single graph, as `apiq import` does: every workflow is validated
 * first and all are saved (and activated when marked active, or with `activate`) in one
 * transaction, so either everything is imported or nothing. A bundle entry whose `id` names a
 * workflow of this workspace becomes a new version of it.
 *
 * @example
 * await importWorkflows(ctx, await (await fetch(url)).text());
 */
export async function importWorkflows(ctx: ApiContext, json: unknown, activate = false): Promise<ImportResult> {
  const data = typeof json === 'string' ? parseJson(json) : json;
  const bundle = isBundle(data);
  const entries = bundle
    ? data.workflows.map((w) => ({
        graph: w.graph,
        active: w.active === true,
        id: typeof w.id === 'string' ? w.id : undefined,
      }))
    : [{ graph: data, active: false, id: undefined }];
  if (entries.length === 0) throw new ApiError('bad_request', 'The bundle holds no workflows; nothing imported.');
  const issues: ApiIssue[] = [];
  entries.forEach((e, i) => {
    const r = validateWorkflow(e.graph, ctx.catalog);
    if (!r.ok)
      issues.push(
        ...graphIssues(r.errors).map((x) => ({ ...x, path: bundle ? `workflows[${i}].graph.${x.path}` : x.path })),
      );
  });
  if (issues.length > 0)
    throw new ApiError('bad_request', `Nothing imported: ${issues.length} problem(s) in the workflows.`, issues);
  try {
    return await ctx.db.transaction().execute(async (tx) => {
      const out: ImportResult['workflows'] = [];
      for (const e of entries) {
        const existing =
          e.id && /^[0-9a-f-]{36}$/i.test(e.id)
            ? await tx
                .selectFrom('workflows')
                .select('id')
                .where('id', '=', e.id)
                .where('workspace_id', '=', ctx.workspaceId)
                .executeTakeFirst()
            : undefined;
        const saved = await saveWorkflow(tx, ctx.catalog, e.graph, {
          workspaceId: ctx.workspaceId,
          ...(existing ? { workflowId: existing.id } : {}),
        });
        const active = activate || e.active;
        if (active) await activateWorkflow(tx, saved.workflowId);
        out.push({
          id: saved.workflowId,
          name: saved.graph.name,
          versionId: saved.versionId,
          version: saved.version,
          active,
          created: !existing,
        });
      }
      return { workflows: out };
    });
  } catch (err) {
    if (err instanceof WorkflowConflictError || err instanceof WorkflowInvalidError)
      throw new ApiError('conflict', `Nothing imported: ${err.message}`);
    throw err;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ApiError('bad_request', `json is not valid JSON: ${(err as Error).message}`, [
      { path: 'json', message: (err as Error).message },
    ]);
  }
}

function isBundle(v: unknown): v is { workflows: { graph: unknown; active?: boolean; id?: unknown }[] } {
  return typeof v === 'object' && v !== null && Array.isArray((v as { workflows?: unknown }).workflows);
}
