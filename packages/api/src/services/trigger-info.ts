import type { WorkflowIR } from '@apiq/graph';
import { nextScheduleTicks, normalizeWebhookPath } from '@apiq/runtime';
import type { ApiContext } from '../trpc.ts';
import { workflowNotFound } from './workflows.ts';

export type TriggerInfo =
  | { kind: 'none'; message: string }
  | { kind: 'manual'; nodeId: string }
  | { kind: 'webhook' | 'app_event'; nodeId: string; method: string; path: string; url: string; active: boolean }
  | { kind: 'schedule'; nodeId: string; cron: string; timezone: string; next: string[]; active: boolean }
  | { kind: string; nodeId: string; type: string; active: boolean };

/**
 * How the workflow's newest saved version starts: the webhook URL and method, the next five
 * schedule times (same cron library as the Scheduler), or manual. `active` says whether the
 * trigger is live.
 */
export async function triggerInfo(ctx: ApiContext, id: string): Promise<TriggerInfo> {
  const row = await ctx.db
    .selectFrom('workflows as w')
    .leftJoin('workflow_versions as v', 'v.id', 'w.current_version_id')
    .select(['w.id', 'w.active', 'v.ir'])
    .where('w.id', '=', id)
    .where('w.workspace_id', '=', ctx.workspaceId)
    .executeTakeFirst();
  if (!row) throw workflowNotFound(id);
  const ir = row.ir as WorkflowIR | null;
  if (!ir) return { kind: 'none', message: 'No valid version saved yet: add a trigger node and save.' };
  const step = ir.steps[ir.trigger]!;
  // Connectors' app-event triggers take deliveries on their `path` like the core webhook trigger.
  if (step.type === 'core.webhook_trigger' || ir.triggerKind === 'app_event') {
    const path = normalizeWebhookPath(String(step.params.path ?? ''));
    return {
      kind: step.type === 'core.webhook_trigger' ? 'webhook' : 'app_event',
      nodeId: step.id,
      method: String(step.params.method ?? 'POST').toUpperCase(),
      path,
      url: `${ctx.origin}/webhook/${path}`,
      active: row.active,
    };
  }
  if (step.type === 'core.schedule_trigger' && typeof step.params.cron === 'string') {
    const timezone = String(step.params.timezone ?? 'UTC');
    return {
      kind: 'schedule',
      nodeId: step.id,
      cron: step.params.cron,
      timezone,
      next: nextScheduleTicks(step.params.cron, timezone, 5).map((d) => d.toISOString()),
      active: row.active,
    };
  }
  if (ir.triggerKind === 'manual') return { kind: 'manual', nodeId: step.id };
  return { kind: ir.triggerKind, nodeId: step.id, type: step.type, active: row.active };
}
