import { sql, type Kysely } from 'kysely';
import type { Database } from '@apiq/db';

export interface SummaryQuery {
  workspaceId: string;
  from: Date;
  to: Date;
  workflowId?: string;
}

export interface WorkflowSummary {
  workflowId: string;
  name: string;
  runs: number;
  succeeded: number;
  failed: number;
  /** succeeded / (succeeded + failed + dead + cancelled); null without finished runs. */
  successRate: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
}

export interface SlowStep {
  workflowId: string;
  workflowName: string;
  stepId: string;
  nodeType: string;
  attempts: number;
  p95Ms: number;
  maxMs: number;
}

export interface ConnectionHealth {
  id: string;
  name: string;
  kind: string;
  status: string;
  lastTestedAt: string | null;
  lastError: string | null;
}

export interface MonitoringSummary {
  from: string;
  to: string;
  totals: { runs: number; succeeded: number; failed: number; successRate: number | null };
  workflows: WorkflowSummary[];
  slowestSteps: SlowStep[];
  /** Connections whose last health check failed (or that need reconnecting). */
  failingConnections: ConnectionHealth[];
  connections: ConnectionHealth[];
}

const FINISHED = ['succeeded', 'failed', 'cancelled', 'dead'];

/**
 * Run performance of a workspace over a window of run creation times: success rate and p50/p95
 * duration per workflow, the slowest steps, and connection health.
 *
 * @example
 * const s = await monitoringSummary(db, { workspaceId, from: new Date(Date.now() - 86_400_000), to: new Date() });
 * s.workflows[0]; // { workflowId, name, runs: 12, succeeded: 11, failed: 1, successRate: 0.917, p50Ms: 40, p95Ms: 210 }
 */
export async function monitoringSummary(db: Kysely<Database>, q: SummaryQuery): Promise<MonitoringSummary> {
  const workflowFilter = q.workflowId ? sql`and r.workflow_id = ${q.workflowId}` : sql``;
  const perWorkflow = await sql<{
    workflow_id: string;
    name: string;
    runs: number;
    succeeded: number;
    failed: number;
    finished: number;
    p50: number | null;
    p95: number | null;
  }>`
    select r.workflow_id, w.name,
      count(*)::int as runs,
      count(*) filter (where r.status = 'succeeded')::int as succeeded,
      count(*) filter (where r.status in ('failed', 'dead'))::int as failed,
      count(*) filter (where r.status in (${sql.join(FINISHED)}))::int as finished,
      percentile_cont(0.5) within group (order by extract(epoch from r.finished_at - r.started_at) * 1000)
        filter (where r.finished_at is not null and r.started_at is not null) as p50,
      percentile_cont(0.95) within group (order by extract(epoch from r.finished_at - r.started_at) * 1000)
        filter (where r.finished_at is not null and r.started_at is not null) as p95
    from runs r join workflows w on w.id = r.workflow_id
    where r.workspace_id = ${q.workspaceId} and r.created_at >= ${q.from} and r.created_at < ${q.to} ${workflowFilter}
    group by r.workflow_id, w.name
    order by count(*) desc, w.name`.execute(db);

  const slow = await sql<{
    workflow_id: string;
    name: string;
    step_id: string;
    node_type: string;
    attempts: number;
    p95: number;
    max: number;
  }>`
    select r.workflow_id, w.name, s.step_id, s.node_type, count(*)::int as attempts,
      percentile_cont(0.95) within group (order by s.duration_ms) as p95, max(s.duration_ms)::float8 as max
    from step_attempts s
      join runs r on r.id = s.run_id
      join workflows w on w.id = r.workflow_id
    where r.workspace_id = ${q.workspaceId} and r.created_at >= ${q.from} and r.created_at < ${q.to} ${workflowFilter}
      and s.duration_ms is not null and s.status in ('succeeded', 'failed')
    group by r.workflow_id, w.name, s.step_id, s.node_type
    order by p95 desc, max desc
    limit 10`.execute(db);

  const connections = (
    await db
      .selectFrom('credentials')
      .select(['id', 'name', 'kind', 'status', 'last_tested_at', 'last_error'])
      .where('workspace_id', '=', q.workspaceId)
      .orderBy('name')
      .execute()
  ).map(
    (c): ConnectionHealth => ({
      id: c.id,
      name: c.name,
      kind: c.kind,
      status: c.status,
      lastTestedAt: c.last_tested_at ? new Date(c.last_tested_at).toISOString() : null,
      lastError: c.last_error,
    }),
  );

  const rate = (succeeded: number, finished: number) =>
    finished > 0 ? Math.round((succeeded / finished) * 1000) / 1000 : null;
  const ms = (v: number | null) => (v === null ? null : Math.round(Number(v)));
  const workflows = perWorkflow.rows.map(
    (r): WorkflowSummary => ({
      workflowId: r.workflow_id,
      name: r.name,
      runs: r.runs,
      succeeded: r.succeeded,
      failed: r.failed,
      successRate: rate(r.succeeded, r.finished),
      p50Ms: ms(r.p50),
      p95Ms: ms(r.p95),
    }),
  );
  const sum = (f: (r: (typeof perWorkflow.rows)[number]) => number) => perWorkflow.rows.reduce((n, r) => n + f(r), 0);
  return {
    from: q.from.toISOString(),
    to: q.to.toISOString(),
    totals: {
      runs: sum((r) => r.runs),
      succeeded: sum((r) => r.succeeded),
      failed: sum((r) => r.failed),
      successRate: rate(
        sum((r) => r.succeeded),
        sum((r) => r.finished),
      ),
    },
    workflows,
    slowestSteps: slow.rows.map((r) => ({
      workflowId: r.workflow_id,
      workflowName: r.name,
      stepId: r.step_id,
      nodeType: r.node_type,
      attempts: r.attempts,
      p95Ms: Math.round(Number(r.p95)),
      maxMs: Math.round(Number(r.max)),
    })),
    failingConnections: connections.filter((c) => c.status === 'error' || c.status === 'needs_connect'),
    connections,
  };
}
