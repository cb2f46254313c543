import type { AuditAction } from '@apiq/auth';

/** Every audit action with the words the audit log page shows for it. */
export const AUDIT_ACTION_LABELS = {
  'user.signed_up': 'Signed up',
  'user.signed_in': 'Signed in',
  'user.sign_in_failed': 'Failed sign-in',
  'user.signed_out': 'Signed out',
  'user.email_verified': 'Confirmed email',
  'user.password_reset_requested': 'Asked for a password reset',
  'user.password_reset': 'Reset password',
  'user.password_changed': 'Changed password',
  'user.email_changed': 'Changed email',
  'workspace.created': 'Created workspace',
  'member.invited': 'Invited a member',
  'member.invitation_revoked': 'Revoked an invitation',
  'member.joined': 'Joined the workspace',
  'member.role_changed': 'Changed a role',
  'member.removed': 'Removed a member',
  'token.created': 'Created an API token',
  'token.revoked': 'Revoked an API token',
  'credential.created': 'Created a connection',
  'credential.read_by_run': 'A run used a connection',
  'credential.updated': 'Updated a connection',
  'credential.deleted': 'Deleted a connection',
  'workflow.published': 'Published a workflow',
  'vault.key_rotated': 'Rotated the vault key',
  'settings.changed': 'Changed settings',
} satisfies Record<AuditAction, string>;

/**
 * The label of an action, or the action itself for one this app does not know yet.
 *
 * @example
 * auditActionLabel('member.joined') // 'Joined the workspace'
 */
export function auditActionLabel(action: string): string {
  return (AUDIT_ACTION_LABELS as Record<string, string>)[action] ?? action;
}

/** A one-line summary of an entry's details: "bob@example.com as editor", "editor → admin". */
export function auditDetailSummary(details: Record<string, unknown>): string {
  const d = details;
  const str = (v: unknown) => (typeof v === 'string' ? v : Array.isArray(v) ? v.join(', ') || 'none' : undefined);
  if (typeof d.setting === 'string') return `${d.setting}: ${str(d.from) ?? '—'} → ${str(d.to) ?? '—'}`;
  if (d.from !== undefined && d.to !== undefined) return `${str(d.from)} → ${str(d.to)}`;
  if (typeof d.email === 'string' && typeof d.role === 'string') return `${d.email} as ${d.role}`;
  if (typeof d.role === 'string') return `as ${d.role}`;
  if (typeof d.reason === 'string') return d.reason.replace(/_/g, ' ');
  if (typeof d.name === 'string') return d.name;
  if (d.everywhere === true) return 'every session';
  if (d.owner === true) return 'instance owner';
  return '';
}
