import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_WORKSPACE_ID } from '@apiq/db';
import { createSafeFetch } from '@apiq/http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAuthHandler } from './http-handler.ts';
import { createMailer } from './mailer.ts';
import { validateSessionToken } from './sessions.ts';
import { createSocialSignIn, socialProvidersFromEnv } from './social-sign-in.ts';
import { authFixture, APP_URL, type AuthFixture } from './testing/fixture.ts';
import { roleIn } from './workspaces.ts';

/** GitHub's OAuth token endpoint and /user/emails, checking the PKCE verifier like GitHub does. */
async function fakeGitHub(email: { email: string; verified: boolean }) {
  const challenges = new Map<string, string>();
  const seen: Array<Record<string, string>> = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/login/oauth/access_token' && req.method === 'POST') {
        const form = Object.fromEntries(new URLSearchParams(body));
        seen.push(form);
        const challenge = challenges.get(form.code!);
        const computed = createHash('sha256')
          .update(form.code_verifier ?? '')
          .digest('base64url');
        if (!challenge || challenge !== computed || form.client_secret !== 'gh-secret') {
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ error: 'bad_verification_code' }));
          return;
        }
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ access_token: 'gho_test', token_type: 'bearer' }));
        return;
      }
      if (url.pathname === '/user/emails' && req.headers.authorization === 'Bearer gho_test') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify([{ ...email, primary: true }]));
        return;
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    seen,
    /** What GitHub does when the user approves: remembers the challenge for a new code. */
    approve(authorizeUrl: string): string {
      const u = new URL(authorizeUrl);
      const code = `code-${challenges.size + 1}`;
      challenges.set(code, u.searchParams.get('code_challenge')!);
      return code;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('sign in with GitHub (OAuth2 + PKCE)', () => {
  let f: AuthFixture;
  let app: Server;
  let appBase = '';
  let github: Awaited<ReturnType<typeof fakeGitHub>>;

  async function start(verified = true) {
    github = await fakeGitHub({ email: 'Ann@Example.com', verified });
    const providers = socialProvidersFromEnv({
      APIQ_GITHUB_CLIENT_ID: 'gh-client',
      APIQ_GITHUB_CLIENT_SECRET: 'gh-secret',
      APIQ_GITHUB_URL: github.base,
      APIQ_GITHUB_API_URL: github.base,
    });
    const handler = createAuthHandler({
      db: f.db,
      accounts: f.accounts,
      mailer: createMailer({ db: f.db, log: () => undefined }),
      appUrl: APP_URL,
      secureCookies: false,
      social: createSocialSignIn({
        db: f.db,
        providers,
        fetch: createSafeFetch({ allow: ['127.0.0.1/32'] }),
        appUrl: () => APP_URL,
        secureCookies: false,
        clientIp: () => '203.0.113.9',
      }),
    });
    app = createServer((req, res) => handler(req, res, () => res.writeHead(404).end()));
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    appBase = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  }

  beforeEach(async () => {
    f = await authFixture();
  });
  afterEach(async () => {
    await new Promise<void>((resolve) => app?.close(() => resolve()));
    await github?.close();
    await f.drop();
  });

  async function signIn(): Promise<{ status: number; location: string; cookies: string[] }> {
    const begin = await fetch(`${appBase}/api/auth/oauth/github/start`, { redirect: 'manual' });
    expect(begin.status).toBe(302);
    const authorize = begin.headers.get('location')!;
    expect(authorize).toContain(`${github.base}/login/oauth/authorize?`);
    expect(new URL(authorize).searchParams.get('code_challenge_method')).toBe('S256');
    const stateCookie = begin.headers.getSetCookie()[0]!.split(';')[0]!;
    const code = github.approve(authorize);
    const state = new URL(authorize).searchParams.get('state')!;
    const back = await fetch(`${appBase}/api/auth/oauth/github/callback?code=${code}&state=${state}`, {
      redirect: 'manual',
      headers: { cookie: stateCookie },
    });
    return { status: back.status, location: back.headers.get('location') ?? '', cookies: back.headers.getSetCookie() };
  }

  it('creates the account from the verified email, makes the first one owner, and starts a session', async () => {
    await start();
    const r = await signIn();
    expect(r.status).toBe(302);
    expect(r.location).toBe(`${APP_URL}/`);
    const session = r.cookies.find((c) => c.startsWith('apiq_session='))!;
    const token = session.split(';')[0]!.slice('apiq_session='.length);
    const valid = await validateSessionToken(f.db, token);
    expect(valid?.user).toMatchObject({ email: 'ann@example.com', emailVerified: true });
    expect(await roleIn(f.db, valid!.user.id, DEFAULT_WORKSPACE_ID)).toBe('owner');
    expect(github.seen[0]).toMatchObject({ client_id: 'gh-client', grant_type: 'authorization_code' });
    // Signing in again finds the same account.
    const again = await signIn();
    const second = again.cookies
      .find((c) => c.startsWith('apiq_session='))!
      .split(';')[0]!
      .slice(13);
    expect((await validateSessionToken(f.db, second))?.user.id).toBe(valid!.user.id);
  });

  it('refuses a callback whose state was not started in this browser', async () => {
    await start();
    const back = await fetch(`${appBase}/api/auth/oauth/github/callback?code=x&state=forged`, { redirect: 'manual' });
    expect(back.status).toBe(302);
    expect(decodeURIComponent(back.headers.get('location')!)).toContain('expired or was not started here');
    expect(back.headers.getSetCookie().some((c) => c.startsWith('apiq_session='))).toBe(false);
  });

  it('refuses an account without a verified email', async () => {
    await start(false);
    const r = await signIn();
    expect(decodeURIComponent(r.location)).toContain('no verified email');
    expect(await f.db.selectFrom('users').select('id').execute()).toEqual([]);
  });

  it('lists the configured providers for the sign-in page', async () => {
    await start();
    const me = (await (await fetch(`${appBase}/api/auth/me`)).json()) as { signInProviders: unknown };
    expect(me.signInProviders).toEqual([{ id: 'github', title: 'GitHub' }]);
  });
});
