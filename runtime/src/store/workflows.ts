import { sql, type Kysely } from 'kysely';
import { z, type NodeCatalog } from '@apiq/sdk';
import {
  compileWorkflow,
  validateWorkflow,
  type ValidationIssue,
  type WorkflowGraph,
  type WorkflowIR,
} from '@apiq/graph';
import { DEFAULT_WORKSPACE_ID, type Database } from '@apiq/db';

export class WorkflowInvalidError extends Error {
  constructor(readonly issues: ValidationIssue[]) {
    super(`Workflow is invalid:\n${issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n')}`);
    this.name = 'WorkflowInvalidError';
  }
}

export class WorkflowConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkflowConflictError';
  }
}

export interface SavedVersion {
  workflowId: string;
  versionId: string;
  version: number;
  graph: WorkflowGraph;
  ir: WorkflowIR;
}

/**
 * Validates and compiles a graph, then stores it as a new immutable version (creating the
 * workflow when `workflowId` is absent). Nothing is written when the graph is invalid.
 */
export async function saveWorkflow(
  db: Kysely<Database>,
  catalog: NodeCatalog,
  input: unknown,
  options: { workflowId?: string; workspaceId?: string } = {},
): Promise<SavedVersion> {
  const checked = validateWorkflow(input, catalog);
  if (!checked.ok) throw new WorkflowInvalidError(checked.errors);
  const ir = withTriggerPathDefault(compileWorkflow(checked.graph, catalog), catalog);
  return inTransaction(db, async (tx) => {
    let workflowId = options.workflowId;
    if (!workflowId) {
      const row = await tx
        .insertInto('workflows')
        .values({
          workspace_id: options.workspaceId ?? DEFAULT_WORKSPACE_ID,
          name: checked.graph.name,
          active_version_id: null,
          current_version_id: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      workflowId = row.id;
    }
    const locked = await tx
      .selectFrom('workflows')
      .select('id')
      .where('id', '=', workflowId)
      .forUpdate()
      .executeTakeFirst();
    if (!locked) throw new WorkflowConflictError(`workflow ${workflowId} does not exist`);
    const last = await tx
      .selectFrom('workflow_versions')
      .select(sql<number>`coalesce(max(version), 0)`.as('v'))
      .where('workflow_id', '=', workflowId)
      .executeTakeFirstOrThrow();
    const version = Number(last.v) + 1;
    const row = await tx
      .insertInto('workflow_versions')
      .values({ workflow_id: workflowId, version, graph: JSON.stringify(checked.graph), ir: JSON.stringify(ir) })
      .returning('id')
      .executeTakeFirstOrThrow();
    await tx
      .updateTable('workflows')
      .set({ current_version_id: row.id, name: checked.graph.name, updated_at: new Date() })
      .where('id', '=', workflowId)
      .execute();
    return { workflowId, versionId: row.id, version, graph: checked.graph, ir };
  });
}

/**
 * An app-event trigger whose `path` param was left out listens on its schema's default path
 * (e.g. `github/issues`): the IR records it, so activation registers what the editor showed.
 */
function withTriggerPathDefault(ir: WorkflowIR, catalog: NodeCatalog): WorkflowIR {
  const step = ir.steps[ir.trigger];
  if (ir.triggerKind !== 'app_event' || !step || step.params.path !== undefined) return ir;
  const schema = catalog.get(step.type, step.version)?.params;
  const pathSchema = schema instanceof z.ZodObject ? (schema.shape as Record<string, z.ZodType>).path : undefined;
  const fallback = pathSchema?.safeParse(undefined);
  if (!fallback?.success || typeof fallback.data !== 'string') return ir;
  return { ...ir, steps: { ...ir.steps, [step.id]: { ...step, params: { ...step.params, path: fallback.data } } } };
}

/**
 * Makes a version the one its triggers run: registers webhook paths and schedules in the same
 * transaction, so a path taken by another workflow fails the activation and changes nothing.
 */
export async function activateWorkflow(db: Kysely<Database>, workflowId: string, versionId?: string): Promise<void> {
  await inTransaction(db, async (tx) => {
    const wf = await tx.selectFrom('workflows').selectAll().where('id', '=', workflowId).forUpdate().executeTakeFirst();
    if (!wf) throw new WorkflowConflictError(`workflow ${workflowId} does not exist`);
    const vid = versionId ?? wf.current_version_id;
    if (!vid) throw new WorkflowConflictError(`workflow ${workflowId} has no saved version`);
    const ver = await tx
      .selectFrom('workflow_versions')
      .select(['id', 'ir'])
      .where('id', '=', vid)
      .where('workflow_id', '=', workflowId)
      .executeTakeFirst();
    if (!ver) throw new WorkflowConflictError(`version ${vid} does not belong to workflow ${workflowId}`);
    const ir = ver.ir as WorkflowIR;
    await tx.deleteFrom('webhook_endpoints').where('workflow_id', '=', workflowId).execute();
    await tx.deleteFrom('schedules').where('workflow_id', '=', workflowId).execute();
    const trigger = ir.steps[ir.trigger]!;
    // Connectors' app-event triggers (GitHub, Slack, Stripe, ...) take deliveries on their `path` like the core trigger.
    if (trigger.type === 'core.webhook_trigger' || ir.triggerKind === 'app_event') {
      const path = normalizeWebhookPath(String(trigger.params.path ?? ''));
      if (path === '')
        throw new WorkflowConflictError(
          `trigger "${trigger.id}" has no webhook path; set its "path" param (e.g. "github/issues") and activate again`,
        );
      const method = String(trigger.params.method ?? 'POST').toUpperCase();
      const taken = await tx
        .selectFrom('webhook_endpoints')
        .select('workflow_id')
        .where('path', '=', path)
        .where((eb) =>
          eb.or([
            eb('method', '=', method),
            eb('method', '=', 'ANY'),
            ...(method === 'ANY' ? [eb('method', 'is not', null)] : []),
          ]),
        )
        .executeTakeFirst();
      if (taken)
        throw new WorkflowConflictError(
          `webhook path "/webhook/${path}" is already used by workflow ${taken.workflow_id}`,
        );
      await tx
        .insertInto('webhook_endpoints')
        .values({ workflow_id: workflowId, version_id: vid, node_id: trigger.id, path, method })
        .execute();
    }
    if (trigger.type === 'core.schedule_trigger') {
      await tx
        .insertInto('schedules')
        .values({
          workflow_id: workflowId,
          version_id: vid,
          node_id: trigger.id,
          cron: String(trigger.params.cron),
          timezone: String(trigger.params.timezone ?? 'UTC'),
        })
        .execute();
    }
    await tx
      .updateTable('workflows')
      .set({ active: true, active_version_id: vid, updated_at: new Date() })
      .where('id', '=', workflowId)
      .execute();
  });
  await sql`select pg_notify('apiq_workflows', ${workflowId})`.execute(db);
}

export async function deactivateWorkflow(db: Kysely<Database>, workflowId: string): Promise<void> {
  await inTransaction(db, async (tx) => {
    await tx.deleteFrom('webhook_endpoints').where('workflow_id', '=', workflowId).execute();
    await tx.deleteFrom('schedules').where('workflow_id', '=', workflowId).execute();
    await tx
      .updateTable('workflows')
      .set({ active: false, updated_at: new Date() })
      .where('id', '=', workflowId)
      .execute();
  });
  await sql`select pg_notify('apiq_workflows', ${workflowId})`.execute(db);
}

/** Runs `fn` in the caller's transaction when there is one, else in a new one. */
export function inTransaction<T>(db: Kysely<Database>, fn: (tx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}

export function normalizeWebhookPath(path: string): string {
  return path.replace(/^\/+/, '').replace(/\/+$/, '');
}

const irCache = new Map<string, WorkflowIR>();

/** Versions are immutable, so their compiled IR is cached forever (bounded by count). */
export async function loadVersionIR(db: Kysely<Database>, versionId: string): Promise<WorkflowIR> {
  const hit = irCache.get(versionId);
  if (hit) return hit;
  const row = await db.selectFrom('workflow_versions').select('ir').where('id', '=', versionId).executeTakeFirst();
  if (!row) throw new Error(`workflow version ${versionId} not found`);
  if (irCache.size > 5000) irCache.delete(irCache.keys().next().value as string);
  irCache.set(versionId, row.ir as WorkflowIR);
  return row.ir as WorkflowIR;
}
