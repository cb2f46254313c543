import type { AuthDb } from './schema.ts';
import { constantTimeEqual, hashSecret, newToken, splitToken } from './secrets.ts';

export const SESSION_COOKIE = 'apiq_session';

export interface SessionOptions {
  /** A session unused for this long is invalid (default 14 days). */
  inactivityMs?: number;
  /** last_active_at is written at most this often (default 1 hour), so reads stay cheap. */
  touchEveryMs?: number;
}

const DAY = 86_400_000;
const defaults = { inactivityMs: 14 * DAY, touchEveryMs: 3_600_000 };

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  emailVerified: boolean;
}

export interface ValidSession {
  session: { id: string; userId: string; createdAt: Date; lastActiveAt: Date };
  user: SessionUser;
}

/**
 * Starts a new session (always a new one: signing in never reuses an existing session, which
 * prevents session fixation). Returns the token for the cookie; only its secret's SHA-256 is stored.
 */
export async function createSession(
  db: AuthDb,
  userId: string,
  meta: { ip?: string | undefined; userAgent?: string | undefined } = {},
): Promise<{ token: string; id: string }> {
  const { id, secret, token } = newToken();
  await db
    .insertInto('sessions')
    .values({
      id,
      secret_hash: hashSecret(secret),
      user_id: userId,
      ip: meta.ip ?? null,
      user_agent: meta.userAgent?.slice(0, 300) ?? null,
    })
    .execute();
  return { token, id };
}

/** The session and user behind a token, or undefined when it is unknown, forged or expired (then it is deleted). */
export async function validateSessionToken(
  db: AuthDb,
  token: string,
  options: SessionOptions = {},
): Promise<ValidSession | undefined> {
  const o = { ...defaults, ...options };
  const parts = splitToken(token);
  if (!parts) return undefined;
  const row = await db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select([
      's.id',
      's.secret_hash',
      's.user_id',
      's.created_at',
      's.last_active_at',
      'u.email',
      'u.name',
      'u.email_verified_at',
    ])
    .where('s.id', '=', parts.id)
    .executeTakeFirst();
  if (!row) return undefined;
  if (!constantTimeEqual(hashSecret(parts.secret), new Uint8Array(row.secret_hash))) return undefined;
  const now = Date.now();
  if (now - row.last_active_at.getTime() >= o.inactivityMs) {
    await invalidateSession(db, row.id);
    return undefined;
  }
  let lastActiveAt = row.last_active_at;
  if (now - row.last_active_at.getTime() >= o.touchEveryMs) {
    lastActiveAt = new Date(now);
    await db.updateTable('sessions').set({ last_active_at: lastActiveAt }).where('id', '=', row.id).execute();
  }
  return {
    session: { id: row.id, userId: row.user_id, createdAt: row.created_at, lastActiveAt },
    user: { id: row.user_id, email: row.email, name: row.name, emailVerified: row.email_verified_at !== null },
  };
}

export async function invalidateSession(db: AuthDb, sessionId: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', sessionId).execute();
}

/** Signs a user out everywhere (optionally keeping one session, e.g. the one changing the password). */
export async function invalidateUserSessions(db: AuthDb, userId: string, keepSessionId?: string): Promise<void> {
  let q = db.deleteFrom('sessions').where('user_id', '=', userId);
  if (keepSessionId) q = q.where('id', '!=', keepSessionId);
  await q.execute();
}

/** The Set-Cookie value for a session token: HttpOnly, SameSite=Lax, Secure over https. */
export function sessionCookie(token: string, o: { secure: boolean; maxAgeMs?: number }): string {
  const maxAge = Math.floor((o.maxAgeMs ?? defaults.inactivityMs) / 1000);
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${o.secure ? '; Secure' : ''}`;
}

/** The Set-Cookie value that removes the session cookie. */
export function clearedSessionCookie(o: { secure: boolean }): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${o.secure ? '; Secure' : ''}`;
}

/** Reads one cookie from a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
