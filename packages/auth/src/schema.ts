import type { ColumnType, Generated, Kysely } from 'kysely';
import type { Database } from '@apiq/db';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export type Role = 'owner' | 'admin' | 'editor' | 'viewer';
export const ROLES: readonly Role[] = ['owner', 'admin', 'editor', 'viewer'];

export interface UsersTable {
  id: Generated<string>;
  email: string;
  name: Generated<string>;
  password_hash: string;
  email_verified_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SessionsTable {
  id: string;
  secret_hash: Uint8Array;
  user_id: string;
  created_at: Timestamp;
  last_active_at: Timestamp;
  ip: string | null;
  user_agent: string | null;
}

export type EmailTokenPurpose = 'verify_email' | 'reset_password' | 'change_email';

export interface EmailTokensTable {
  id: string;
  secret_hash: Uint8Array;
  user_id: string;
  purpose: EmailTokenPurpose;
  new_email: string | null;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface ApiTokensTable {
  id: string;
  secret_hash: Uint8Array;
  user_id: string;
  workspace_id: string;
  name: string;
  scopes: string[];
  created_at: Timestamp;
  last_used_at: NullableTimestamp;
  expires_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
}

export interface MembershipsTable {
  workspace_id: string;
  user_id: string;
  role: Role;
  created_at: Timestamp;
}

export interface InvitationsTable {
  id: string;
  secret_hash: Uint8Array;
  workspace_id: string;
  email: string;
  role: Exclude<Role, 'owner'>;
  invited_by: string | null;
  expires_at: Timestamp;
  accepted_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface AuditLogTable {
  id: Generated<string>;
  workspace_id: string | null;
  actor_user_id: string | null;
  actor_label: Generated<string>;
  action: string;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  details: ColumnType<Record<string, unknown>, string | Record<string, unknown> | undefined, never>;
  created_at: Timestamp;
}

export interface EmailOutboxTable {
  id: Generated<string>;
  to_address: string;
  subject: string;
  text_body: string;
  delivered: Generated<boolean>;
  error: string | null;
  created_at: Timestamp;
}

export interface RateLimitsTable {
  key: string;
  window_start: Timestamp;
  hits: number;
}

export interface AuthTables {
  users: UsersTable;
  sessions: SessionsTable;
  email_tokens: EmailTokensTable;
  api_tokens: ApiTokensTable;
  memberships: MembershipsTable;
  invitations: InvitationsTable;
  audit_log: AuditLogTable;
  email_outbox: EmailOutboxTable;
  rate_limits: RateLimitsTable;
}

/** The platform's tables plus the account tables (migration 0006_accounts). */
export type AuthDatabase = Omit<Database, 'workspaces'> &
  AuthTables & { workspaces: Database['workspaces'] & { ip_allowlist: Generated<string[]> } };
export type AuthDb = Kysely<AuthDatabase>;

/** Views the platform database handle with the account tables typed. */
export function authDb(db: Kysely<Database>): AuthDb {
  return db as unknown as AuthDb;
}
