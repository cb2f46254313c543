import { sql, type Kysely } from 'kysely';

/**
 * Templates saved by users and shared within their workspace (packages/templates). `graph` holds
 * no connection ids; `metadata` keeps the rest of the template's metadata (apps, required
 * connections, setup notes, tags). `created_by` is the user who saved it, null once deleted.
 */
const statements = [
  `CREATE TABLE workspace_templates (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    title text NOT NULL,
    description text NOT NULL DEFAULT '',
    category text NOT NULL,
    graph jsonb NOT NULL,
    metadata jsonb NOT NULL DEFAULT '{}',
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX workspace_templates_workspace_idx ON workspace_templates (workspace_id, created_at DESC)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) {
    try {
      await sql.raw(statement).execute(db);
    } catch (error) {
      const first = statement.trim().split('\n')[0];
      throw new Error(`Migration 0007_workspace_templates failed at "${first}": ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS workspace_templates`.execute(db);
}
