import { sql, type Kysely } from 'kysely';

/**
 * The prompt bar's conversation with the planner, one per workflow: what the user asked and what
 * the planner answered (summaries, questions, remaining problems), so that reopening a workflow
 * shows how it came about and follow-ups keep their context. Never credentials: turns are text.
 */
const statements = [
  `CREATE TABLE planner_conversations (
    workflow_id uuid PRIMARY KEY REFERENCES workflows (id) ON DELETE CASCADE,
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    turns jsonb NOT NULL DEFAULT '[]'::jsonb,
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX planner_conversations_workspace_idx ON planner_conversations (workspace_id)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) {
    try {
      await sql.raw(statement).execute(db);
    } catch (error) {
      const first = statement.trim().split('\n')[0];
      throw new Error(`Migration 0010_planner_conversations failed at "${first}": ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS planner_conversations`.execute(db);
}
