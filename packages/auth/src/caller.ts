import { authenticateApiToken } from './api-tokens.ts';
import { AuthError } from './errors.ts';
import { roleAllows, scopesAllow, type Action } from './policy.ts';
import type { AuthDb, Role } from './schema.ts';
import { readCookie, SESSION_COOKIE, validateSessionToken, type SessionOptions, type SessionUser } from './sessions.ts';
import { roleIn } from './workspaces.ts';

/** Who is making a request: a signed-in user (cookie) or an API token. */
export type Caller =
  | { kind: 'session'; user: SessionUser; sessionId: string }
  | { kind: 'token'; user: SessionUser; tokenId: string; tokenName: string; workspaceId: string; scopes: string[] };

/**
 * Authenticates a request from its Cookie and Authorization headers. A bearer token is tried
 * first; a request with neither is anonymous (undefined).
 */
export async function authenticate(
  db: AuthDb,
  headers: { cookie?: string | undefined; authorization?: string | undefined },
  options: SessionOptions = {},
): Promise<Caller | undefined> {
  const auth = headers.authorization;
  if (auth?.startsWith('Bearer ')) {
    const t = await authenticateApiToken(db, auth.slice('Bearer '.length).trim());
    if (!t) return undefined;
    return {
      kind: 'token',
      user: { id: t.userId, email: t.email, name: '', emailVerified: true },
      tokenId: t.tokenId,
      tokenName: t.tokenName,
      workspaceId: t.workspaceId,
      scopes: t.scopes,
    };
  }
  const token = readCookie(headers.cookie, SESSION_COOKIE);
  if (!token) return undefined;
  const valid = await validateSessionToken(db, token, options);
  return valid ? { kind: 'session', user: valid.user, sessionId: valid.session.id } : undefined;
}

/**
 * Checks that a caller may perform `action` in `workspaceId` and returns their role. Callers
 * outside the workspace get "not found" (they learn nothing about it); members whose role (or
 * token scopes) do not allow the action get "forbidden".
 */
export async function authorize(
  db: AuthDb,
  caller: Caller | undefined,
  workspaceId: string,
  action: Action,
): Promise<Role> {
  if (!caller) throw new AuthError('invalid_credentials', 'Sign in first (or send an API token).');
  if (caller.kind === 'token' && caller.workspaceId !== workspaceId)
    throw new AuthError('not_found', 'No such workspace for this token.');
  const role = await roleIn(db, caller.user.id, workspaceId);
  if (!role) throw new AuthError('not_found', 'No such workspace.');
  if (!roleAllows(role, action)) throw new AuthError('forbidden', `Your role (${role}) may not do this (${action}).`);
  if (caller.kind === 'token' && !scopesAllow(caller.scopes, action))
    throw new AuthError('forbidden', `This API token's scopes (${caller.scopes.join(', ')}) do not allow ${action}.`);
  return role;
}
