import { sql, type Kysely } from 'kysely';

/**
 * Imported OpenAPI / Swagger specs and their operations (see packages/openapi).
 * - `api_specs.raw` is the fetched document, gzip-compressed (GitHub's spec is 13 MB of JSON);
 *   `etag` + `fetched_at` let a refresh ask the server whether it changed.
 * - `api_operations.search` is a generated tsvector with a GIN index: thousands of operations
 *   are searched by words of their id, summary, tags, path and description.
 */
const statements = [
  `CREATE TABLE api_specs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name text NOT NULL,
    slug text NOT NULL,
    title text NOT NULL DEFAULT '',
    version text NOT NULL DEFAULT '',
    spec_version text NOT NULL DEFAULT '',
    source_url text,
    etag text,
    fetched_at timestamptz,
    raw bytea,
    servers jsonb NOT NULL DEFAULT '[]',
    security jsonb NOT NULL DEFAULT '[]',
    skipped jsonb NOT NULL DEFAULT '[]',
    warnings jsonb NOT NULL DEFAULT '[]',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (workspace_id, slug)
  )`,

  `CREATE TABLE api_operations (
    spec_id uuid NOT NULL REFERENCES api_specs (id) ON DELETE CASCADE,
    operation_id text NOT NULL,
    method text NOT NULL,
    path text NOT NULL,
    summary text NOT NULL DEFAULT '',
    description text NOT NULL DEFAULT '',
    tags text[] NOT NULL DEFAULT '{}',
    keywords text NOT NULL DEFAULT '',
    operation jsonb NOT NULL,
    search tsvector GENERATED ALWAYS AS (
      setweight(to_tsvector('english'::regconfig, keywords), 'A') ||
      setweight(to_tsvector('english'::regconfig, summary), 'A') ||
      setweight(to_tsvector('simple'::regconfig, path), 'B') ||
      setweight(to_tsvector('english'::regconfig, left(description, 1000)), 'C')
    ) STORED,
    PRIMARY KEY (spec_id, operation_id)
  )`,
  `CREATE INDEX api_operations_search_idx ON api_operations USING gin (search)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) {
    try {
      await sql.raw(statement).execute(db);
    } catch (error) {
      const first = statement.trim().split('\n')[0];
      throw new Error(`Migration 0004_api_specs failed at "${first}": ${(error as Error).message}`, { cause: error });
    }
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS api_operations, api_specs CASCADE`.execute(db);
}
