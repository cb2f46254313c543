import { createSafeFetch } from '@apiq/http';
import { startLocalServer } from '@apiq/http/testing';
import { DEFAULT_WORKSPACE_ID, jsonb } from '@apiq/db';
import { createTestDatabase, testServers } from '@apiq/db/testing';
import { createStaticCatalog, defineCredentialKind, FatalError, z } from '@apiq/sdk';
import { rejectionOf } from '@apiq/sdk/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createConnection, deleteConnection, getConnection, listConnections, updateConnection } from './connections.ts';
import { ConnectionError, ConnectionInUseError, ConnectionInvalidError } from './errors.ts';
import { generateMasterKey } from './master-key.ts';
import { openVault } from './open-vault.ts';
import { createCredentialResolver } from './resolve-credentials.ts';
import { testConnection } from './test-connection.ts';
import type { VaultDeps } from './credential-store.ts';

const acme = defineCredentialKind({
  id: 'acme',
  title: 'Acme',
  description: 'Acme API key',
  fields: z.object({ apiKey: z.string().min(1, 'apiKey is required'), baseUrl: z.string().url() }),
  secret: ['apiKey'],
  auth: { type: 'headers', headers: { 'X-Acme-Key': '{apiKey}' } },
  test: { method: 'GET', path: '/me' },
});

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(url: string): Promise<VaultDeps> {
  const test = await createTestDatabase(url);
  cleanups.push(() => test.drop());
  const vault = await openVault({ db: test.db, env: { APIQ_MASTER_KEY: generateMasterKey().key.toString('base64') } });
  const fetch = createSafeFetch({ allow: ['127.0.0.1/32'] });
  cleanups.push(() => fetch.close());
  return { db: test.db, vault, catalog: createStaticCatalog([], [acme]), fetch };
}

const WS = DEFAULT_WORKSPACE_ID;
const SECRET = 'canary-5ecret-value';

async function workflowUsing(deps: VaultDeps, name: string, credentialId: string) {
  const wf = await deps.db
    .insertInto('workflows')
    .values({ workspace_id: WS, name })
    .returning('id')
    .executeTakeFirstOrThrow();
  const graph = {
    nodes: [{ id: 'call', type: 'core.http_request', version: 1, credentials: { http_bearer: credentialId } }],
    edges: [],
  };
  const v = await deps.db
    .insertInto('workflow_versions')
    .values({ workflow_id: wf.id, version: 1, graph: jsonb(graph), ir: jsonb({}) })
    .returning('id')
    .executeTakeFirstOrThrow();
  await deps.db.updateTable('workflows').set({ current_version_id: v.id }).where('id', '=', wf.id).execute();
  return wf.id;
}

