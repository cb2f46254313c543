import { sql } from 'kysely';
import { recordAudit } from './audit.ts';
import { AuthError } from './errors.ts';
import type { Mailer } from './mailer.ts';
import { canAssignRole, roleAllows } from './policy.ts';
import type { AuthDb, Role } from './schema.ts';
import { constantTimeEqual, hashSecret, newToken, normalizeEmail, splitToken } from './secrets.ts';

const INVITATION_TTL_MS = 7 * 86_400_000;

export interface Actor {
  userId: string;
  label: string;
  ip?: string | null;
}

export interface WorkspaceSummary {
  id: string;
  name: string;
  slug: string;
  role: Role;
}

function slugify(name: string): string {
  const base = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return base || 'workspace';
}

/** The caller's role in a workspace, or undefined when they are not a member. */
export async function roleIn(db: AuthDb, userId: string, workspaceId: string): Promise<Role | undefined> {
  const row = await db
    .selectFrom('memberships')
    .select('role')
    .where('user_id', '=', userId)
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst();
  return row?.role;
}

/** The actor's role in a workspace when it allows `action`; "not found" for outsiders, "forbidden" otherwise. */
export async function requireRole(
  db: AuthDb,
  actor: Actor,
  workspaceId: string,
  action: Parameters<typeof roleAllows>[1],
): Promise<Role> {
  const role = await roleIn(db, actor.userId, workspaceId);
  // Non-members learn nothing about the workspace, not even that it exists.
  if (!role) throw new AuthError('not_found', 'No such workspace.');
  if (!roleAllows(role, action)) throw new AuthError('forbidden', `Your role (${role}) may not do this (${action}).`);
  return role;
}

export async function listWorkspaces(db: AuthDb, userId: string): Promise<WorkspaceSummary[]> {
  return db
    .selectFrom('memberships as m')
    .innerJoin('workspaces as w', 'w.id', 'm.workspace_id')
    .select(['w.id', 'w.name', 'w.slug', 'm.role'])
    .where('m.user_id', '=', userId)
    .orderBy('w.name')
    .execute();
}

/** Creates a workspace with the actor as its owner. */
export async function createWorkspace(db: AuthDb, actor: Actor, name: string): Promise<WorkspaceSummary> {
  const clean = name.trim();
  if (!clean || clean.length > 100)
    throw new AuthError('invalid_input', 'name must be 1 to 100 characters', { field: 'name' });
  const ws = await db.transaction().execute(async (tx) => {
    const base = slugify(clean);
    const taken = await tx
      .selectFrom('workspaces')
      .select('slug')
      .where('slug', 'like', `${base}%`)
      .execute()
      .then((rows) => new Set(rows.map((r) => r.slug)));
    let slug = base;
    for (let i = 2; taken.has(slug); i++) slug = `${base}-${i}`;
    const row = await tx
      .insertInto('workspaces')
      .values({ name: clean, slug })
      .returning(['id', 'name', 'slug'])
      .executeTakeFirstOrThrow();
    await tx.insertInto('memberships').values({ workspace_id: row.id, user_id: actor.userId, role: 'owner' }).execute();
    return { ...row, role: 'owner' as const };
  });
  await recordAudit(db, {
    action: 'workspace.created',
    workspaceId: ws.id,
    actorUserId: actor.userId,
    actorLabel: actor.label,
    ip: actor.ip ?? null,
    targetType: 'workspace',
    targetId: ws.id,
  });
  return ws;
}

export interface Member {
  userId: string;
  email: string;
  name: string;
  role: Role;
  since: string;
}

export async function listMembers(db: AuthDb, actor: Actor, workspaceId: string): Promise<Member[]> {
  await requireRole(db, actor, workspaceId, 'member.read');
  const rows = await db
    .selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['u.id', 'u.email', 'u.name', 'm.role', 'm.created_at'])
    .where('m.workspace_id', '=', workspaceId)
    .orderBy('m.created_at')
    .execute();
  return rows.map((r) => ({
    userId: r.id,
    email: r.email,
    name: r.name,
    role: r.role,
    since: r.created_at.toISOString(),
  }));
}

