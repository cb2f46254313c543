import { z } from 'zod';
import {
  AlertRuleError,
  AlertRuleInput,
  AlertRuleUpdate,
  alertHistory,
  checkReadiness,
  createAlertRule,
  deleteAlertRule,
  getAlertRule,
  listAlertRules,
  monitoringSummary,
  muteAlertRule,
  updateAlertRule,
} from '@apiq/runtime';
import { procedure, router, type ApiContext } from '../trpc.ts';
import { Id, IdInput } from '../schemas.ts';
import { ApiError } from '../errors.ts';
import { getWorkflow, saveWorkflowGraph } from '../services/workflows.ts';

const DAY_MS = 86_400_000;

export const MonitoringSummaryInput = z.object({
  from: z.iso.datetime({ offset: true }).optional().describe('Window start (runs created from then); default 24 h ago'),
  to: z.iso.datetime({ offset: true }).optional().describe('Window end; default now'),
  workflowId: Id.optional(),
});

export const AlertMuteInput = z.object({
  id: Id,
  until: z.iso
    .datetime({ offset: true })
    .nullable()
    .describe('Mute until this time; null unmutes. Firings while muted are recorded, not delivered'),
});

export const AlertHistoryInput = z.object({
  ruleId: Id.optional(),
  limit: z.number().int().min(1).max(500).default(100),
});

/** Runs an alert-store call, turning its located errors into API errors (`input.<path>`). */
async function alertCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof AlertRuleError)
      throw new ApiError(err.code, err.message, [{ path: `input.${err.path}`, message: err.message }]);
    throw err;
  }
}

/**
 * Sets (or clears) a workflow's error workflow: its `settings.errorWorkflowId`, saved as a new
 * version like any edit. Refused while the workflow has unsaved editor changes (a draft).
 */
async function applyErrorWorkflow(ctx: ApiContext, workflowId: string, errorWorkflowId: string | null): Promise<void> {
  const wf = await getWorkflow(ctx, workflowId);
  const settings = { ...((wf.graph.settings as Record<string, unknown> | undefined) ?? {}) };
  if ((settings.errorWorkflowId ?? null) === errorWorkflowId) return;
  if (wf.draft)
    throw new ApiError(
      'conflict',
      `Workflow "${wf.name}" has unsaved changes (a draft): save it in the editor first, then choose its error workflow.`,
      [{ path: 'input.errorWorkflowId', message: 'the workflow has a draft' }],
    );
  if (errorWorkflowId) settings.errorWorkflowId = errorWorkflowId;
  else delete settings.errorWorkflowId;
  await saveWorkflowGraph(ctx, { id: workflowId, graph: { ...wf.graph, settings } });
}

/**
 * Monitoring: run performance, readiness and connection health of the caller's workspace.
 * `summary` → `{ totals, workflows: [{ successRate, p50Ms, p95Ms, ... }], slowestSteps, failingConnections, connections }`.
 */
export const monitoringRouter = router({
  summary: procedure.input(MonitoringSummaryInput).query(({ ctx, input }) => {
    const to = input.to ? new Date(input.to) : new Date();
    const from = input.from ? new Date(input.from) : new Date(to.getTime() - DAY_MS);
    if (from >= to)
      throw new ApiError('bad_request', 'The window is empty: "from" must be before "to".', [
        { path: 'input.from', message: 'must be before to' },
      ]);
    return monitoringSummary(ctx.db, {
      workspaceId: ctx.workspaceId,
      from,
      to,
      ...(input.workflowId ? { workflowId: input.workflowId } : {}),
    });
  }),
  /** The instance's readiness (as `/api/health/ready`). */
  ready: procedure.query(({ ctx }) => checkReadiness(ctx.db)),
});

/**
 * Alert rules and their history. A rule watches one workflow (or the whole workspace) for a
 * condition (`run_failed`, `failures_in_window`, `duration_over`, `connection_down`), fires once
 * while it holds, and delivers to email, Slack or webhook channels.
 */
export const alertsRouter = router({
  list: procedure.query(({ ctx }) => listAlertRules(ctx.db, ctx.workspaceId)),
  get: procedure
    .input(IdInput)
    .query(({ ctx, input }) => alertCall(() => getAlertRule(ctx.db, ctx.workspaceId, input.id))),
  /** NOT_FOUND naming `input.workflowId` / `input.condition.connectionId` when they are not in the workspace. */
  create: procedure.input(AlertRuleInput).mutation(({ ctx, input }) =>
    alertCall(async () => {
      const rule = await createAlertRule(ctx.db, ctx.workspaceId, input);
      if (input.workflowId && input.errorWorkflowId !== undefined)
        await applyErrorWorkflow(ctx, input.workflowId, input.errorWorkflowId);
      return rule;
    }),
  ),
  update: procedure.input(AlertRuleUpdate).mutation(({ ctx, input }) =>
    alertCall(async () => {
      const { id, ...patch } = input;
      const rule = await updateAlertRule(ctx.db, ctx.workspaceId, id, patch);
      if (rule.workflowId && input.errorWorkflowId !== undefined)
        await applyErrorWorkflow(ctx, rule.workflowId, input.errorWorkflowId);
      return rule;
    }),
  ),
  delete: procedure
    .input(IdInput)
    .mutation(({ ctx, input }) => alertCall(() => deleteAlertRule(ctx.db, ctx.workspaceId, input.id))),
  mute: procedure
    .input(AlertMuteInput)
    .mutation(({ ctx, input }) =>
      alertCall(() => muteAlertRule(ctx.db, ctx.workspaceId, input.id, input.until ? new Date(input.until) : null)),
    ),
  /** Events newest first: `{ id, ruleId, ruleName, subject, firedAt, resolvedAt, details, deliveries }`. */
  history: procedure
    .input(AlertHistoryInput)
    .query(({ ctx, input }) => alertHistory(ctx.db, ctx.workspaceId, { ruleId: input.ruleId, limit: input.limit })),
});
