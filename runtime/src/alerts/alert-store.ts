import { sql, type Kysely } from 'kysely';
import type { AlertRuleKind, Database } from '@apiq/db';
import type { AlertChannel, AlertCondition } from './alert-rule-schema.ts';

/** A rule as the API and UI see it. */
export interface AlertRule {
  id: string;
  name: string;
  workflowId: string | null;
  workflowName: string | null;
  condition: AlertCondition;
  channels: AlertChannel[];
  errorWorkflowId: string | null;
  mutedUntil: string | null;
  createdAt: string;
  /** Open events (conditions that hold now). */
  open: number;
  lastFiredAt: string | null;
}

export interface AlertEvent {
  id: number;
  ruleId: string;
  ruleName: string;
  subject: string;
  firedAt: string;
  resolvedAt: string | null;
  details: Record<string, unknown>;
  deliveries: { type: string; target: string; ok: boolean; error?: string; muted?: boolean }[];
}

/** A rule input that points at something outside the workspace, or contradicts itself. */
export class AlertRuleError extends Error {
  constructor(
    readonly code: 'bad_request' | 'not_found',
    message: string,
    readonly path: string,
  ) {
    super(message);
    this.name = 'AlertRuleError';
  }
}

export interface StoredRuleInput {
  name: string;
  workflowId?: string | null | undefined;
  condition: AlertCondition;
  channels: AlertChannel[];
  errorWorkflowId?: string | null | undefined;
}

const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

/**
 * The workspace's alert rules, with how many of their conditions hold now.
 *
 * @example
 * const rules = await listAlertRules(db, workspaceId); // [{ id, name, condition: { kind: 'run_failed' }, open: 1, ... }]
 */
export async function listAlertRules(db: Kysely<Database>, workspaceId: string, id?: string): Promise<AlertRule[]> {
  let q = db
    .selectFrom('alert_rules as r')
    .leftJoin('workflows as w', 'w.id', 'r.workflow_id')
    .select([
      'r.id',
      'r.name',
      'r.workflow_id',
      'w.name as workflow_name',
      'r.kind',
      'r.config',
      'r.channels',
      'r.error_workflow_id',
      'r.muted_until',
      'r.created_at',
      sql<number>`(select count(*)::int from alert_events e where e.rule_id = r.id and e.resolved_at is null)`.as(
        'open',
      ),
      sql<Date | null>`(select max(fired_at) from alert_events e where e.rule_id = r.id)`.as('last_fired_at'),
    ])
    .where('r.workspace_id', '=', workspaceId);
  if (id) q = q.where('r.id', '=', id);
  const rows = await q.orderBy('r.created_at').orderBy('r.id').execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    workflowId: r.workflow_id,
    workflowName: r.workflow_name ?? null,
    condition: { kind: r.kind, ...r.config } as AlertCondition,
    channels: r.channels as AlertChannel[],
    errorWorkflowId: r.error_workflow_id,
    mutedUntil: iso(r.muted_until),
    createdAt: iso(r.created_at)!,
    open: r.open,
    lastFiredAt: iso(r.last_fired_at),
  }));
}

/** One rule; AlertRuleError `not_found` when the workspace has no such rule. */
export async function getAlertRule(db: Kysely<Database>, workspaceId: string, id: string): Promise<AlertRule> {
  const [rule] = await listAlertRules(db, workspaceId, id);
  if (!rule) throw new AlertRuleError('not_found', `No alert rule ${id} in this workspace.`, 'id');
  return rule;
}

/**
 * Stores a new rule after checking that its workflow, error workflow and connection belong to
 * the workspace. Nothing is written when a reference is wrong.
 *
 * @example
 * await createAlertRule(db, workspaceId, {
 *   name: 'Orders failing', workflowId, condition: { kind: 'failures_in_window', count: 3, minutes: 10 },
 *   channels: [{ type: 'webhook', target: 'https://hooks.example.com/apiq' }],
 * });
 */
