import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_WORKSPACE_ID } from '@apiq/db';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAuthHandler } from './http-handler.ts';
import { createMailer } from './mailer.ts';
import { authFixture, APP_URL, PASSWORD, type AuthFixture } from './testing/fixture.ts';

describe('/api/auth over HTTP', () => {
  let f: AuthFixture;
  let server: Server;
  let base: string;
  let origin: string;

  beforeEach(async () => {
    f = await authFixture({ failedLoginsPerAccount: { limit: 2, windowMs: 60_000 } });
    const handler = createAuthHandler({
      db: f.db,
      accounts: f.accounts,
      mailer: createMailer({ db: f.db, log: () => undefined }),
      appUrl: APP_URL,
      secureCookies: false,
    });
    server = createServer((req, res) => handler(req, res, () => res.writeHead(404).end()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    origin = base;
  });
  afterEach(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await f.drop();
  });

  const call = async (
    method: string,
    path: string,
    o: { body?: unknown; cookie?: string; origin?: string | null; token?: string } = {},
  ) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (o.origin !== null) headers.origin = o.origin ?? origin;
    if (o.cookie) headers.cookie = o.cookie;
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    const res = await fetch(`${base}${path}`, {
      method,
      headers,
      ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}),
    });
    const setCookie = res.headers.get('set-cookie') ?? '';
    const cookie = setCookie.split(';')[0] ?? '';
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      json: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined,
      cookie,
      text,
    };
  };

  it('says setup is required until the first account exists, and that account owns the instance', async () => {
    expect((await call('GET', '/api/auth/me')).json).toEqual({ user: null, setupRequired: true });
    const up = await call('POST', '/api/auth/sign-up', { body: { email: 'ann@example.com', password: PASSWORD } });
    expect(up.status).toBe(200);
    expect(up.json.owner).toBe(true);
    const me = await call('GET', '/api/auth/me', { cookie: up.cookie });
    expect(me.json.user.email).toBe('ann@example.com');
    expect(me.json.workspaces).toEqual([{ id: DEFAULT_WORKSPACE_ID, name: 'Default', slug: 'default', role: 'owner' }]);
  });

  it('never adopts a session id chosen by someone else (fixation), and logout ends the session', async () => {
    await call('POST', '/api/auth/sign-up', { body: { email: 'ann@example.com', password: PASSWORD } });
    const planted = 'apiq_session=aaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbb';
    const login = await call('POST', '/api/auth/sign-in', {
      body: { email: 'ann@example.com', password: PASSWORD },
      cookie: planted,
    });
    expect(login.status).toBe(200);
    expect(login.cookie).not.toBe(planted);
    expect((await call('GET', '/api/auth/me', { cookie: planted })).json.user).toBeNull();
    expect((await call('GET', '/api/auth/me', { cookie: login.cookie })).json.user.email).toBe('ann@example.com');
    const out = await call('POST', '/api/auth/sign-out', { cookie: login.cookie });
    expect(out.headers.get('set-cookie')).toContain('Max-Age=0');
    expect((await call('GET', '/api/auth/me', { cookie: login.cookie })).json.user).toBeNull();
  });

  it('refuses state changes from a foreign or missing Origin (CSRF)', async () => {
    const foreign = await call('POST', '/api/auth/sign-up', {
      body: { email: 'ann@example.com', password: PASSWORD },
      origin: 'https://evil.example',
    });
    expect(foreign.status).toBe(403);
    expect(foreign.json.message).toContain('Cross-site request refused');
    const missing = await call('POST', '/api/auth/sign-up', {
      body: { email: 'ann@example.com', password: PASSWORD },
      origin: null,
    });
    expect(missing.status).toBe(403);
    expect((await call('GET', '/api/auth/me')).json.setupRequired).toBe(true);
    expect((await call('GET', '/api/auth/sign-up')).status).toBe(405);
  });

  it('locks out brute force with 429 and Retry-After', async () => {
    await call('POST', '/api/auth/sign-up', { body: { email: 'ann@example.com', password: PASSWORD } });
    for (let i = 0; i < 2; i++)
      expect(
        (await call('POST', '/api/auth/sign-in', { body: { email: 'ann@example.com', password: 'wrong pass!' } }))
          .status,
      ).toBe(401);
    const locked = await call('POST', '/api/auth/sign-in', { body: { email: 'ann@example.com', password: PASSWORD } });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('answers bad input with the field that is wrong', async () => {
    const r = await call('POST', '/api/auth/sign-up', { body: { email: 42, password: PASSWORD } });
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ error: 'invalid_input', field: 'email' });
    const res = await fetch(`${base}/api/auth/sign-in`, {
      method: 'POST',
      headers: { origin, 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toContain('not valid JSON');
  });

  it('limits API tokens to their scopes and exports the audit log as CSV for admins', async () => {
    const up = await call('POST', '/api/auth/sign-up', { body: { email: 'ann@example.com', password: PASSWORD } });
    const created = await call('POST', '/api/auth/tokens', {
      cookie: up.cookie,
      body: { name: 'reader', scopes: ['runs:read'] },
    });
    expect(created.status).toBe(200);
    const token = created.json.token as string;
    const viaToken = await call('GET', `/api/auth/workspaces/${DEFAULT_WORKSPACE_ID}/audit`, { token });
    expect(viaToken.status).toBe(403);
    expect(viaToken.json.message).toContain('scopes (runs:read) do not allow audit.read');
    expect((await call('POST', '/api/auth/tokens', { token, body: { name: 'x', scopes: ['admin'] } })).status).toBe(
      403,
    );
    const csv = await call('GET', `/api/auth/workspaces/${DEFAULT_WORKSPACE_ID}/audit.csv`, { cookie: up.cookie });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.text).toContain('token.created');
    expect(csv.text).toContain('user.signed_up');
  });

  it('shows the outbox only to the instance owner', async () => {
    const owner = await call('POST', '/api/auth/sign-up', { body: { email: 'ann@example.com', password: PASSWORD } });
    const other = await call('POST', '/api/auth/sign-up', { body: { email: 'bob@example.com', password: PASSWORD } });
    const box = await call('GET', '/api/auth/outbox', { cookie: owner.cookie });
    expect(box.json.messages.map((m: { to: string }) => m.to).sort()).toEqual(['ann@example.com', 'bob@example.com']);
    expect((await call('GET', '/api/auth/outbox', { cookie: other.cookie })).status).toBe(403);
  });
});
