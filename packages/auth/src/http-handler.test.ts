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
    expect((await call('GET', '/api/auth/me')).json).toEqual({
      user: null,
      setupRequired: true,
      emailDelivery: 'outbox',
    });
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
  it('keeps an IP allow-list per workspace for admins, refusing bad entries and a list that locks the caller out', async () => {
    const owner = await call('POST', '/api/auth/sign-up', { body: { email: 'ann@example.com', password: PASSWORD } });
    const path = `/api/auth/workspaces/${DEFAULT_WORKSPACE_ID}/ip-allowlist`;
    expect((await call('GET', path, { cookie: owner.cookie })).json).toEqual({ entries: [], yourIp: '127.0.0.1' });

    const bad = await call('PUT', path, { cookie: owner.cookie, body: { entries: ['10.0.0.0/8', '300.1.1.1'] } });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ error: 'invalid_input', field: 'entries.1' });
    expect(bad.json.message).toContain('"300.1.1.1" is not an IPv4 or IPv6 address or CIDR range');

    const lockout = await call('PUT', path, { cookie: owner.cookie, body: { entries: ['203.0.113.0/24'] } });
    expect(lockout.status).toBe(400);
    expect(lockout.json.message).toContain('would lock you out: your address (127.0.0.1)');
    expect((await call('GET', path, { cookie: owner.cookie })).json.entries).toEqual([]);

    const saved = await call('PUT', path, {
      cookie: owner.cookie,
      body: { entries: [' 127.0.0.0/8 ', '2001:db8::/32', '127.0.0.0/8'] },
    });
    expect(saved.status).toBe(200);
    expect(saved.json.entries).toEqual(['127.0.0.0/8', '2001:db8::/32']);
    const audit = await call('GET', `/api/auth/workspaces/${DEFAULT_WORKSPACE_ID}/audit?action=settings.changed`, {
      cookie: owner.cookie,
    });
    expect(audit.json.entries[0].details).toEqual({ setting: 'ip_allowlist', from: [], to: saved.json.entries });

    // From an address off the list, the workspace's account endpoints refuse too.
    await f.db
      .updateTable('workspaces')
      .set({ ip_allowlist: ['203.0.113.0/24'] })
      .where('id', '=', DEFAULT_WORKSPACE_ID)
      .execute();
    const blocked = await call('GET', `/api/auth/workspaces/${DEFAULT_WORKSPACE_ID}/members`, { cookie: owner.cookie });
    expect(blocked.status).toBe(403);
    expect(blocked.json.message).toContain("Your address (127.0.0.1) is not on this workspace's IP allow-list");
    await f.db.updateTable('workspaces').set({ ip_allowlist: [] }).where('id', '=', DEFAULT_WORKSPACE_ID).execute();

    // An editor may not read or change it.
    const ws = await call('POST', '/api/auth/workspaces', { cookie: owner.cookie, body: { name: 'Ops' } });
    await f.signUpVerified('bob@example.com');
    const bob = await call('POST', '/api/auth/sign-in', { body: { email: 'bob@example.com', password: PASSWORD } });
    await call('POST', `/api/auth/workspaces/${ws.json.id}/invitations`, {
      cookie: owner.cookie,
      body: { email: 'bob@example.com', role: 'editor' },
    });
    const token = await f.linkToken('bob@example.com', '/invitations/');
    expect((await call('POST', '/api/auth/invitations/accept', { cookie: bob.cookie, body: { token } })).status).toBe(
      200,
    );
    const refused = await call('PUT', `/api/auth/workspaces/${ws.json.id}/ip-allowlist`, {
      cookie: bob.cookie,
      body: { entries: [] },
    });
    expect(refused.status).toBe(403);
  });

  it('lists pending invitations, previews a link without signing in, and revokes one', async () => {
    const owner = await call('POST', '/api/auth/sign-up', { body: { email: 'ann@example.com', password: PASSWORD } });
    const invitations = `/api/auth/workspaces/${DEFAULT_WORKSPACE_ID}/invitations`;
    const sent = await call('POST', invitations, {
      cookie: owner.cookie,
      body: { email: 'Carol@Example.com', role: 'viewer' },
    });
    expect(sent.status).toBe(200);
    const token = await f.linkToken('carol@example.com', '/invitations/');

    const preview = await call('POST', '/api/auth/invitations/inspect', { body: { token } });
    expect(preview.json).toMatchObject({
      workspace: { id: DEFAULT_WORKSPACE_ID, name: 'Default' },
      email: 'carol@example.com',
      role: 'viewer',
      invitedBy: 'ann@example.com',
    });
    const listed = await call('GET', invitations, { cookie: owner.cookie });
    expect(listed.json.invitations).toEqual([
      expect.objectContaining({ id: sent.json.invitationId, email: 'carol@example.com', role: 'viewer' }),
    ]);

    const revoked = await call('DELETE', `${invitations}/${sent.json.invitationId}`, { cookie: owner.cookie });
    expect(revoked.status).toBe(200);
    expect((await call('GET', invitations, { cookie: owner.cookie })).json.invitations).toEqual([]);
    const dead = await call('POST', '/api/auth/invitations/inspect', { body: { token } });
    expect(dead.status).toBe(400);
    expect(dead.json.message).toContain('invalid, used, revoked or expired');
    expect((await call('DELETE', `${invitations}/${sent.json.invitationId}`, { cookie: owner.cookie })).status).toBe(
      404,
    );
  });

  it("shows admins their members' sign-ins in the workspace audit log and exports it as a JSON file", async () => {
    const owner = await call('POST', '/api/auth/sign-up', { body: { email: 'ann@example.com', password: PASSWORD } });
    await call('POST', '/api/auth/sign-in', { body: { email: 'ann@example.com', password: PASSWORD } });
    await f.signUpVerified('stranger@example.com');
    await call('POST', '/api/auth/sign-in', { body: { email: 'stranger@example.com', password: PASSWORD } });
    const json = await call('GET', `/api/auth/workspaces/${DEFAULT_WORKSPACE_ID}/audit.json?from=2000-01-01`, {
      cookie: owner.cookie,
    });
    expect(json.status).toBe(200);
    expect(json.headers.get('content-disposition')).toContain('attachment; filename="apiq-audit-');
    const actions = json.json.entries.map((e: { action: string; actor: string }) => `${e.action} ${e.actor}`);
    expect(actions).toEqual(['user.signed_up ann@example.com', 'user.signed_in ann@example.com']);
    expect(json.json.from).toBe('2000-01-01T00:00:00.000Z');
  });

  it('tells who is signed in whether email is delivered and whether they own the instance; renames; signs out everywhere', async () => {
    const owner = await call('POST', '/api/auth/sign-up', { body: { email: 'ann@example.com', password: PASSWORD } });
    const second = await call('POST', '/api/auth/sign-in', { body: { email: 'ann@example.com', password: PASSWORD } });
    const me = await call('GET', '/api/auth/me', { cookie: owner.cookie });
    expect(me.json).toMatchObject({ instanceOwner: true, emailDelivery: 'outbox', setupRequired: false });
    expect((await call('GET', '/api/auth/me')).json).toEqual({
      user: null,
      setupRequired: false,
      emailDelivery: 'outbox',
    });

    const tooLong = await call('PATCH', '/api/auth/me', { cookie: owner.cookie, body: { name: 'x'.repeat(201) } });
    expect(tooLong.json).toMatchObject({ error: 'invalid_input', field: 'name' });
    expect(
      (await call('PATCH', '/api/auth/me', { cookie: owner.cookie, body: { name: ' Ann ' } })).json.user.name,
    ).toBe('Ann');
    expect((await call('GET', '/api/auth/me', { cookie: second.cookie })).json.user.name).toBe('Ann');

    const out = await call('POST', '/api/auth/sign-out-everywhere', { cookie: owner.cookie });
    expect(out.headers.get('set-cookie')).toContain('Max-Age=0');
    expect((await call('GET', '/api/auth/me', { cookie: owner.cookie })).json.user).toBeNull();
    expect((await call('GET', '/api/auth/me', { cookie: second.cookie })).json.user).toBeNull();
  });
});