export async function createAlertRule(
  db: Kysely<Database>,
  workspaceId: string,
  input: StoredRuleInput,
): Promise<AlertRule> {
  await checkReferences(db, workspaceId, input);
  const { kind, ...config } = input.condition;
  const row = await db
    .insertInto('alert_rules')
    .values({
      workspace_id: workspaceId,
      workflow_id: input.workflowId ?? null,
      name: input.name,
      kind: kind as AlertRuleKind,
      config: JSON.stringify(config),
      channels: JSON.stringify(input.channels),
      error_workflow_id: input.errorWorkflowId ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return getAlertRule(db, workspaceId, row.id);
}

/** Changes the given fields of a rule (open events stay; a changed condition resolves them at the next evaluation). */
export async function updateAlertRule(
  db: Kysely<Database>,
  workspaceId: string,
  id: string,
  patch: Partial<StoredRuleInput>,
): Promise<AlertRule> {
  const current = await getAlertRule(db, workspaceId, id);
  const next: StoredRuleInput = {
    name: patch.name ?? current.name,
    workflowId: patch.workflowId === undefined ? current.workflowId : patch.workflowId,
    condition: patch.condition ?? current.condition,
    channels: patch.channels ?? current.channels,
    errorWorkflowId: patch.errorWorkflowId === undefined ? current.errorWorkflowId : patch.errorWorkflowId,
  };
  await checkReferences(db, workspaceId, next);
  const { kind, ...config } = next.condition;
  await db
    .updateTable('alert_rules')
    .set({
      name: next.name,
      workflow_id: next.workflowId ?? null,
      kind: kind as AlertRuleKind,
      config: JSON.stringify(config),
      channels: JSON.stringify(next.channels),
      error_workflow_id: next.errorWorkflowId ?? null,
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .where('workspace_id', '=', workspaceId)
    .execute();
  return getAlertRule(db, workspaceId, id);
}

export async function deleteAlertRule(
  db: Kysely<Database>,
  workspaceId: string,
  id: string,
): Promise<{ id: string; deleted: true }> {
  const gone = await db
    .deleteFrom('alert_rules')
    .where('id', '=', id)
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst();
  if (Number(gone.numDeletedRows) === 0)
    throw new AlertRuleError('not_found', `No alert rule ${id} in this workspace.`, 'id');
  return { id, deleted: true };
}

/**
 * Mutes a rule until a time (null unmutes). While muted, firings are still recorded in the
 * history (marked muted) but not delivered.
 */
export async function muteAlertRule(
  db: Kysely<Database>,
  workspaceId: string,
  id: string,
  until: Date | null,
): Promise<AlertRule> {
  const res = await db
    .updateTable('alert_rules')
    .set({ muted_until: until, updated_at: new Date() })
    .where('id', '=', id)
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0)
    throw new AlertRuleError('not_found', `No alert rule ${id} in this workspace.`, 'id');
  return getAlertRule(db, workspaceId, id);
}

/** Alert events of the workspace (or one rule), newest first. */
export async function alertHistory(
  db: Kysely<Database>,
  workspaceId: string,
  o: { ruleId?: string | undefined; limit?: number | undefined } = {},
): Promise<AlertEvent[]> {
  let q = db
    .selectFrom('alert_events as e')
    .innerJoin('alert_rules as r', 'r.id', 'e.rule_id')
    .select(['e.id', 'e.rule_id', 'r.name', 'e.subject', 'e.fired_at', 'e.resolved_at', 'e.details', 'e.deliveries'])
    .where('e.workspace_id', '=', workspaceId);
  if (o.ruleId) q = q.where('e.rule_id', '=', o.ruleId);
  const rows = await q
    .orderBy('e.fired_at', 'desc')
    .orderBy('e.id', 'desc')
    .limit(o.limit ?? 100)
    .execute();
  return rows.map((e) => ({
    id: e.id,
    ruleId: e.rule_id,
    ruleName: e.name,
    subject: e.subject,
    firedAt: iso(e.fired_at)!,
    resolvedAt: iso(e.resolved_at),
    details: e.details,
    deliveries: e.deliveries as AlertEvent['deliveries'],
  }));
}

async function checkReferences(db: Kysely<Database>, workspaceId: string, input: StoredRuleInput): Promise<void> {
  const workflowExists = async (id: string) =>
    (await db
      .selectFrom('workflows')
      .select('id')
      .where('id', '=', id)
      .where('workspace_id', '=', workspaceId)
      .executeTakeFirst()) !== undefined;
  if (input.workflowId && !(await workflowExists(input.workflowId)))
    throw new AlertRuleError('not_found', `No workflow ${input.workflowId} in this workspace.`, 'workflowId');
  if (input.errorWorkflowId) {
    if (!input.workflowId)
      throw new AlertRuleError(
        'bad_request',
        'An error workflow is set per workflow: choose the workflow this rule watches, or leave the error workflow empty.',
        'errorWorkflowId',
      );
    if (input.errorWorkflowId === input.workflowId)
      throw new AlertRuleError(
        'bad_request',
        'A workflow cannot be its own error workflow: choose another one.',
        'errorWorkflowId',
      );
    if (!(await workflowExists(input.errorWorkflowId)))
      throw new AlertRuleError(
        'not_found',
        `No workflow ${input.errorWorkflowId} in this workspace.`,
        'errorWorkflowId',
      );
  }
  const connectionIds = [
    ...(input.condition.kind === 'connection_down' ? [['condition.connectionId', input.condition.connectionId]] : []),
    ...input.channels.flatMap((c, i) =>
      c.type === 'slack' && c.connectionId ? [[`channels.${i}.connectionId`, c.connectionId]] : [],
    ),
  ] as [string, string][];
  for (const [path, id] of connectionIds) {
    const found = await db
      .selectFrom('credentials')
      .select('id')
      .where('id', '=', id)
      .where('workspace_id', '=', workspaceId)
      .executeTakeFirst();
    if (!found) throw new AlertRuleError('not_found', `No connection ${id} in this workspace.`, path);
  }
}
