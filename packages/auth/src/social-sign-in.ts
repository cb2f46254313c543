import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { recordAudit } from './audit.ts';
import { insertAccount, withAccountLock } from './new-account.ts';
import { hashPassword } from './passwords.ts';
import type { AuthDb } from './schema.ts';
import { generateSecureRandomString, normalizeEmail } from './secrets.ts';
import { createSession, readCookie, sessionCookie } from './sessions.ts';

/** An OAuth2 identity provider APIQ can sign people in with. */
export interface SocialProvider {
  id: 'github' | 'google';
  title: string;
  clientId: string;
  clientSecret: string;
  authorizeUrl: string;
  tokenUrl: string;
  scopes: string[];
  /** Reads the account's verified email with the access token. */
  verifiedEmail(token: string, fetch: FetchLike): Promise<string | undefined>;
}

export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;

async function githubEmail(token: string, fetch: FetchLike, apiUrl: string): Promise<string | undefined> {
  const res = await fetch(`${apiUrl}/user/emails`, {
    headers: { authorization: `Bearer ${token}`, accept: 'application/vnd.github+json' },
  });
  if (!res.ok) return undefined;
  const emails = (await res.json()) as Array<{ email: string; primary: boolean; verified: boolean }>;
  return emails.find((e) => e.primary && e.verified)?.email ?? emails.find((e) => e.verified)?.email;
}

async function googleEmail(token: string, fetch: FetchLike, userinfoUrl: string): Promise<string | undefined> {
  const res = await fetch(userinfoUrl, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) return undefined;
  const info = (await res.json()) as { email?: string; email_verified?: boolean };
  return info.email && info.email_verified ? info.email : undefined;
}

/**
 * The providers configured by environment: `APIQ_GITHUB_CLIENT_ID` / `APIQ_GITHUB_CLIENT_SECRET`
 * and `APIQ_GOOGLE_CLIENT_ID` / `APIQ_GOOGLE_CLIENT_SECRET`. `APIQ_GITHUB_URL` /
 * `APIQ_GITHUB_API_URL` point at GitHub Enterprise (or a test server).
 */
export function socialProvidersFromEnv(env: NodeJS.ProcessEnv = process.env): SocialProvider[] {
  const out: SocialProvider[] = [];
  if (env.APIQ_GITHUB_CLIENT_ID && env.APIQ_GITHUB_CLIENT_SECRET) {
    const web = (env.APIQ_GITHUB_URL ?? 'https://github.com').replace(/\/+$/, '');
    const api = (env.APIQ_GITHUB_API_URL ?? 'https://api.github.com').replace(/\/+$/, '');
    out.push({
      id: 'github',
      title: 'GitHub',
      clientId: env.APIQ_GITHUB_CLIENT_ID,
      clientSecret: env.APIQ_GITHUB_CLIENT_SECRET,
      authorizeUrl: `${web}/login/oauth/authorize`,
      tokenUrl: `${web}/login/oauth/access_token`,
      scopes: ['read:user', 'user:email'],
      verifiedEmail: (token, fetch) => githubEmail(token, fetch, api),
    });
  }
  if (env.APIQ_GOOGLE_CLIENT_ID && env.APIQ_GOOGLE_CLIENT_SECRET)
    out.push({
      id: 'google',
      title: 'Google',
      clientId: env.APIQ_GOOGLE_CLIENT_ID,
      clientSecret: env.APIQ_GOOGLE_CLIENT_SECRET,
      authorizeUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
      tokenUrl: 'https://oauth2.googleapis.com/token',
      scopes: ['openid', 'email', 'profile'],
      verifiedEmail: (token, fetch) => googleEmail(token, fetch, 'https://openidconnect.googleapis.com/v1/userinfo'),
    });
  return out;
}

const STATE_COOKIE = 'apiq_oauth';
const STATE_TTL_S = 600;

export interface SocialSignInOptions {
  db: AuthDb;
  providers: SocialProvider[];
  /** The platform's safe outbound client (token exchange and profile calls). */
  fetch: FetchLike;
  appUrl: () => string;
  secureCookies: boolean;
  clientIp: (req: IncomingMessage) => string;
}

function redirect(res: ServerResponse, location: string, cookies: string[] = []): void {
  res.writeHead(302, { location, 'cache-control': 'no-store', ...(cookies.length ? { 'set-cookie': cookies } : {}) });
  res.end();
}

function fail(res: ServerResponse, appUrl: string, message: string): void {
  redirect(res, `${appUrl}/login?error=${encodeURIComponent(message)}`);
}

/**
 * Sign-in with GitHub or Google (OAuth2 authorization code + PKCE S256): `GET
 * /api/auth/oauth/<provider>/start` sets a short-lived HttpOnly cookie with the state and the
 * verifier and redirects to the provider; `/callback` checks the state, exchanges the code through
 * the safe fetch, reads the provider-verified email, and signs that account in (creating it, with
 * the email verified, when it does not exist — the first account owns the instance).
 */
