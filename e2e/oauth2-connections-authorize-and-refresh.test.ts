import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { OAuth2Server } from 'oauth2-mock-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_WORKSPACE_ID } from '@apiq/db';
import { createTestDatabase, testServers, type TestDatabase } from '@apiq/db/testing';
import { createSafeFetch, type SafeFetch } from '@apiq/http';
import { createStaticCatalog, FatalError } from '@apiq/sdk';
import { rejectionOf } from '@apiq/sdk/testing';
import {
  createConnection,
  createCredentialResolver,
  createOAuth2Handler,
  generateMasterKey,
  getConnection,
  openVault,
  updateConnection,
  type VaultDeps,
} from '@apiq/vault';

const WS = DEFAULT_WORKSPACE_ID;
const CLIENT_SECRET = 'client-secret-7f3a9c';

// The OAuth2 authorization-code flow with PKCE, end to end against a real local authorization
// server (oauth2-mock-server speaks RFC 6749 / 7636 over HTTP): connect, single-use state bound
// to the browser, token exchange, refresh serialised across concurrent users, refusal recorded,
// and the client-credentials grant.
describe('OAuth2 connections authorize, refresh and fail clearly', () => {
  const oauth = new OAuth2Server();
  let test: TestDatabase;
  let deps: VaultDeps;
  let app: http.Server;
  let base = '';
  let fetchClient: SafeFetch;
  const tokenRequests: Array<Record<string, string>> = [];

  beforeAll(async () => {
    await oauth.issuer.keys.generate('RS256');
    await oauth.start(0, '127.0.0.1');
    // Tokens issued within one second would otherwise be identical.
    oauth.service.on('beforeTokenSigning', (token) => void (token.payload.jti = randomUUID()));
    oauth.service.on('beforeResponse', (_response, req) =>
      tokenRequests.push({ ...(req.body as Record<string, string>) }),
    );
    test = await createTestDatabase(testServers()[0]!.url);
    const vault = await openVault({
      db: test.db,
      env: { APIQ_MASTER_KEY: generateMasterKey().key.toString('base64') },
    });
    fetchClient = createSafeFetch({ allow: ['127.0.0.1/32'] });
    deps = { db: test.db, vault, catalog: createStaticCatalog([]), fetch: fetchClient };
    const handler = createOAuth2Handler(deps);
    app = http.createServer((req, res) => handler(req, res, () => res.writeHead(404).end('not here')));
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    app?.closeAllConnections();
    await new Promise((resolve) => app?.close(resolve));
    await oauth.stop();
    fetchClient?.close();
    await test?.drop();
  });

  const issuer = () => oauth.issuer.url!;
  const get = (url: string, cookie?: string) => fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });

  /** Starts a connect in "the browser" and follows the provider's redirect back to our callback URL. */
  async function authorize(connectionId: string) {
    const start = await get(`${base}/api/oauth2/start?connection=${connectionId}`);
    expect(start.status).toBe(302);
    const setCookie = start.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(
      /^apiq_oauth=[A-Za-z0-9_-]{43}; Path=\/api\/oauth2; HttpOnly; SameSite=Lax; Max-Age=600$/,
    );
    const toProvider = new URL(start.headers.get('location')!);
    const atProvider = await get(toProvider.toString());
    expect(atProvider.status).toBe(302);
    return { toProvider, callback: atProvider.headers.get('location')!, cookie: setCookie.split(';')[0]! };
  }

  it('connects with PKCE, uses each state once, and only in the browser that started it', async () => {
    const c = await createConnection(deps, WS, {
      name: 'Provider',
      kind: 'oauth2_authorization_code',
      values: {
        clientId: 'apiq-test',
        clientSecret: CLIENT_SECRET,
        authorizeUrl: `${issuer()}/authorize`,
        tokenUrl: `${issuer()}/token`,
        scopes: 'read write',
      },
    });
    expect(c.status).toBe('needs_connect');
    const resolve = createCredentialResolver(deps);
    const early = await rejectionOf(resolve(WS, { oauth2_authorization_code: c.id }));
    expect(early).toBeInstanceOf(FatalError);
    expect(early.message).toBe(
      `the oauth2_authorization_code connection "Provider" (${c.id}) has no usable access token: it is not connected yet: connect it in Connections (sign in with the provider)`,
    );

    // A callback arriving without the starting browser's cookie is refused, and burns the state.
    const stolen = await authorize(c.id);
    const noCookie = await get(stolen.callback);
    expect(noCookie.status).toBe(400);
    expect(await noCookie.text()).toContain('This sign-in was started in another browser');
    const replay = await get(stolen.callback, stolen.cookie);
    expect(replay.status).toBe(400);
    expect(await replay.text()).toContain('This sign-in link was already used or is unknown');
    expect(tokenRequests).toEqual([]);

    const { toProvider, callback, cookie } = await authorize(c.id);
    expect(toProvider.origin + toProvider.pathname).toBe(`${issuer()}/authorize`);
    const q = Object.fromEntries(toProvider.searchParams);
    expect(q).toMatchObject({
      response_type: 'code',
      client_id: 'apiq-test',
      redirect_uri: `${base}/api/oauth2/callback`,
      scope: 'read write',
      code_challenge_method: 'S256',
    });
    expect(q.state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new URL(callback).searchParams.get('state')).toBe(q.state);

    const done = await get(callback, cookie);
    expect(done.status).toBe(302);
    expect(done.headers.get('location')).toBe(`/connections?connected=${c.id}`);
    expect(tokenRequests).toHaveLength(1);
    const exchange = tokenRequests[0]!;
    expect(exchange).toMatchObject({
      grant_type: 'authorization_code',
      redirect_uri: `${base}/api/oauth2/callback`,
      client_id: 'apiq-test',
      client_secret: CLIENT_SECRET,
      code: new URL(callback).searchParams.get('code'),
    });
    expect(createHash('sha256').update(exchange.code_verifier!).digest('base64url')).toBe(q.code_challenge);
    expect(await get(callback, cookie).then((r) => r.status)).toBe(400);

    const connected = await getConnection(deps, WS, c.id);
    expect(connected.status).toBe('ok');
    expect(JSON.stringify(connected)).not.toMatch(/accessToken|refreshToken|client-secret/);
    const values = (await resolve(WS, { oauth2_authorization_code: c.id })).oauth2_authorization_code!;
    expect(values.accessToken).toMatch(/^ey/);
    expect(values.refreshToken).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(values.expiresAt!) - Date.now()).toBeGreaterThan(3_000_000);
    expect(tokenRequests).toHaveLength(1);
  });

  it('refreshes an expired token once, however many steps need it at the same time', async () => {
    const c = await createConnection(deps, WS, {
      name: 'Refreshing',
      kind: 'oauth2_authorization_code',
      values: {
        clientId: 'apiq-test',
        clientSecret: CLIENT_SECRET,
        authorizeUrl: `${issuer()}/authorize`,
        tokenUrl: `${issuer()}/token`,
      },
    });
    const { callback, cookie } = await authorize(c.id);
    expect((await get(callback, cookie)).status).toBe(302);
    const resolve = createCredentialResolver(deps);
    const before = (await resolve(WS, { oauth2_authorization_code: c.id })).oauth2_authorization_code!;
    await updateConnection(deps, WS, c.id, { values: { expiresAt: new Date(Date.now() - 1000).toISOString() } });
    tokenRequests.length = 0;

    const results = await Promise.all(
      [1, 2, 3, 4].map(() =>
        resolve(WS, { oauth2_authorization_code: c.id }).then((r) => r.oauth2_authorization_code!),
      ),
    );
    expect(tokenRequests.map((r) => r.grant_type)).toEqual(['refresh_token']);
    expect(tokenRequests[0]).toMatchObject({ refresh_token: before.refreshToken, client_id: 'apiq-test' });
    expect(new Set(results.map((r) => r.accessToken)).size).toBe(1);
    expect(results[0]!.accessToken).not.toBe(before.accessToken);
    expect(Date.parse(results[0]!.expiresAt!)).toBeGreaterThan(Date.now() + 3_000_000);

    // The provider revokes the refresh token: a clear fatal error, recorded on the connection.
    await updateConnection(deps, WS, c.id, { values: { expiresAt: new Date(Date.now() - 1000).toISOString() } });
    oauth.service.once('beforeResponse', (response) => {
      response.statusCode = 400;
      response.body = { error: 'invalid_grant', error_description: 'refresh token revoked' };
    });
    const refused = await rejectionOf(resolve(WS, { oauth2_authorization_code: c.id }));
    expect(refused).toBeInstanceOf(FatalError);
    expect(refused.message).toBe(
      `the oauth2_authorization_code connection "Refreshing" (${c.id}) has no usable access token: token request to ${issuer()}/token was refused (400 invalid_grant: refresh token revoked)`,
    );
    expect(await getConnection(deps, WS, c.id)).toMatchObject({
      status: 'error',
      lastError: `token request to ${issuer()}/token was refused (400 invalid_grant: refresh token revoked)`,
    });
  });

  it('gets a client-credentials token on first use and reuses it until it expires', async () => {
    const c = await createConnection(deps, WS, {
      name: 'Machine',
      kind: 'oauth2_client_credentials',
      values: { clientId: 'machine', clientSecret: CLIENT_SECRET, tokenUrl: `${issuer()}/token`, scopes: 'reports' },
    });
    expect(c.status).toBe('untested');
    tokenRequests.length = 0;
    const resolve = createCredentialResolver(deps);
    const first = (await resolve(WS, { oauth2_client_credentials: c.id })).oauth2_client_credentials!;
    const second = (await resolve(WS, { oauth2_client_credentials: c.id })).oauth2_client_credentials!;
    expect(tokenRequests).toEqual([
      { grant_type: 'client_credentials', scope: 'reports', client_id: 'machine', client_secret: CLIENT_SECRET },
    ]);
    expect(first.accessToken).toMatch(/^ey/);
    expect(second.accessToken).toBe(first.accessToken);
  });

  it('explains a bad start link with an error page', async () => {
    const bad = await get(`${base}/api/oauth2/start?connection=nope`);
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await bad.text()).toContain('The link has no valid connection id');
    const bearer = await createConnection(deps, WS, {
      name: 'Not OAuth',
      kind: 'http_bearer',
      values: { token: 'abcdef' },
    });
    const notOauth = await get(`${base}/api/oauth2/start?connection=${bearer.id}`);
    expect(notOauth.status).toBe(400);
    expect(await notOauth.text()).toContain(
      'Connection &#34;Not OAuth&#34; (Bearer token) does not sign in with a provider',
    );
  });
});