describe.each(testServers())('connections on $name', ({ url }) => {
  it('are stored sealed and listed with public metadata only', async () => {
    const deps = await setup(url);
    const created = await createConnection(deps, WS, {
      name: ' Events API ',
      kind: 'api_key_header',
      values: { apiKey: SECRET, baseUrl: 'https://events.example.com' },
    });
    expect(created).toMatchObject({
      name: 'Events API',
      kind: 'api_key_header',
      kindTitle: 'API key (header)',
      status: 'untested',
      metadata: { headerName: 'X-API-Key', baseUrl: 'https://events.example.com' },
    });
    const listed = await listConnections(deps, WS);
    expect(listed).toEqual([created]);
    expect(JSON.stringify(listed)).not.toContain(SECRET);
    const row = await deps.db.selectFrom('credentials').selectAll().executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(SECRET);
    expect(row.envelope).toMatchObject({ v: 1, kid: deps.vault.kid });
    const resolve = createCredentialResolver(deps);
    expect(await resolve(WS, { api_key_header: created.id })).toEqual({
      api_key_header: { headerName: 'X-API-Key', apiKey: SECRET, baseUrl: 'https://events.example.com' },
    });
  });

  it('reject bad values naming each field, unknown kinds and duplicate names, writing nothing', async () => {
    const deps = await setup(url);
    const invalid = await rejectionOf<ConnectionInvalidError>(
      createConnection(deps, WS, { name: 'x', kind: 'http_basic', values: { password: 1, extra: 'y' } }),
    );
    expect(invalid).toBeInstanceOf(ConnectionInvalidError);
    expect(invalid.issues.map((i) => i.path).sort()).toEqual(['values.extra', 'values.password', 'values.username']);
    expect(invalid.message).toMatch(
      /^connection "x" \(http_basic\): values\.extra: not a field of http_basic \(its fields: username, password, baseUrl\)/,
    );
    const unknown = await rejectionOf<ConnectionError>(
      createConnection(deps, WS, { name: 'x', kind: 'nope', values: {} }),
    );
    expect(unknown.code).toBe('unknown_kind');
    expect(unknown.message).toMatch(/^unknown credential kind "nope"; installed kinds: api_key_header, /);
    const noName = await rejectionOf<ConnectionInvalidError>(
      createConnection(deps, WS, { name: ' ', kind: 'http_bearer', values: { token: 'abc' } }),
    );
    expect(noName.issues).toEqual([{ path: 'name', message: 'a name is required' }]);
    await createConnection(deps, WS, { name: 'Same', kind: 'http_bearer', values: { token: 'abc' } });
    const dup = await rejectionOf<ConnectionError>(
      createConnection(deps, WS, { name: 'Same', kind: 'http_bearer', values: { token: 'abc' } }),
    );
    expect(dup.message).toBe('a connection named "Same" already exists in this workspace; pick another name');
    expect(await deps.db.selectFrom('credentials').select('name').execute()).toEqual([{ name: 'Same' }]);
  });

  it('rename and rotate: new values merge over the stored ones; invalid ones change nothing', async () => {
    const deps = await setup(url);
    const c = await createConnection(deps, WS, { name: 'A', kind: 'http_bearer', values: { token: 'old-token' } });
    const renamed = await updateConnection(deps, WS, c.id, { name: 'B' });
    expect(renamed.name).toBe('B');
    await updateConnection(deps, WS, c.id, { values: { token: 'new-token', baseUrl: 'https://api.example.com' } });
    const resolve = createCredentialResolver(deps);
    expect(await resolve(WS, { http_bearer: c.id })).toEqual({
      http_bearer: { token: 'new-token', baseUrl: 'https://api.example.com' },
    });
    const bad = await rejectionOf<ConnectionInvalidError>(
      updateConnection(deps, WS, c.id, { name: 'C', values: { token: '' } }),
    );
    expect(bad.message).toBe('connection "C" (http_bearer): values.token: token is required');
    expect((await getConnection(deps, WS, c.id)).name).toBe('B');
    expect((await resolve(WS, { http_bearer: c.id })).http_bearer?.token).toBe('new-token');
  });

  it('refuse deletion while a workflow uses them, naming the workflows', async () => {
    const deps = await setup(url);
    const c = await createConnection(deps, WS, { name: 'Billing', kind: 'http_bearer', values: { token: 'abcdef' } });
    await workflowUsing(deps, 'Nightly sync', c.id);
    await workflowUsing(deps, 'Invoices', c.id);
    const err = await rejectionOf<ConnectionInUseError>(deleteConnection(deps, WS, c.id));
    expect(err).toBeInstanceOf(ConnectionInUseError);
    expect(err.workflows.map((w) => w.name)).toEqual(['Invoices', 'Nightly sync']);
    expect(err.message).toBe(
      'connection "Billing" is used by workflows "Invoices", "Nightly sync"; pick another connection in them (or delete them) first',
    );
    await deps.db.deleteFrom('workflows').execute();
    await deleteConnection(deps, WS, c.id);
    expect(await listConnections(deps, WS)).toEqual([]);
    expect((await rejectionOf<ConnectionError>(getConnection(deps, WS, c.id))).code).toBe('not_found');
  });

  it('are tested with one authenticated call, recording the status', async () => {
    const deps = await setup(url);
    const api = await startLocalServer((req, res) => {
      res.writeHead(req.headers['x-acme-key'] === SECRET ? 200 : 401).end(`{"echo":"${req.headers['x-acme-key']}"}`);
    });
    cleanups.push(() => api.close());
    const good = await createConnection(deps, WS, {
      name: 'good',
      kind: 'acme',
      values: { apiKey: SECRET, baseUrl: `${api.origin}/v1` },
    });
    expect(await testConnection(deps, WS, good.id)).toEqual({
      ok: true,
      status: 200,
      message: `GET ${api.origin}/v1/me → 200`,
    });
    expect(api.requests[0]).toMatchObject({ method: 'GET', url: '/v1/me' });
    expect(await getConnection(deps, WS, good.id)).toMatchObject({ status: 'ok', lastError: null });

    const bad = await createConnection(deps, WS, {
      name: 'bad',
      kind: 'acme',
      values: { apiKey: 'wrong-key', baseUrl: api.origin },
    });
    const result = await testConnection(deps, WS, bad.id);
    expect(result).toEqual({
      ok: false,
      status: 401,
      message: `GET ${api.origin}/me → 401 Unauthorized: the API refused the credential`,
    });
    const stored = await getConnection(deps, WS, bad.id);
    expect(stored.status).toBe('error');
    expect(stored.lastError).toBe(result.message);
    expect(stored.lastTestedAt).not.toBeNull();
  });

  it('resolve to clear errors for missing, foreign, mismatched and tampered credentials, without secrets', async () => {
    const deps = await setup(url);
    const resolve = createCredentialResolver(deps);
    const a = await createConnection(deps, WS, { name: 'A', kind: 'http_bearer', values: { token: SECRET } });
    const b = await createConnection(deps, WS, { name: 'B', kind: 'http_bearer', values: { token: 'other-token' } });
    const missing = await rejectionOf(resolve(WS, { http_bearer: '00000000-0000-4000-8000-0000000000ff' }));
    expect(missing).toBeInstanceOf(FatalError);
    expect(missing.message).toMatch(/^the http_bearer connection 00000000-0000-4000-8000-0000000000ff does not exist/);
    const other = await deps.db
      .insertInto('workspaces')
      .values({ name: 'Other', slug: 'other' })
      .returning('id')
      .executeTakeFirstOrThrow();
    expect((await rejectionOf(resolve(other.id, { http_bearer: a.id }))).message).toMatch(/does not exist/);
    expect((await rejectionOf(resolve(WS, { http_basic: a.id }))).message).toBe(
      `the http_basic connection "A" (${a.id}) is a http_bearer credential, but the node uses it as http_basic; choose a http_basic connection`,
    );
    // A's envelope copied onto B's row does not open there (AAD binds it to A).
    const rowA = await deps.db
      .selectFrom('credentials')
      .select('envelope')
      .where('id', '=', a.id)
      .executeTakeFirstOrThrow();
    await deps.db
      .updateTable('credentials')
      .set({ envelope: jsonb(rowA.envelope) })
      .where('id', '=', b.id)
      .execute();
    const tampered = await rejectionOf(resolve(WS, { http_bearer: b.id }));
    expect(tampered).toBeInstanceOf(FatalError);
    expect(tampered.message).toMatch(
      new RegExp(`^the http_bearer connection "B" \\(${b.id}\\) cannot be decrypted: the envelope does not open`),
    );
    expect(tampered.message).not.toContain(SECRET);
  });
});
