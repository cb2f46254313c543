import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_WORKSPACE_ID } from '@apiq/db';
import { testServers } from '@apiq/db/testing';
import { createSafeFetch } from '@apiq/http';
import { startLocalServer, type LocalServer } from '@apiq/http/testing';
import { AlertEvaluator, ConnectionHealthCheck, alertHistory, createAlertRule } from '@apiq/runtime';
import { startTestEngine, type TestEngine } from '@apiq/runtime/testing';
import { createConnection, generateMasterKey, openVault, testConnection, type VaultDeps } from '@apiq/vault';

// The periodic health check pings each connection with its kind's test request, records the
// outcome on the connection, and a connection_down rule fires once from it.
describe('connection health check marks a failing connection down', () => {
  const server = testServers()[0]!;
  let engine: TestEngine;
  let api: LocalServer;
  let receiver: LocalServer;
  let deps: VaultDeps;
  const accepted = new Set(['good-token']);

  beforeAll(async () => {
    api = await startLocalServer((req, res) => {
      const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      res.writeHead(accepted.has(token) ? 200 : 401, { 'content-type': 'application/json' });
      res.end(accepted.has(token) ? '{"ok":true}' : '{"error":"invalid token"}');
    });
    receiver = await startLocalServer((_req, res) => {
      res.end('ok');
    });
    engine = await startTestEngine(server.url, { executor: false });
    const vault = await openVault({
      db: engine.db,
      env: { APIQ_MASTER_KEY: generateMasterKey().key.toString('base64') },
    });
    deps = { db: engine.db, vault, catalog: engine.catalog, fetch: createSafeFetch({ allow: ['127.0.0.1/32'] }) };
  });

  afterAll(async () => {
    await engine?.close();
    await Promise.all([api?.close(), receiver?.close()]);
  });

  it('records ok / error on each connection, fires once while down and resolves once it answers again', async () => {
    const make = (name: string, token: string) =>
      createConnection(deps, DEFAULT_WORKSPACE_ID, {
        name,
        kind: 'http_bearer',
        values: { token, baseUrl: api.origin },
      });
    const good = await make('Billing API', 'good-token');
    const bad = await make('Orders API', 'expired-token');
    const rule = await createAlertRule(engine.db, DEFAULT_WORKSPACE_ID, {
      name: 'Orders API down',
      condition: { kind: 'connection_down', connectionId: bad.id },
      channels: [{ type: 'webhook', target: `${receiver.origin}/down` }],
    });
    const alerts = new AlertEvaluator({ db: engine.db, fetch: deps.fetch! });
    const health = new ConnectionHealthCheck({
      db: engine.db,
      test: (workspaceId, id) => testConnection(deps, workspaceId, id),
      everyMs: 60_000,
      afterRound: () => alerts.evaluate(),
    });
    const statuses = async () =>
      Object.fromEntries(
        (await engine.db.selectFrom('credentials').select(['name', 'status']).execute()).map((c) => [c.name, c.status]),
      );

    expect(await health.runIfDue()).toEqual({ checked: 2, failing: 1 });
    expect(await statuses()).toEqual({ 'Billing API': 'ok', 'Orders API': 'error' });
    const row = await engine.db
      .selectFrom('credentials')
      .selectAll()
      .where('id', '=', bad.id)
      .executeTakeFirstOrThrow();
    expect(row.last_error).toMatch(/401/);
    expect(row.last_error).not.toContain('expired-token');
    expect(api.requests.every((r) => r.method === 'GET')).toBe(true);
    expect(receiver.requests).toHaveLength(1);
    expect(JSON.parse(receiver.requests[0]!.body)).toMatchObject({
      rule: { id: rule.id, kind: 'connection_down' },
      details: { connectionId: bad.id, connectionName: 'Orders API', status: 'error' },
    });

    // Another instance within the period: the lease says the round was done.
    expect(await health.runIfDue()).toBeUndefined();
    // Still down at the next round: no second alert.
    expect(await health.checkAll()).toEqual({ checked: 2, failing: 1 });
    expect(receiver.requests).toHaveLength(1);

    accepted.add('expired-token');
    expect(await health.checkAll()).toEqual({ checked: 2, failing: 0 });
    expect(await statuses()).toEqual({ 'Billing API': 'ok', 'Orders API': 'ok' });
    const [event] = await alertHistory(engine.db, DEFAULT_WORKSPACE_ID, { ruleId: rule.id });
    expect(event!.resolvedAt).not.toBeNull();
    expect(receiver.requests).toHaveLength(1);
    expect(good.id).not.toBe(bad.id);
  });
});
