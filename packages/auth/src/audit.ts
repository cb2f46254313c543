import { sql } from 'kysely';
import type { AuthDb } from './schema.ts';

/** Sensitive actions recorded in the append-only audit log. */
export type AuditAction =
  | 'user.signed_up'
  | 'user.signed_in'
  | 'user.sign_in_failed'
  | 'user.signed_out'
  | 'user.email_verified'
  | 'user.password_reset_requested'
  | 'user.password_reset'
  | 'user.password_changed'
  | 'user.email_changed'
  | 'workspace.created'
  | 'member.invited'
  | 'member.invitation_revoked'
  | 'member.joined'
  | 'member.role_changed'
  | 'member.removed'
  | 'token.created'
  | 'token.revoked'
  | 'credential.created'
  | 'credential.read_by_run'
  | 'credential.updated'
  | 'credential.deleted'
  | 'workflow.published'
  | 'vault.key_rotated'
  | 'settings.changed';

export interface AuditEntry {
  action: AuditAction;
  workspaceId?: string | null;
  actorUserId?: string | null;
  /** Who acted, readable: an email, "api token <name>", "system". */
  actorLabel?: string;
  targetType?: string;
  targetId?: string;
  ip?: string | null;
  /** Never secrets. */
  details?: Record<string, unknown>;
}

export async function recordAudit(db: AuthDb, e: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      action: e.action,
      workspace_id: e.workspaceId ?? null,
      actor_user_id: e.actorUserId ?? null,
      // Without a label, the acting account's email (as it is now) names who acted.
      actor_label:
        e.actorLabel ??
        (e.actorUserId ? sql<string>`coalesce((select email from users where id = ${e.actorUserId}), '')` : ''),
      target_type: e.targetType ?? null,
      target_id: e.targetId ?? null,
      ip: e.ip ?? null,
      details: JSON.stringify(e.details ?? {}),
    })
    .execute();
}

export interface AuditQuery {
  workspaceId: string;
  from?: Date;
  to?: Date;
  actions?: string[];
  actorUserId?: string;
  limit?: number;
  /** Entries older than this id (keyset pagination, newest first). */
  before?: string;
  /**
   * Also the account events (sign-ins, failed sign-ins, password changes) of the workspace's
   * current members, which belong to no workspace: an admin sees who signed in.
   */
  includeMemberAccountEvents?: boolean;
}

export interface AuditRecord {
  id: string;
  at: string;
  action: string;
  actor: string;
  actorUserId: string | null;
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  details: Record<string, unknown>;
}

/** A workspace's audit entries, newest first, filtered. */
export async function queryAudit(db: AuthDb, q: AuditQuery): Promise<AuditRecord[]> {
  let query = db
    .selectFrom('audit_log')
    .selectAll()
    .where((eb) =>
      q.includeMemberAccountEvents
        ? eb.or([
            eb('workspace_id', '=', q.workspaceId),
            eb.and([
              eb('workspace_id', 'is', null),
              eb(
                'actor_user_id',
                'in',
                eb.selectFrom('memberships').select('user_id').where('workspace_id', '=', q.workspaceId),
              ),
            ]),
          ])
        : eb('workspace_id', '=', q.workspaceId),
    )
    .orderBy('id', 'desc')
    .limit(Math.min(q.limit ?? 100, 10_000));
  if (q.from) query = query.where('created_at', '>=', q.from);
  if (q.to) query = query.where('created_at', '<', q.to);
  if (q.actions?.length) query = query.where('action', 'in', q.actions);
  if (q.actorUserId) query = query.where('actor_user_id', '=', q.actorUserId);
  if (q.before) query = query.where('id', '<', q.before);
  const rows = await query.execute();
  return rows.map((r) => ({
    id: String(r.id),
    at: r.created_at.toISOString(),
    action: r.action,
    actor: r.actor_label,
    actorUserId: r.actor_user_id,
    targetType: r.target_type,
    targetId: r.target_id,
    ip: r.ip,
    details: r.details,
  }));
}

const CSV_COLUMNS = ['id', 'at', 'action', 'actor', 'actorUserId', 'targetType', 'targetId', 'ip', 'details'] as const;

function csvCell(value: unknown): string {
  const text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  // Leading =,+,-,@ would be formulas in a spreadsheet; prefix them with a quote.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** A compliance report: every entry of a date range as CSV (header row first), oldest first. */
export function auditToCsv(records: AuditRecord[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of [...records].reverse()) lines.push(CSV_COLUMNS.map((c) => csvCell(r[c])).join(','));
  return `${lines.join('\n')}\n`;
}
