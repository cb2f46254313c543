import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sql } from 'kysely';
import { DEFAULT_WORKSPACE_ID, jsonb } from '@apiq/db';
import { fillTemplate, type CredentialKindDefinition } from '@apiq/sdk';
import { findCredential, openValues, requireKind, UUID, writeValues, type VaultDeps } from './credential-store.ts';
import { publicMetadata } from './credential-values.ts';
import { EnvelopeError } from './envelope.ts';
import { ConnectionError } from './errors.ts';
import { fetchOf } from './fresh-token.ts';
import { OAuth2Error, requestToken, scopesOf, withTokens } from './oauth2-token.ts';

export const OAUTH2_START_PATH = '/api/oauth2/start';
export const OAUTH2_CALLBACK_PATH = '/api/oauth2/callback';
/** The HttpOnly cookie holding the browser's nonce; states are bound to its hash. */
export const OAUTH2_COOKIE = 'apiq_oauth';
const DEFAULT_STATE_TTL_MS = 10 * 60_000;

type Awaitable<T> = T | Promise<T>;
export type NodeHandler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

export interface OAuth2HandlerDeps extends VaultDeps {
  /** Origin users reach APIQ at (the redirect URI registered with providers is `<publicUrl>/api/oauth2/callback`). Default `APIQ_PUBLIC_URL`, else the request's Host. */
  publicUrl?: string;
  /** The workspace of the signed-in user; default: the default workspace. */
  workspaceOf?(req: IncomingMessage): Awaitable<string | undefined>;
  /** The signed-in user, when accounts exist; a state is then only accepted back for the same user. */
  userOf?(req: IncomingMessage): Awaitable<string | undefined>;
  /** How long a started sign-in may take. Default 10 minutes. */
  stateTtlMs?: number;
}

class PageError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Serves the OAuth2 authorization-code flow for connections (RFC 6749 with PKCE S256, RFC 7636):
 *
 * - `GET /api/oauth2/start?connection=<id>` stores a single-use `state` (with the PKCE verifier,
 *   sealed, and the hash of an HttpOnly browser cookie) and redirects to the provider;
 * - `GET /api/oauth2/callback?code&state` consumes the state, checks it came back to the same
 *   browser, exchanges the code at the token URL through the safe client, stores the tokens in
 *   the connection's envelope and redirects to `/connections?connected=<id>`; problems get a
 *   plain error page saying what to do.
 *
 * Other requests go to `next`.
 *
 * @example
 * const oauth = createOAuth2Handler({ db, vault, catalog });
 * http.createServer((req, res) => oauth(req, res, () => res.writeHead(404).end()));
 */
export function createOAuth2Handler(deps: OAuth2HandlerDeps): NodeHandler {
  return (req, res, next) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== OAUTH2_START_PATH && path !== OAUTH2_CALLBACK_PATH) return next();
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET' }).end();
      return;
    }
    const work = path === OAUTH2_START_PATH ? start(deps, req, res) : callback(deps, req, res);
    work.catch((err: unknown) => {
      const known = err instanceof PageError || err instanceof ConnectionError || err instanceof EnvelopeError;
      const status = err instanceof PageError ? err.status : known ? 400 : 500;
      const message = known
        ? (err as Error).message
        : 'Something went wrong while connecting. Try again from Connections.';
      if (!res.headersSent) errorPage(res, status, message);
      else res.end();
    });
  };
}

async function start(deps: OAuth2HandlerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const connectionId = url.searchParams.get('connection') ?? '';
  if (!UUID.test(connectionId))
    throw new PageError(400, 'The link has no valid connection id (?connection=<id>). Start again from Connections.');
  const workspaceId = (await deps.workspaceOf?.(req)) ?? DEFAULT_WORKSPACE_ID;
  const row = await findCredential(deps.db, workspaceId, connectionId);
  if (!row) throw new PageError(404, `Connection ${connectionId} does not exist in this workspace.`);
  const kind = requireKind(deps, row.kind);
  if (kind.auth.type !== 'oauth2' || kind.auth.grant !== 'authorization_code')
    throw new PageError(
      400,
      `Connection "${row.name}" (${kind.title}) does not sign in with a provider; nothing to connect.`,
    );
  const values = openValues(deps.vault, row);
  const authorize = templateUrl(kind.auth.authorizeUrl ?? '{authorizeUrl}', values, 'Authorization URL', row.name);

  const redirectUri = `${publicOrigin(deps, req)}${OAUTH2_CALLBACK_PATH}`;
  const nonce = cookieNonce(req) ?? randomBytes(32).toString('base64url');
  const state = randomBytes(32).toString('base64url');
  const verifier = randomBytes(48).toString('base64url');
  const ttl = deps.stateTtlMs ?? DEFAULT_STATE_TTL_MS;
  const returnTo = url.searchParams.get('returnTo');
  await sql`delete from oauth_states where expires_at < now()`.execute(deps.db);
  await deps.db
    .insertInto('oauth_states')
    .values({
      state,
      workspace_id: workspaceId,
      credential_id: row.id,
      user_id: (await deps.userOf?.(req)) ?? null,
      browser_hash: sha256(nonce),
      verifier: jsonb(deps.vault.encrypt(verifier, stateAad(state))),
      redirect_uri: redirectUri,
      return_to: returnTo && isLocalPath(returnTo) ? returnTo : null,
      expires_at: new Date(Date.now() + ttl),
    })
    .execute();

  authorize.searchParams.set('response_type', 'code');
  authorize.searchParams.set('client_id', values.clientId ?? '');
  authorize.searchParams.set('redirect_uri', redirectUri);
  authorize.searchParams.set('state', state);
  const scope = scopesOf(kind, values);
  if (scope) authorize.searchParams.set('scope', scope);
  if (kind.auth.pkce !== false) {
    authorize.searchParams.set('code_challenge', createHash('sha256').update(verifier).digest('base64url'));
    authorize.searchParams.set('code_challenge_method', 'S256');
  }
  const secure = redirectUri.startsWith('https:') ? '; Secure' : '';
  res.writeHead(302, {
    location: authorize.toString(),
    'set-cookie': `${OAUTH2_COOKIE}=${nonce}; Path=/api/oauth2; HttpOnly; SameSite=Lax; Max-Age=${Math.ceil(ttl / 1000)}${secure}`,
    'cache-control': 'no-store',
  });
  res.end();
}

