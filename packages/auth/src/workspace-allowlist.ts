import { recordAudit } from './audit.ts';
import { AuthError } from './errors.ts';
import { cidrProblem, ipAllowed } from './ip-allowlist.ts';
import type { AuthDb } from './schema.ts';
import { requireRole, type Actor } from './workspaces.ts';

const MAX_ENTRIES = 200;

/** A workspace's IP allow-list (empty: every address may use it). Admins only. */
export async function getIpAllowlist(db: AuthDb, actor: Actor, workspaceId: string): Promise<string[]> {
  await requireRole(db, actor, workspaceId, 'workspace.settings');
  const row = await db
    .selectFrom('workspaces')
    .select('ip_allowlist')
    .where('id', '=', workspaceId)
    .executeTakeFirstOrThrow();
  return row.ip_allowlist;
}

/**
 * Replaces a workspace's IP allow-list. Every entry must be an IPv4/IPv6 address or CIDR range;
 * a list that would shut out the address the change comes from is refused, so an admin cannot
 * lock themselves out by a typo.
 *
 * @example
 * await setIpAllowlist(db, actor, workspaceId, ['203.0.113.0/24', '2001:db8::/32'], '203.0.113.7');
 */
export async function setIpAllowlist(
  db: AuthDb,
  actor: Actor,
  workspaceId: string,
  entries: string[],
  callerIp: string,
): Promise<string[]> {
  await requireRole(db, actor, workspaceId, 'workspace.settings');
  const clean = [...new Set(entries.map((e) => e.trim()).filter(Boolean))];
  if (clean.length > MAX_ENTRIES)
    throw new AuthError('invalid_input', `entries: at most ${MAX_ENTRIES} entries; use wider CIDR ranges`, {
      field: 'entries',
    });
  for (const [i, entry] of clean.entries()) {
    const problem = cidrProblem(entry);
    if (problem) throw new AuthError('invalid_input', `entries.${i}: ${problem}`, { field: `entries.${i}` });
  }
  if (clean.length > 0 && !ipAllowed(callerIp, clean))
    throw new AuthError(
      'invalid_input',
      `This list would lock you out: your address (${callerIp}) matches none of its entries. Add it (e.g. ${callerIp}) and save again.`,
      { field: 'entries' },
    );
  const before = await getIpAllowlist(db, actor, workspaceId);
  await db.updateTable('workspaces').set({ ip_allowlist: clean }).where('id', '=', workspaceId).execute();
  await recordAudit(db, {
    action: 'settings.changed',
    workspaceId,
    actorUserId: actor.userId,
    actorLabel: actor.label,
    ip: actor.ip ?? null,
    targetType: 'workspace',
    targetId: workspaceId,
    details: { setting: 'ip_allowlist', from: before, to: clean },
  });
  return clean;
}
