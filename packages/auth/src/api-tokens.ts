import { sql } from 'kysely';
import { recordAudit } from './audit.ts';
import { AuthError } from './errors.ts';
import { SCOPES } from './policy.ts';
import type { AuthDb } from './schema.ts';
import { constantTimeEqual, hashSecret, newToken } from './secrets.ts';
import { roleIn, type Actor } from './workspaces.ts';

/** Personal API tokens look like `apiq_<id>_<secret>` so secret scanners can recognise them. */
const TOKEN_PATTERN = /^apiq_([a-z2-7]{24})_([a-z2-7]{24})$/;

export interface ApiTokenInfo {
  id: string;
  name: string;
  workspaceId: string;
  scopes: string[];
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
}

/** Creates a token for the actor in one of their workspaces. The token is returned once and never stored. */
export async function createApiToken(
  db: AuthDb,
  actor: Actor,
  input: { workspaceId: string; name: string; scopes: string[]; expiresAt?: Date },
): Promise<{ token: string; info: ApiTokenInfo }> {
  if (!(await roleIn(db, actor.userId, input.workspaceId))) throw new AuthError('not_found', 'No such workspace.');
  const name = input.name.trim();
  if (!name || name.length > 100)
    throw new AuthError('invalid_input', 'name must be 1 to 100 characters', { field: 'name' });
  if (input.scopes.length === 0)
    throw new AuthError('invalid_input', `choose at least one scope: ${Object.keys(SCOPES).join(', ')}`, {
      field: 'scopes',
    });
  const unknown = input.scopes.filter((s) => !(s in SCOPES));
  if (unknown.length)
    throw new AuthError(
      'invalid_input',
      `unknown scope ${unknown.join(', ')}; known scopes: ${Object.keys(SCOPES).join(', ')}`,
      { field: 'scopes' },
    );
  if (input.expiresAt && input.expiresAt.getTime() <= Date.now())
    throw new AuthError('invalid_input', 'expiresAt must be in the future', { field: 'expiresAt' });
  const { id, secret } = newToken();
  const row = await db
    .insertInto('api_tokens')
    .values({
      id,
      secret_hash: hashSecret(secret),
      user_id: actor.userId,
      workspace_id: input.workspaceId,
      name,
      scopes: [...new Set(input.scopes)],
      expires_at: input.expiresAt ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordAudit(db, {
    action: 'token.created',
    workspaceId: input.workspaceId,
    actorUserId: actor.userId,
    actorLabel: actor.label,
    ip: actor.ip ?? null,
    targetType: 'api_token',
    targetId: id,
    details: { name, scopes: row.scopes },
  });
  return { token: `apiq_${id}_${secret}`, info: toInfo(row) };
}

function toInfo(r: {
  id: string;
  name: string;
  workspace_id: string;
  scopes: string[];
  created_at: Date;
  last_used_at: Date | null;
  expires_at: Date | null;
}): ApiTokenInfo {
  return {
    id: r.id,
    name: r.name,
    workspaceId: r.workspace_id,
    scopes: r.scopes,
    createdAt: r.created_at.toISOString(),
    lastUsedAt: r.last_used_at?.toISOString() ?? null,
    expiresAt: r.expires_at?.toISOString() ?? null,
  };
}

export async function listApiTokens(db: AuthDb, userId: string): Promise<ApiTokenInfo[]> {
  const rows = await db
    .selectFrom('api_tokens')
    .selectAll()
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map(toInfo);
}

export async function revokeApiToken(db: AuthDb, actor: Actor, tokenId: string): Promise<void> {
  const res = await db
    .updateTable('api_tokens')
    .set({ revoked_at: sql`now()` })
    .where('id', '=', tokenId)
    .where('user_id', '=', actor.userId)
    .where('revoked_at', 'is', null)
    .returning('workspace_id')
    .executeTakeFirst();
  if (!res) throw new AuthError('not_found', 'No such token (or it is already revoked).');
  await recordAudit(db, {
    action: 'token.revoked',
    workspaceId: res.workspace_id,
    actorUserId: actor.userId,
    actorLabel: actor.label,
    ip: actor.ip ?? null,
    targetType: 'api_token',
    targetId: tokenId,
  });
}

export interface TokenCaller {
  tokenId: string;
  tokenName: string;
  userId: string;
  email: string;
  workspaceId: string;
  scopes: string[];
}

/** The caller behind a bearer token, or undefined when it is malformed, unknown, revoked or expired. */
export async function authenticateApiToken(db: AuthDb, token: string): Promise<TokenCaller | undefined> {
  const m = TOKEN_PATTERN.exec(token);
  if (!m) return undefined;
  const row = await db
    .selectFrom('api_tokens as t')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .select([
      't.id',
      't.secret_hash',
      't.name',
      't.user_id',
      't.workspace_id',
      't.scopes',
      't.expires_at',
      't.revoked_at',
      't.last_used_at',
      'u.email',
    ])
    .where('t.id', '=', m[1]!)
    .executeTakeFirst();
  if (!row || row.revoked_at) return undefined;
  if (!constantTimeEqual(hashSecret(m[2]!), new Uint8Array(row.secret_hash))) return undefined;
  if (row.expires_at && row.expires_at.getTime() <= Date.now()) return undefined;
  if (!row.last_used_at || Date.now() - row.last_used_at.getTime() > 60_000)
    await db
      .updateTable('api_tokens')
      .set({ last_used_at: sql`now()` })
      .where('id', '=', row.id)
      .execute();
  return {
    tokenId: row.id,
    tokenName: row.name,
    userId: row.user_id,
    email: row.email,
    workspaceId: row.workspace_id,
    scopes: row.scopes,
  };
}
