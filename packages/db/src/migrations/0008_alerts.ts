import { sql, type Kysely } from 'kysely';

/**
 * Observability: alert rules (per workflow, or workspace-wide when `workflow_id` is null), the
 * history of their events, and the metric snapshots each executor publishes for the web
 * process's `/metrics` (docs/decisions/0009-metrics-across-processes.md).
 *
 * At most one open (unresolved) event per rule and subject (the workflow or connection the
 * condition is about): the partial unique index is what makes a rule fire once per condition,
 * even with several evaluators.
 */
const statements = [
  `CREATE TABLE alert_rules (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    workflow_id uuid REFERENCES workflows (id) ON DELETE CASCADE,
    name text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('run_failed', 'failures_in_window', 'duration_over', 'connection_down')),
    config jsonb NOT NULL DEFAULT '{}'::jsonb,
    channels jsonb NOT NULL DEFAULT '[]'::jsonb,
    error_workflow_id uuid REFERENCES workflows (id) ON DELETE SET NULL,
    muted_until timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX alert_rules_workspace_idx ON alert_rules (workspace_id, created_at)`,

  `CREATE TABLE alert_events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rule_id uuid NOT NULL REFERENCES alert_rules (id) ON DELETE CASCADE,
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    subject text NOT NULL DEFAULT '',
    fired_at timestamptz NOT NULL DEFAULT now(),
    resolved_at timestamptz,
    details jsonb NOT NULL DEFAULT '{}'::jsonb,
    deliveries jsonb NOT NULL DEFAULT '[]'::jsonb
  )`,
  `CREATE UNIQUE INDEX alert_events_one_open_idx ON alert_events (rule_id, subject) WHERE resolved_at IS NULL`,
  `CREATE INDEX alert_events_workspace_time_idx ON alert_events (workspace_id, fired_at DESC)`,

  `CREATE TABLE metric_snapshots (
    source text PRIMARY KEY,
    metrics jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) {
    try {
      await sql.raw(statement).execute(db);
    } catch (error) {
      const first = statement.trim().split('\n')[0];
      throw new Error(`Migration 0008_alerts failed at "${first}": ${(error as Error).message}`, { cause: error });
    }
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS metric_snapshots`.execute(db);
  await sql`DROP TABLE IF EXISTS alert_events`.execute(db);
  await sql`DROP TABLE IF EXISTS alert_rules`.execute(db);
}
