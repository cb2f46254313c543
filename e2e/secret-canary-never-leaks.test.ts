import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServers } from '@apiq/db/testing';
import { createSafeFetch } from '@apiq/http';
import { startLocalServer, type LocalServer } from '@apiq/http/testing';
import { createApiqServer, enqueueRun, type ApiqServer } from '@apiq/runtime';
import { readRun, startTestEngine, type TestEngine } from '@apiq/runtime/testing';
import {
  createConnection,
  deleteConnection,
  generateMasterKey,
  getConnection,
  listConnections,
  openVault,
  testConnection,
  type VaultDeps,
} from '@apiq/vault';
import { startExecutorProcess, type ExecutorProcess } from './support/executor-process.ts';

const BIN = fileURLToPath(new URL('../apps/cli/bin/apiq.js', import.meta.url));

// A canary secret is stored in a connection and used by real runs in a real `apiq worker`
// process, against an API that echoes the Authorization header back (in its body on success,
// in its error on failure). Afterwards the canary must be nowhere: not in any column of any
// table (the vault's ciphertext aside), not in the worker's logs, not in any response.
describe('a stored secret never leaks into run data, logs or responses', () => {
  const server = testServers()[0]!;
  const canary = `canary-${randomBytes(12).toString('hex')}`;
  const masterKey = generateMasterKey().key.toString('base64');
  let engine: TestEngine;
  let web: ApiqServer;
  let api: LocalServer;
  let worker: ExecutorProcess;
  let dataDir: string;
  let deps: VaultDeps;
  let base = '';
  let connectionId = '';
  const logs: string[] = [];
  const responses: Array<{ what: string; text: string }> = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'apiq-canary-'));
    api = await startLocalServer((req, res) => {
      const echoed = JSON.stringify({ youSent: req.headers.authorization ?? null, path: req.url });
      if (req.url?.startsWith('/deny'))
        return void res.writeHead(403, { 'content-type': 'application/json' }).end(echoed);
      res.writeHead(200, { 'content-type': 'application/json' }).end(echoed);
    });
    engine = await startTestEngine(server.url, { executor: false });
    const vault = await openVault({ db: engine.db, env: { APIQ_MASTER_KEY: masterKey } });
    const fetch = createSafeFetch({ allow: ['127.0.0.1/32'] });
    deps = { db: engine.db, vault, catalog: engine.catalog, fetch };
    connectionId = (
      await createConnection(deps, '00000000-0000-4000-8000-000000000001', {
        name: 'Echo API',
        kind: 'http_bearer',
        values: { token: canary, baseUrl: api.origin },
      })
    ).id;
    web = await createApiqServer({ db: engine.db, pool: engine.opened.pool });
    base = `http://127.0.0.1:${await web.listen(0, '127.0.0.1')}`;
    worker = startExecutorProcess(engine.url, {
      APIQ_MASTER_KEY: masterKey,
      APIQ_HTTP_ALLOW: '127.0.0.1/32',
      APIQ_LOG_LEVEL: 'debug',
      APIQ_DATA_DIR: dataDir,
    });
    worker.proc.stderr?.on('data', (d: Buffer) => logs.push(d.toString()));
    worker.proc.stdout?.on('data', (d: Buffer) => logs.push(d.toString()));
    await worker.ready;
  });

  afterAll(async () => {
    await worker?.kill('SIGTERM');
    await web?.close();
    await engine?.close();
    await api?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const call = (id: string, path: string) => ({
    id,
    type: 'core.http_request',
    params: { url: `${api.origin}${path}` },
    credentials: { http_bearer: connectionId },
  });

  it('fails a step whose connection was deleted with a clear error naming the node and the connection', async () => {
    const gone = await createConnection(deps, '00000000-0000-4000-8000-000000000001', {
      name: 'Short-lived',
      kind: 'http_bearer',
      values: { token: `${canary}-2` },
    });
    await deleteConnection(deps, '00000000-0000-4000-8000-000000000001', gone.id);
    const saved = await engine.save({
      name: 'uses a deleted connection',
      nodes: [
        { id: 'start', type: 'core.manual_trigger' },
        { ...call('fetch_orders', '/orders'), credentials: { http_bearer: gone.id } },
      ],
      edges: [{ source: 'start', target: 'fetch_orders' }],
    });
    const { runId } = await enqueueRun(engine.db, {
      workflowId: saved.workflowId,
      versionId: saved.versionId,
      triggerKind: 'manual',
      triggerPayload: {},
    });
    await engine.waitFor(runId, ['finished'], 30_000);
    const run = await readRun(engine.opened, runId);
    expect(run.status).toBe('failed');
    expect(run.byStep.fetch_orders?.error).toEqual({
      kind: 'fatal',
      name: 'CredentialError',
      message: `step "fetch_orders" (core.http_request): the http_bearer connection ${gone.id} does not exist (it was deleted, or belongs to another workspace); choose another connection for this node`,
    });
    expect(api.requests.filter((r) => r.url === '/orders')).toEqual([]);
    await engine.db.deleteFrom('workflows').where('id', '=', saved.workflowId).execute();
  });

  it('is used by the succeeding and the failing run, and found nowhere afterwards', async () => {
    await engine.save(
      {
        name: 'echo ok',
        nodes: [
          { id: 'hook', type: 'core.webhook_trigger', params: { path: 'canary', respond: 'last_node' } },
          call('get', '/echo'),
        ],
        edges: [{ source: 'hook', target: 'get' }],
      },
      { activate: true },
    );
    const webhook = await fetch(`${base}/webhook/canary`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    const webhookText = await webhook.text();
    responses.push({ what: 'webhook response', text: webhookText });
    expect(webhook.status).toBe(200);
    expect(JSON.parse(webhookText)).toMatchObject({
      status: 200,
      body: { youSent: 'Bearer [redacted]', path: '/echo' },
    });

    const failing = await engine.save({
      name: 'echo denied',
      nodes: [{ id: 'start', type: 'core.manual_trigger' }, call('denied', '/deny')],
      edges: [{ source: 'start', target: 'denied' }],
    });
    const { runId } = await enqueueRun(engine.db, {
      workflowId: failing.workflowId,
      versionId: failing.versionId,
      triggerKind: 'manual',
      triggerPayload: {},
    });
    await engine.waitFor(runId, ['finished'], 30_000);
    const failed = await readRun(engine.opened, runId);
    expect(failed.status).toBe('failed');
    expect((failed.byStep.denied?.error as { message: string }).message).toMatch(
      /^GET http:\/\/127\.0\.0\.1:\d+\/deny returned 403 Forbidden: .*Bearer \[redacted\]/,
    );

    // The API really received the secret: the runs used it (the worker's connection health check
    // may have called the base URL with it too).
    expect(api.requests.filter((r) => r.url !== '/').map((r) => [r.url, r.headers.authorization])).toEqual([
      ['/echo', `Bearer ${canary}`],
      ['/deny', `Bearer ${canary}`],
    ]);

    // Connection API calls.
    responses.push({
      what: 'listConnections',
      text: JSON.stringify(await listConnections(deps, '00000000-0000-4000-8000-000000000001')),
    });
    responses.push({
      what: 'getConnection',
      text: JSON.stringify(await getConnection(deps, '00000000-0000-4000-8000-000000000001', connectionId)),
    });
    const tested = await testConnection(deps, '00000000-0000-4000-8000-000000000001', connectionId);
    expect(tested.ok).toBe(true);
    responses.push({ what: 'testConnection', text: JSON.stringify(tested) });

    // `apiq runs show` prints a run as stored.
    const shown = await new Promise<string>((resolve, reject) => {
      const p = spawn(process.execPath, [BIN, 'runs', 'show', runId], {
        env: { ...process.env, DATABASE_URL: engine.url, APIQ_LOG_LEVEL: 'silent', APIQ_DATA_DIR: dataDir },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      p.stdout.on('data', (d: Buffer) => (out += d.toString()));
      p.stderr.on('data', (d: Buffer) => (out += d.toString()));
      p.on('error', reject);
      p.on('exit', () => resolve(out));
    });
    expect(shown).toContain(runId);
    responses.push({ what: 'apiq runs show', text: shown });

    // Every row of every table, the vault's ciphertext column aside.
    const tables = await sql<{ table_name: string }>`
      select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`.execute(
      engine.db,
    );
    expect(tables.rows.map((t) => t.table_name)).toEqual(
      expect.arrayContaining(['credentials', 'runs', 'step_attempts']),
    );
    const leaks: string[] = [];
    let scanned = 0;
    for (const { table_name } of tables.rows) {
      const rows = await sql<{
        row: string;
      }>`select (to_jsonb(t) - 'envelope')::text as row from ${sql.table(table_name)} t`.execute(engine.db);
      scanned += rows.rows.length;
      for (const r of rows.rows) if (r.row.includes(canary)) leaks.push(`${table_name}: ${r.row.slice(0, 300)}`);
    }
    expect(scanned).toBeGreaterThan(5);
    const steps = await engine.db.selectFrom('step_attempts').select(['step_id', 'output', 'error']).execute();
    expect(JSON.stringify(steps)).toContain('[redacted]');

    await worker.kill('SIGTERM');
    const logText = logs.join('');
    expect(logText).toContain('executor started');
    if (logText.includes(canary))
      leaks.push(
        `worker log: ${logText.slice(Math.max(0, logText.indexOf(canary) - 200), logText.indexOf(canary) + 50)}`,
      );
    for (const r of responses) if (r.text.includes(canary)) leaks.push(`${r.what}: ${r.text.slice(0, 300)}`);
    expect(leaks).toEqual([]);
  });
});
