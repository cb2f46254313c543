import { sql, type Kysely } from 'kysely';

/**
 * The credential vault: stored connections (values sealed in one AES-256-GCM envelope), the
 * master keys' canaries (which key the vault is under, checked at boot), and the short-lived
 * OAuth2 `state` values of connections being authorised.
 */
const statements = [
  `CREATE TABLE vault_keys (
    kid text PRIMARY KEY,
    status text NOT NULL CONSTRAINT vault_keys_status_check CHECK (status IN ('active', 'rotating', 'retired')),
    canary jsonb NOT NULL,
    progress jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    activated_at timestamptz
  )`,
  // At most one key is in use and at most one rotation is in progress.
  `CREATE UNIQUE INDEX vault_keys_one_active_idx ON vault_keys (status) WHERE status IN ('active', 'rotating')`,

  `CREATE TABLE credentials (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name text NOT NULL,
    kind text NOT NULL,
    envelope jsonb NOT NULL,
    metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
    status text NOT NULL DEFAULT 'untested' CONSTRAINT credentials_status_check CHECK (status IN ('untested', 'ok', 'error', 'needs_connect')),
    last_tested_at timestamptz,
    last_error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (workspace_id, name)
  )`,
  `CREATE INDEX credentials_kid_idx ON credentials ((envelope ->> 'kid'), id)`,

  `CREATE TABLE oauth_states (
    state text PRIMARY KEY,
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    credential_id uuid NOT NULL REFERENCES credentials (id) ON DELETE CASCADE,
    user_id text,
    browser_hash text NOT NULL,
    verifier jsonb NOT NULL,
    redirect_uri text NOT NULL,
    return_to text,
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX oauth_states_expires_idx ON oauth_states (expires_at)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) {
    try {
      await sql.raw(statement).execute(db);
    } catch (error) {
      const first = statement.trim().split('\n')[0];
      throw new Error(`Migration 0003_credentials failed at "${first}": ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('DROP TABLE IF EXISTS oauth_states, credentials, vault_keys CASCADE').execute(db);
}
