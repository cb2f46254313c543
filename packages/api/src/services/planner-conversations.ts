import { sql } from 'kysely';
import { ApiError } from '../errors.ts';
import type { ApiContext } from '../trpc.ts';
import type { ConversationTurnRecord } from '../routers/planner-conversations.ts';

export interface PlannerConversation {
  workflowId: string;
  /** Oldest first; empty when nobody has described anything for this workflow yet. */
  turns: ConversationTurnRecord[];
  /** ISO time of the last save; null when never saved. */
  updatedAt: string | null;
}

async function assertWorkflow(ctx: ApiContext, workflowId: string): Promise<void> {
  const row = await ctx.db
    .selectFrom('workflows')
    .select('id')
    .where('id', '=', workflowId)
    .where('workspace_id', '=', ctx.workspaceId)
    .executeTakeFirst();
  if (!row) throw new ApiError('not_found', `No workflow ${workflowId} in this workspace.`);
}

/**
 * The prompt bar's conversation about one workflow of the caller's workspace.
 *
 * @example
 * const { turns } = await getConversation(ctx, workflowId);
 */
export async function getConversation(ctx: ApiContext, workflowId: string): Promise<PlannerConversation> {
  await assertWorkflow(ctx, workflowId);
  const row = await ctx.db
    .selectFrom('planner_conversations')
    .select(['turns', 'updated_at'])
    .where('workflow_id', '=', workflowId)
    .where('workspace_id', '=', ctx.workspaceId)
    .executeTakeFirst();
  return {
    workflowId,
    turns: (row?.turns as ConversationTurnRecord[] | undefined) ?? [],
    updatedAt: row ? row.updated_at.toISOString() : null,
  };
}

/**
 * Replaces the conversation of a workflow (the editor sends the whole thread, already trimmed to
 * its newest turns); an empty list clears it.
 *
 * @example
 * await saveConversation(ctx, workflowId, [{ role: 'user', text: 'also email me', at: new Date().toISOString() }]);
 */
export async function saveConversation(
  ctx: ApiContext,
  workflowId: string,
  turns: ConversationTurnRecord[],
): Promise<PlannerConversation> {
  await assertWorkflow(ctx, workflowId);
  const value = JSON.stringify(turns);
  const row = await ctx.db
    .insertInto('planner_conversations')
    .values({ workflow_id: workflowId, workspace_id: ctx.workspaceId, turns: value })
    .onConflict((oc) => oc.column('workflow_id').doUpdateSet({ turns: value, updated_at: sql`now()` }))
    .returning('updated_at')
    .executeTakeFirstOrThrow();
  return { workflowId, turns, updatedAt: row.updated_at.toISOString() };
}