/** Invites an email address with a role; the emailed link works once, for that address, for 7 days. */
export async function inviteMember(
  db: AuthDb,
  mailer: Mailer,
  appUrl: string,
  actor: Actor,
  input: { workspaceId: string; email: string; role: Exclude<Role, 'owner'> },
): Promise<{ invitationId: string }> {
  const actorRole = await requireRole(db, actor, input.workspaceId, 'member.invite');
  if (!canAssignRole(actorRole, input.role))
    throw new AuthError('forbidden', `Your role (${actorRole}) may not invite a ${input.role}.`);
  const email = normalizeEmail(input.email);
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email))
    throw new AuthError('invalid_input', 'email must be an address like ann@example.com', { field: 'email' });
  const member = await db
    .selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select('u.id')
    .where('m.workspace_id', '=', input.workspaceId)
    .where('u.email', '=', email)
    .executeTakeFirst();
  if (member) throw new AuthError('conflict', `${email} is already a member of this workspace.`, { field: 'email' });
  const ws = await db
    .selectFrom('workspaces')
    .select('name')
    .where('id', '=', input.workspaceId)
    .executeTakeFirstOrThrow();
  const { id, secret, token } = newToken();
  await db
    .insertInto('invitations')
    .values({
      id,
      secret_hash: hashSecret(secret),
      workspace_id: input.workspaceId,
      email,
      role: input.role,
      invited_by: actor.userId,
      expires_at: new Date(Date.now() + INVITATION_TTL_MS),
    })
    .execute();
  await mailer.send({
    to: email,
    subject: `You are invited to the ${ws.name} workspace on APIQ`,
    text: `${actor.label} invited you to join "${ws.name}" as ${input.role}.\n\nAccept (valid for 7 days; sign up first with this email if you have no account):\n\n${new URL(`/invitations/${token}`, appUrl).toString()}`,
  });
  await recordAudit(db, {
    action: 'member.invited',
    workspaceId: input.workspaceId,
    actorUserId: actor.userId,
    actorLabel: actor.label,
    ip: actor.ip ?? null,
    targetType: 'invitation',
    targetId: id,
    details: { email, role: input.role },
  });
  return { invitationId: id };
}

/** Joins the invited workspace. The signed-in account's verified email must be the invited one. */
export async function acceptInvitation(db: AuthDb, actor: Actor, token: string): Promise<WorkspaceSummary> {
  const inv = await findUsableInvitation(db, token);
  const invalid = new AuthError('invalid_token', 'This invitation link is invalid, used, revoked or expired.');
  const user = await db
    .selectFrom('users')
    .select(['email', 'email_verified_at'])
    .where('id', '=', actor.userId)
    .executeTakeFirstOrThrow();
  if (user.email !== inv.email)
    throw new AuthError('forbidden', `This invitation is for ${inv.email}; sign in with that account to accept it.`);
  if (!user.email_verified_at)
    throw new AuthError('not_verified', 'Confirm your email address first (see the email we sent you).');
  await db.transaction().execute(async (tx) => {
    const used = await tx
      .updateTable('invitations')
      .set({ accepted_at: sql`now()` })
      .where('id', '=', inv.id)
      .where('accepted_at', 'is', null)
      .executeTakeFirst();
    if (Number(used.numUpdatedRows) !== 1) throw invalid;
    await tx
      .insertInto('memberships')
      .values({ workspace_id: inv.workspace_id, user_id: actor.userId, role: inv.role })
      .onConflict((oc) => oc.columns(['workspace_id', 'user_id']).doNothing())
      .execute();
  });
  await recordAudit(db, {
    action: 'member.joined',
    workspaceId: inv.workspace_id,
    actorUserId: actor.userId,
    actorLabel: actor.label,
    ip: actor.ip ?? null,
    targetType: 'user',
    targetId: actor.userId,
    details: { role: inv.role },
  });
  const ws = await db
    .selectFrom('workspaces')
    .select(['id', 'name', 'slug'])
    .where('id', '=', inv.workspace_id)
    .executeTakeFirstOrThrow();
  return { ...ws, role: (await roleIn(db, actor.userId, inv.workspace_id))! };
}

export interface PendingInvitation {
  id: string;
  email: string;
  role: Exclude<Role, 'owner'>;
  invitedBy: string | null;
  createdAt: string;
  expiresAt: string;
}

/** Invitations of a workspace not yet accepted, revoked or expired, newest first. */
export async function listInvitations(db: AuthDb, actor: Actor, workspaceId: string): Promise<PendingInvitation[]> {
  await requireRole(db, actor, workspaceId, 'member.read');
  const rows = await db
    .selectFrom('invitations as i')
    .leftJoin('users as u', 'u.id', 'i.invited_by')
    .select(['i.id', 'i.email', 'i.role', 'u.email as invitedBy', 'i.created_at', 'i.expires_at'])
    .where('i.workspace_id', '=', workspaceId)
    .where('i.accepted_at', 'is', null)
    .where('i.revoked_at', 'is', null)
    .where('i.expires_at', '>', new Date())
    .orderBy('i.created_at', 'desc')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    email: r.email,
    role: r.role,
    invitedBy: r.invitedBy,
    createdAt: r.created_at.toISOString(),
    expiresAt: r.expires_at.toISOString(),
  }));
}

/** Revokes a pending invitation: its link stops working. */
export async function revokeInvitation(
  db: AuthDb,
  actor: Actor,
  input: { workspaceId: string; invitationId: string },
): Promise<void> {
  await requireRole(db, actor, input.workspaceId, 'member.invite');
  const row = await db
    .updateTable('invitations')
    .set({ revoked_at: sql`now()` })
    .where('id', '=', input.invitationId)
    .where('workspace_id', '=', input.workspaceId)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .returning(['email', 'role'])
    .executeTakeFirst();
  if (!row) throw new AuthError('not_found', 'No such pending invitation (it may be accepted or revoked already).');
  await recordAudit(db, {
    action: 'member.invitation_revoked',
    workspaceId: input.workspaceId,
    actorUserId: actor.userId,
    actorLabel: actor.label,
    ip: actor.ip ?? null,
    targetType: 'invitation',
    targetId: input.invitationId,
    details: { email: row.email, role: row.role },
  });
}