export function createSocialSignIn(o: SocialSignInOptions) {
  const byId = new Map(o.providers.map((p) => [p.id, p]));
  const callbackUrl = (p: SocialProvider) => `${o.appUrl()}/api/auth/oauth/${p.id}/callback`;

  async function start(provider: SocialProvider, res: ServerResponse): Promise<void> {
    const state = randomBytes(24).toString('base64url');
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const url = new URL(provider.authorizeUrl);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', provider.clientId);
    url.searchParams.set('redirect_uri', callbackUrl(provider));
    url.searchParams.set('scope', provider.scopes.join(' '));
    url.searchParams.set('state', state);
    url.searchParams.set('code_challenge', challenge);
    url.searchParams.set('code_challenge_method', 'S256');
    const cookie = `${STATE_COOKIE}=${provider.id}.${state}.${verifier}; Path=/api/auth/oauth; HttpOnly; SameSite=Lax; Max-Age=${STATE_TTL_S}${o.secureCookies ? '; Secure' : ''}`;
    redirect(res, url.toString(), [cookie]);
  }

  async function callback(
    provider: SocialProvider,
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
  ): Promise<void> {
    const appUrl = o.appUrl();
    const cleared = `${STATE_COOKIE}=; Path=/api/auth/oauth; HttpOnly; SameSite=Lax; Max-Age=0${o.secureCookies ? '; Secure' : ''}`;
    const [pid, state, verifier] = (readCookie(req.headers.cookie, STATE_COOKIE) ?? '').split('.');
    const given = url.searchParams.get('state') ?? '';
    if (url.searchParams.get('error'))
      return fail(res, appUrl, `${provider.title} did not sign you in: ${url.searchParams.get('error')}`);
    if (
      pid !== provider.id ||
      !state ||
      !verifier ||
      given.length !== state.length ||
      !timingSafeEqual(Buffer.from(given), Buffer.from(state))
    )
      return fail(res, appUrl, 'This sign-in link is expired or was not started here; try again.');
    const code = url.searchParams.get('code');
    if (!code) return fail(res, appUrl, `${provider.title} sent no authorization code.`);
    const tokenRes = await o.fetch(provider.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: callbackUrl(provider),
        client_id: provider.clientId,
        client_secret: provider.clientSecret,
        code_verifier: verifier,
      }).toString(),
    });
    const token = tokenRes.ok ? ((await tokenRes.json()) as { access_token?: string }).access_token : undefined;
    if (!token) return fail(res, appUrl, `${provider.title} refused the sign-in (token exchange failed).`);
    const email = await provider.verifiedEmail(token, o.fetch);
    if (!email) return fail(res, appUrl, `${provider.title} has no verified email for this account.`);
    const userId = await findOrCreateUser(o.db, normalizeEmail(email));
    const session = await createSession(o.db, userId, {
      ip: o.clientIp(req),
      userAgent: req.headers['user-agent'],
    });
    await recordAudit(o.db, {
      action: 'user.signed_in',
      actorUserId: userId,
      actorLabel: email,
      ip: o.clientIp(req),
      details: { via: provider.id },
    });
    redirect(res, `${appUrl}/`, [cleared, sessionCookie(session.token, { secure: o.secureCookies })]);
  }

  return {
    providers: () => o.providers.map((p) => ({ id: p.id, title: p.title })),
    /** Serves `/api/auth/oauth/<provider>/(start|callback)`; returns false for other paths. */
    handle(req: IncomingMessage, res: ServerResponse, url: URL): boolean {
      const m = /^\/api\/auth\/oauth\/([a-z]+)\/(start|callback)$/.exec(url.pathname);
      if (!m || (req.method ?? 'GET') !== 'GET') return false;
      const provider = byId.get(m[1] as SocialProvider['id']);
      if (!provider) {
        fail(res, o.appUrl(), `Sign-in with ${m[1]} is not configured on this APIQ.`);
        return true;
      }
      const work = m[2] === 'start' ? start(provider, res) : callback(provider, req, res, url);
      work.catch((err: unknown) => {
        if (!res.headersSent) fail(res, o.appUrl(), `Sign-in with ${provider.title} failed: ${(err as Error).message}`);
      });
      return true;
    },
  };
}

/** The account with this (provider-verified) email, created when missing; the first one owns the instance. */
async function findOrCreateUser(db: AuthDb, email: string): Promise<string> {
  // No password: the account signs in through its provider (or sets one by password reset).
  const passwordHash = await hashPassword(generateSecureRandomString());
  const { userId, created } = await withAccountLock(db, async (tx) => {
    const existing = await tx
      .selectFrom('users')
      .select(['id', 'email_verified_at'])
      .where('email', '=', email)
      .executeTakeFirst();
    if (existing) {
      if (!existing.email_verified_at)
        await tx.updateTable('users').set({ email_verified_at: new Date() }).where('id', '=', existing.id).execute();
      return { userId: existing.id, created: false };
    }
    return { userId: (await insertAccount(tx, { email, passwordHash, verified: true })).userId, created: true };
  });
  if (created)
    await recordAudit(db, {
      action: 'user.signed_up',
      actorUserId: userId,
      actorLabel: email,
      details: { social: true },
    });
  return userId;
}