async function callback(deps: OAuth2HandlerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const state = url.searchParams.get('state');
  if (!state) throw new PageError(400, 'The provider sent no state back. Start again from Connections.');
  // Consumed on first sight: a state works once, whatever happens next.
  const pending = await deps.db.deleteFrom('oauth_states').where('state', '=', state).returningAll().executeTakeFirst();
  if (!pending)
    throw new PageError(400, 'This sign-in link was already used or is unknown. Start again from Connections.');
  if (pending.expires_at.getTime() < Date.now())
    throw new PageError(400, 'This sign-in took too long and expired. Start again from Connections.');
  const nonce = cookieNonce(req);
  if (!nonce || !sameHash(sha256(nonce), pending.browser_hash))
    throw new PageError(
      400,
      'This sign-in was started in another browser (or its cookie was lost). Start again from Connections in this browser.',
    );
  const user = (await deps.userOf?.(req)) ?? null;
  if (pending.user_id !== null && pending.user_id !== user)
    throw new PageError(403, 'This sign-in was started by another user. Start again from Connections.');

  const row = await findCredential(deps.db, pending.workspace_id, pending.credential_id);
  if (!row) throw new PageError(404, 'The connection was deleted while signing in.');
  const kind = requireKind(deps, row.kind);
  const providerError = url.searchParams.get('error');
  if (providerError) {
    const description = url.searchParams.get('error_description');
    const message = `The provider did not grant access (${providerError}${description ? `: ${description}` : ''}).`;
    await markError(deps, row.id, message.slice(0, 500));
    throw new PageError(400, `${message} Try again from Connections.`);
  }
  const code = url.searchParams.get('code');
  if (!code) throw new PageError(400, 'The provider sent no authorization code back. Start again from Connections.');

  const values = openValues(deps.vault, row);
  const verifier = deps.vault.decrypt(pending.verifier, stateAad(pending.state));
  let tokens;
  try {
    tokens = await requestToken(fetchOf(deps), kind, values, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: pending.redirect_uri,
      ...(oauthPkce(kind) ? { code_verifier: verifier } : {}),
    });
  } catch (err) {
    if (!(err instanceof OAuth2Error)) throw err;
    await markError(deps, row.id, err.message);
    throw new PageError(
      502,
      `Connecting "${row.name}" failed: ${err.message}. Check the client settings and try again.`,
    );
  }
  await deps.db.transaction().execute(async (tx) => {
    const locked = await findCredential(tx, row.workspace_id, row.id, true);
    if (!locked) throw new PageError(404, 'The connection was deleted while signing in.');
    const next = withTokens(openValues(deps.vault, locked), tokens);
    await writeValues(tx, deps.vault, locked, next, {
      metadata: publicMetadata(kind, next),
      status: 'ok',
      last_error: null,
    });
  });
  const target = pending.return_to ?? '/connections';
  res.writeHead(302, {
    location: `${target}${target.includes('?') ? '&' : '?'}connected=${encodeURIComponent(row.id)}`,
    'cache-control': 'no-store',
  });
  res.end();
}

function oauthPkce(kind: CredentialKindDefinition): boolean {
  return kind.auth.type === 'oauth2' && kind.auth.pkce !== false;
}

function templateUrl(template: string, values: Record<string, string>, label: string, name: string): URL {
  let text: string;
  try {
    text = fillTemplate(template, values);
  } catch {
    throw new PageError(400, `Connection "${name}" has no ${label}. Edit the connection and set it.`);
  }
  try {
    const url = new URL(text);
    if (url.protocol === 'https:' || url.protocol === 'http:') return url;
  } catch {
    // reported below
  }
  throw new PageError(400, `The ${label} of connection "${name}" is not an http(s) URL. Edit the connection.`);
}

function publicOrigin(deps: OAuth2HandlerDeps, req: IncomingMessage): string {
  const configured = deps.publicUrl ?? process.env.APIQ_PUBLIC_URL;
  if (configured) return configured.replace(/\/+$/, '');
  const proto = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  return `${proto}://${req.headers.host ?? 'localhost'}`;
}

function cookieNonce(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...rest] = part.trim().split('=');
    const value = rest.join('=');
    if (name === OAUTH2_COOKIE && /^[A-Za-z0-9_-]{32,128}$/.test(value)) return value;
  }
  return undefined;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const stateAad = (state: string) => `apiq:oauth-state:${state}`;

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function isLocalPath(path: string): boolean {
  return path.startsWith('/') && !path.startsWith('//') && !path.includes('\\');
}

async function markError(deps: VaultDeps, id: string, message: string): Promise<void> {
  await deps.db
    .updateTable('credentials')
    .set({ status: 'error', last_error: message, updated_at: new Date() })
    .where('id', '=', id)
    .execute();
}

function errorPage(res: ServerResponse, status: number, message: string): void {
  const body = `<!doctype html><html><head><meta charset="utf-8"><title>Connection failed</title></head><body style="font-family:sans-serif;max-width:40rem;margin:4rem auto"><h1>Connection failed</h1><p>${escapeHtml(
    message,
  )}</p><p><a href="/connections">Back to Connections</a></p></body></html>`;
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(body);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
