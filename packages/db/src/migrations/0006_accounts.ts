import { sql, type Kysely } from 'kysely';

/**
 * Accounts and workspaces (emails are stored trimmed and lower-cased): users, sessions (only the SHA-256 of each session secret is kept),
 * one-time email tokens, personal API tokens, memberships with roles, invitations, an
 * append-only audit log, an email outbox for instances without SMTP, and fixed-window counters
 * for rate limits.
 */
const statements = [
  `CREATE TABLE users (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email text NOT NULL UNIQUE CHECK (email = lower(email)),
    name text NOT NULL DEFAULT '',
    password_hash text NOT NULL,
    email_verified_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,

  `CREATE TABLE sessions (
    id text PRIMARY KEY,
    secret_hash bytea NOT NULL,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_active_at timestamptz NOT NULL DEFAULT now(),
    ip text,
    user_agent text
  )`,
  `CREATE INDEX sessions_user_idx ON sessions (user_id)`,

  `CREATE TABLE email_tokens (
    id text PRIMARY KEY,
    secret_hash bytea NOT NULL,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose text NOT NULL CHECK (purpose IN ('verify_email', 'reset_password', 'change_email')),
    new_email text,
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX email_tokens_user_idx ON email_tokens (user_id, purpose)`,

  `CREATE TABLE api_tokens (
    id text PRIMARY KEY,
    secret_hash bytea NOT NULL,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name text NOT NULL,
    scopes text[] NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    expires_at timestamptz,
    revoked_at timestamptz
  )`,
  `CREATE INDEX api_tokens_user_idx ON api_tokens (user_id)`,

  `CREATE TABLE memberships (
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role text NOT NULL CHECK (role IN ('owner', 'admin', 'editor', 'viewer')),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, user_id)
  )`,
  `CREATE INDEX memberships_user_idx ON memberships (user_id)`,

  `CREATE TABLE invitations (
    id text PRIMARY KEY,
    secret_hash bytea NOT NULL,
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    email text NOT NULL,
    role text NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')),
    invited_by uuid REFERENCES users (id) ON DELETE SET NULL,
    expires_at timestamptz NOT NULL,
    accepted_at timestamptz,
    revoked_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX invitations_workspace_idx ON invitations (workspace_id)`,

  `ALTER TABLE workspaces ADD COLUMN ip_allowlist text[] NOT NULL DEFAULT '{}'`,

  `CREATE TABLE audit_log (
    id bigserial PRIMARY KEY,
    workspace_id uuid,
    actor_user_id uuid,
    actor_label text NOT NULL DEFAULT '',
    action text NOT NULL,
    target_type text,
    target_id text,
    ip text,
    details jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX audit_log_workspace_time_idx ON audit_log (workspace_id, created_at DESC)`,
  `CREATE INDEX audit_log_time_idx ON audit_log (created_at DESC)`,
  `CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'audit_log is append-only';
    END
  $$`,
  `CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`,

  `CREATE TABLE email_outbox (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    to_address text NOT NULL,
    subject text NOT NULL,
    text_body text NOT NULL,
    delivered boolean NOT NULL DEFAULT false,
    error text,
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX email_outbox_time_idx ON email_outbox (created_at DESC)`,

  `CREATE TABLE rate_limits (
    key text NOT NULL,
    window_start timestamptz NOT NULL,
    hits integer NOT NULL,
    PRIMARY KEY (key, window_start)
  )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) {
    try {
      await sql.raw(statement).execute(db);
    } catch (error) {
      const first = statement.trim().split('\n')[0];
      throw new Error(`Migration 0006_accounts failed at "${first}": ${(error as Error).message}`, { cause: error });
    }
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      'DROP TABLE IF EXISTS rate_limits, email_outbox, audit_log, invitations, memberships, api_tokens, email_tokens, sessions, users CASCADE',
    )
    .execute(db);
  await sql.raw('DROP FUNCTION IF EXISTS audit_log_append_only()').execute(db);
  await sql.raw('ALTER TABLE workspaces DROP COLUMN IF EXISTS ip_allowlist').execute(db);
}
