import { sql, type Kysely } from 'kysely';
import type { Database } from '@apiq/db';

export interface RuleRow {
  id: string;
  workspace_id: string;
  workflow_id: string | null;
  name: string;
  kind: string;
  config: Record<string, unknown>;
}

/** The conditions of a rule that hold now, by subject (workflow id, connection id, or '' for the whole scope). */
export type ActiveConditions = Map<string, Record<string, unknown>>;

/** How far back "the latest run" of a workflow is looked for. */
const LATEST_RUN_WINDOW = sql`interval '7 days'`;

/**
 * Evaluates one rule against the database: which of its conditions hold now, with what a person
 * needs to act (run id, error, counts). A few indexed queries per rule; nothing per run.
 */
export async function activeConditions(db: Kysely<Database>, rule: RuleRow): Promise<ActiveConditions> {
  const active: ActiveConditions = new Map();
  switch (rule.kind) {
    case 'run_failed':
    case 'duration_over': {
      const workflows = rule.workflow_id ? sql`w.id = ${rule.workflow_id}` : sql`w.workspace_id = ${rule.workspace_id}`;
      // The newest finished run of each workflow: one backwards index walk per workflow.
      const latest = await sql<{
        workflow_id: string;
        name: string;
        id: string;
        status: string;
        error: { name?: string; message?: string; stepId?: string } | null;
        duration_ms: number | null;
      }>`
        select w.id as workflow_id, w.name, r.id, r.status, r.error, r.duration_ms
        from workflows w cross join lateral (
          select r.id, r.status, r.error,
            (extract(epoch from r.finished_at - r.started_at) * 1000)::float8 as duration_ms
          from runs r
          where r.workflow_id = w.id and r.status in ('succeeded', 'failed', 'dead')
            and r.created_at > now() - ${LATEST_RUN_WINDOW}
          order by r.created_at desc, r.id desc limit 1) r
        where ${workflows}`.execute(db);
      for (const run of latest.rows) {
        const base = { workflowId: run.workflow_id, workflowName: run.name, runId: run.id };
        if (rule.kind === 'run_failed' && run.status !== 'succeeded') {
          active.set(run.workflow_id, {
            ...base,
            status: run.status,
            error: run.error?.message ?? null,
            stepId: run.error?.stepId ?? null,
          });
        }
        const limit = Number(rule.config.ms);
        if (rule.kind === 'duration_over' && run.duration_ms !== null && run.duration_ms > limit) {
          active.set(run.workflow_id, { ...base, durationMs: Math.round(run.duration_ms), limitMs: limit });
        }
      }
      return active;
    }
    case 'failures_in_window': {
      const minutes = Number(rule.config.minutes);
      const count = Number(rule.config.count);
      const scope = rule.workflow_id
        ? sql`r.workflow_id = ${rule.workflow_id}`
        : sql`r.workspace_id = ${rule.workspace_id}`;
      const failed = await sql<{ n: number; ids: string[] | null }>`
        select count(*)::int as n, (array_agg(r.id order by r.finished_at desc))[1:5] as ids
        from runs r
        where ${scope} and r.status in ('failed', 'dead')
          and r.created_at > now() - ${minutes} * interval '1 minute' - interval '1 day'
          and r.finished_at > now() - ${minutes} * interval '1 minute'`.execute(db);
      const row = failed.rows[0]!;
      if (row.n >= count) active.set('', { failures: row.n, count, minutes, recentRunIds: row.ids ?? [] });
      return active;
    }
    case 'connection_down': {
      const id = String(rule.config.connectionId);
      const c = await db
        .selectFrom('credentials')
        .select(['id', 'name', 'kind', 'status', 'last_error', 'last_tested_at'])
        .where('id', '=', id)
        .where('workspace_id', '=', rule.workspace_id)
        .executeTakeFirst();
      if (c && (c.status === 'error' || c.status === 'needs_connect'))
        active.set(id, {
          connectionId: id,
          connectionName: c.name,
          kind: c.kind,
          status: c.status,
          error: c.last_error,
          lastTestedAt: c.last_tested_at ? new Date(c.last_tested_at).toISOString() : null,
        });
      return active;
    }
    default:
      return active;
  }
}

/** One line a person reads in an email subject, a Slack message or a log. */
export function describeFiring(rule: Pick<RuleRow, 'name' | 'kind' | 'config'>, d: Record<string, unknown>): string {
  switch (rule.kind) {
    case 'run_failed':
      return `Run ${d.runId} of "${d.workflowName}" ${d.status === 'dead' ? 'was dead-lettered' : 'failed'}${d.stepId ? ` at step "${d.stepId}"` : ''}${d.error ? `: ${d.error}` : ''}`;
    case 'failures_in_window':
      return `${d.failures} runs failed in the last ${d.minutes} minutes (limit ${d.count})`;
    case 'duration_over':
      return `Run ${d.runId} of "${d.workflowName}" took ${d.durationMs} ms (limit ${d.limitMs} ms)`;
    case 'connection_down':
      return `Connection "${d.connectionName}" (${d.kind}) is down${d.error ? `: ${d.error}` : ''}`;
    default:
      return rule.name;
  }
}
