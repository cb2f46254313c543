import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServers } from '@apiq/db/testing';
import { createApiqServer, enqueueRun, type ApiqServer, type ReadinessReport } from '@apiq/runtime';
import { startTestEngine, type TestEngine } from '@apiq/runtime/testing';
import { generateMasterKey } from '@apiq/vault';
import { startExecutorProcess, waitUntil, type ExecutorProcess } from './support/executor-process.ts';

const BIN = fileURLToPath(new URL('../apps/cli/bin/apiq.js', import.meta.url));

function apiqStatus(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [BIN, 'status', ...args], {
      env: { ...process.env, APIQ_LOG_LEVEL: 'silent', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    p.on('error', reject);
    p.on('exit', (code) => resolve({ code, out }));
  });
}

// /api/health/ready with real executors: ready while they heartbeat, degraded once one is
// killed (its heartbeat stops) or the queue lags; `apiq status` says the same.
describe('readiness reports a lost executor and queue lag as degraded', () => {
  const server = testServers()[0]!;
  let engine: TestEngine;
  let web: ApiqServer;
  let worker: ExecutorProcess;
  let dataDir: string;
  let base = '';

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'apiq-ready-'));
    engine = await startTestEngine(server.url, { executor: { heartbeatMs: 200 } });
    web = await createApiqServer({
      db: engine.db,
      pool: engine.opened.pool,
      readiness: { heartbeatTimeoutSeconds: 2, maxQueueLagSeconds: 30 },
    });
    base = `http://127.0.0.1:${await web.listen(0, '127.0.0.1')}`;
    worker = startExecutorProcess(engine.url, {
      APIQ_MASTER_KEY: generateMasterKey().key.toString('base64'),
      APIQ_DATA_DIR: dataDir,
    });
    await worker.ready;
  });

  afterAll(async () => {
    await worker?.kill('SIGKILL');
    await web?.close();
    await engine?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const ready = async () => {
    const res = await fetch(`${base}/api/health/ready`);
    return { status: res.status, body: (await res.json()) as ReadinessReport };
  };

  it('is ok with every check while executors heartbeat', async () => {
    expect(await (await fetch(`${base}/api/health`)).json()).toEqual({ status: 'ok' });
    const { status, body } = await ready();
    expect(status).toBe(200);
    expect(body).toMatchObject({
      status: 'ok',
      checks: {
        database: { status: 'ok' },
        queue: { status: 'ok', depth: 0, lagSeconds: 0, maxLagSeconds: 30 },
        executors: { status: 'ok', alive: 2, lost: [] },
        scheduler: { status: 'ok', schedulersAlive: 2, activeSchedules: 0 },
      },
    });
    expect(body.checks.database.latencyMs).toBeGreaterThanOrEqual(0);

    const cli = await apiqStatus(['--url', base], {});
    expect(cli.code).toBe(0);
    expect(cli.out).toMatch(/^APIQ is ok/);
    expect(cli.out).toMatch(/executors\s+ok\s+2 alive/);
  });

  it('is degraded (503) naming the executor that stopped heartbeating', async () => {
    const ids = (await engine.db.selectFrom('executors').select('id').execute()).map((r) => r.id);
    const killed = ids.find((id) => id.includes(`:${worker.pid}:`))!;
    await worker.kill('SIGKILL');
    const { status, body } = await waitUntil(
      async () => {
        const r = await ready();
        return r.status === 503 ? r : undefined;
      },
      'readiness to report the killed executor',
      10_000,
    );
    expect(status).toBe(503);
    expect(body.status).toBe('degraded');
    expect(body.checks.executors).toMatchObject({ status: 'degraded', alive: 1, lost: [{ id: killed }] });
    expect(body.checks.queue?.status).toBe('ok');

    // The CLI reads the database directly with the default limits: a heartbeat a few seconds old is
    // within the 60 s timeout, so the killed executor still counts as alive there.
    const cli = await apiqStatus(['--json'], { DATABASE_URL: engine.url, APIQ_DATA_DIR: dataDir });
    expect(cli.code).toBe(0);
    expect(JSON.parse(cli.out)).toMatchObject({ status: 'ok', checks: { executors: { alive: 2, lost: [] } } });
  });

  it('is degraded when the oldest queued run waits longer than the limit', async () => {
    await engine.db
      .deleteFrom('executors')
      .where('heartbeat_at', '<', new Date(Date.now() - 2000))
      .execute();
    await engine.executors[0]!.stop(1000);
    const saved = await engine.save({
      name: 'waits',
      nodes: [{ id: 'start', type: 'core.manual_trigger' }],
      edges: [],
    });
    const { runId } = await enqueueRun(engine.db, {
      workflowId: saved.workflowId,
      versionId: saved.versionId,
      triggerKind: 'manual',
      triggerPayload: {},
    });
    await engine.db
      .updateTable('runs')
      .set({ available_at: new Date(Date.now() - 45_000) })
      .where('id', '=', runId)
      .execute();
    const { status, body } = await ready();
    expect(status).toBe(503);
    expect(body.checks.queue).toMatchObject({ status: 'degraded', depth: 1 });
    expect(body.checks.queue!.lagSeconds).toBeGreaterThanOrEqual(45);
    expect(body.checks.executors).toMatchObject({ status: 'degraded', alive: 0, lost: [] });

    const cli = await apiqStatus(['--url', base], {});
    expect(cli.code).toBe(1);
    expect(cli.out).toMatch(/^APIQ is degraded/);
    expect(cli.out).toMatch(/queue\s+degraded\s+1 waiting/);
  });
});