export interface InvitationPreview {
  workspace: { id: string; name: string };
  email: string;
  role: Exclude<Role, 'owner'>;
  invitedBy: string | null;
  expiresAt: string;
}

/**
 * What an invitation link offers (workspace, role, the invited address), for the page that
 * accepts it. Whoever holds the link may read this; nothing changes.
 */
export async function previewInvitation(db: AuthDb, token: string): Promise<InvitationPreview> {
  const inv = await findUsableInvitation(db, token);
  const ws = await db
    .selectFrom('workspaces')
    .select(['id', 'name'])
    .where('id', '=', inv.workspace_id)
    .executeTakeFirstOrThrow();
  const inviter = inv.invited_by
    ? await db.selectFrom('users').select('email').where('id', '=', inv.invited_by).executeTakeFirst()
    : undefined;
  return {
    workspace: { id: ws.id, name: ws.name },
    email: inv.email,
    role: inv.role,
    invitedBy: inviter?.email ?? null,
    expiresAt: inv.expires_at.toISOString(),
  };
}

async function findUsableInvitation(db: AuthDb, token: string) {
  const parts = splitToken(String(token ?? ''));
  const invalid = new AuthError('invalid_token', 'This invitation link is invalid, used, revoked or expired.');
  if (!parts) throw invalid;
  const inv = await db.selectFrom('invitations').selectAll().where('id', '=', parts.id).executeTakeFirst();
  if (!inv || inv.accepted_at || inv.revoked_at || inv.expires_at.getTime() <= Date.now()) throw invalid;
  if (!constantTimeEqual(hashSecret(parts.secret), new Uint8Array(inv.secret_hash))) throw invalid;
  return inv;
}

async function ownerCount(db: AuthDb, workspaceId: string): Promise<number> {
  const row = await db
    .selectFrom('memberships')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('workspace_id', '=', workspaceId)
    .where('role', '=', 'owner')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Changes a member's role. Owners manage owners; a workspace always keeps at least one owner. */
export async function changeRole(
  db: AuthDb,
  actor: Actor,
  input: { workspaceId: string; userId: string; role: Role },
): Promise<void> {
  const actorRole = await requireRole(db, actor, input.workspaceId, 'member.manage');
  const current = await roleIn(db, input.userId, input.workspaceId);
  if (!current) throw new AuthError('not_found', 'That user is not a member of this workspace.');
  if (!canAssignRole(actorRole, current) || !canAssignRole(actorRole, input.role))
    throw new AuthError('forbidden', `Your role (${actorRole}) may not change a ${current} into a ${input.role}.`);
  if (current === 'owner' && input.role !== 'owner' && (await ownerCount(db, input.workspaceId)) <= 1)
    throw new AuthError('conflict', 'A workspace needs at least one owner; make someone else owner first.');
  await db
    .updateTable('memberships')
    .set({ role: input.role })
    .where('workspace_id', '=', input.workspaceId)
    .where('user_id', '=', input.userId)
    .execute();
  await recordAudit(db, {
    action: 'member.role_changed',
    workspaceId: input.workspaceId,
    actorUserId: actor.userId,
    actorLabel: actor.label,
    ip: actor.ip ?? null,
    targetType: 'user',
    targetId: input.userId,
    details: { from: current, to: input.role },
  });
}

/** Removes a member (or lets a member leave). The last owner cannot leave. */
export async function removeMember(
  db: AuthDb,
  actor: Actor,
  input: { workspaceId: string; userId: string },
): Promise<void> {
  const leaving = input.userId === actor.userId;
  const actorRole = leaving
    ? await roleIn(db, actor.userId, input.workspaceId)
    : await requireRole(db, actor, input.workspaceId, 'member.manage');
  if (!actorRole) throw new AuthError('not_found', 'No such workspace.');
  const current = await roleIn(db, input.userId, input.workspaceId);
  if (!current) throw new AuthError('not_found', 'That user is not a member of this workspace.');
  if (!leaving && !canAssignRole(actorRole, current))
    throw new AuthError('forbidden', `Your role (${actorRole}) may not remove a ${current}.`);
  if (current === 'owner' && (await ownerCount(db, input.workspaceId)) <= 1)
    throw new AuthError('conflict', 'A workspace needs at least one owner; make someone else owner first.');
  await db
    .deleteFrom('memberships')
    .where('workspace_id', '=', input.workspaceId)
    .where('user_id', '=', input.userId)
    .execute();
  await recordAudit(db, {
    action: 'member.removed',
    workspaceId: input.workspaceId,
    actorUserId: actor.userId,
    actorLabel: actor.label,
    ip: actor.ip ?? null,
    targetType: 'user',
    targetId: input.userId,
    details: { role: current, left: leaving },
  });
}
