import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_WORKSPACE_ID } from '@apiq/db';
import { testServers } from '@apiq/db/testing';
import { createSafeFetch } from '@apiq/http';
import { startLocalServer, type LocalServer } from '@apiq/http/testing';
import { createApiqServer, enqueueRun, type ApiqServer } from '@apiq/runtime';
import { startTestEngine, type TestEngine } from '@apiq/runtime/testing';
import { createConnection, generateMasterKey, openVault } from '@apiq/vault';
import { startExecutorProcess, type ExecutorProcess } from './support/executor-process.ts';
import { parsePrometheusText, value, type Sample } from './support/prometheus-text.ts';

// A real `apiq worker` process runs known runs; the web process's /metrics (this process) must
// show them: the worker publishes its in-memory metrics to PostgreSQL, the web reads them at scrape.
describe('metrics after known runs', () => {
  const server = testServers()[0]!;
  const masterKey = generateMasterKey().key.toString('base64');
  let engine: TestEngine;
  let web: ApiqServer;
  let api: LocalServer;
  let worker: ExecutorProcess;
  let dataDir: string;
  let base = '';
  let connectionId = '';

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'apiq-metrics-'));
    api = await startLocalServer((req, res) => {
      res.writeHead(req.url?.startsWith('/missing') ? 404 : 200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
    engine = await startTestEngine(server.url, { executor: false });
    const vault = await openVault({ db: engine.db, env: { APIQ_MASTER_KEY: masterKey } });
    const deps = { db: engine.db, vault, catalog: engine.catalog, fetch: createSafeFetch({ allow: ['127.0.0.1/32'] }) };
    connectionId = (
      await createConnection(deps, DEFAULT_WORKSPACE_ID, {
        name: 'Orders API',
        kind: 'http_bearer',
        values: { token: 'not-a-real-token', baseUrl: api.origin },
      })
    ).id;
    web = await createApiqServer({ db: engine.db, pool: engine.opened.pool });
    base = `http://127.0.0.1:${await web.listen(0, '127.0.0.1')}`;
    worker = startExecutorProcess(engine.url, {
      APIQ_MASTER_KEY: masterKey,
      APIQ_HTTP_ALLOW: '127.0.0.1/32',
      APIQ_DATA_DIR: dataDir,
      APIQ_METRICS_PUBLISH_MS: '200',
    });
    await worker.ready;
  });

  afterAll(async () => {
    await worker?.kill('SIGTERM');
    await web?.close();
    await engine?.close();
    await api?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const scrape = async (): Promise<Sample[]> => {
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    return parsePrometheusText(await res.text());
  };

  /** Scrapes until `done` holds (the worker publishes every 200 ms here), or fails after 20 s. */
  const scrapeUntil = async (done: (s: Sample[]) => boolean): Promise<Sample[]> => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const samples = await scrape();
      if (done(samples)) return samples;
      if (Date.now() > deadline) return samples;
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  it('counts runs, steps, HTTP calls, claims and webhooks with their labels and histograms', async () => {
    const call = (path: string, credentials?: Record<string, string>) => ({
      id: 'call',
      type: 'core.http_request',
      params: { url: `${api.origin}${path}` },
      ...(credentials ? { credentials } : {}),
    });
    const ok = await engine.save({
      name: 'metrics ok',
      nodes: [{ id: 'start', type: 'core.manual_trigger' }, call('/ok', { http_bearer: connectionId })],
      edges: [{ source: 'start', target: 'call' }],
    });
    const failing = await engine.save({
      name: 'metrics failing',
      nodes: [{ id: 'start', type: 'core.manual_trigger' }, call('/missing')],
      edges: [{ source: 'start', target: 'call' }],
    });
    await engine.save(
      {
        name: 'metrics webhook',
        nodes: [
          { id: 'hook', type: 'core.webhook_trigger', params: { path: 'metrics', respond: 'last_node' } },
          call('/ok'),
        ],
        edges: [{ source: 'hook', target: 'call' }],
      },
      { activate: true },
    );

    const runIds: string[] = [];
    for (const [saved, times] of [
      [ok, 3],
      [failing, 2],
    ] as const) {
      for (let i = 0; i < times; i++) {
        const { runId } = await enqueueRun(engine.db, {
          workflowId: saved.workflowId,
          versionId: saved.versionId,
          triggerKind: 'manual',
          triggerPayload: {},
        });
        runIds.push(runId);
      }
    }
    for (const id of runIds) expect((await engine.waitFor(id, ['finished'], 20_000))?.kind).toBe('finished');
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${base}/webhook/metrics`, { method: 'POST', body: '{}' });
      expect(res.status).toBe(200);
    }

    const samples = await scrapeUntil((s) => value(s, 'apiq_runs_finished_total') === 7);
    const executor = samples.find((s) => s.name === 'apiq_runs_finished_total')?.labels.executor;
    expect(executor).toMatch(/:\d+:/); // host:pid:random, the worker's executor id

    expect(value(samples, 'apiq_runs_finished_total', { status: 'succeeded' })).toBe(5);
    expect(value(samples, 'apiq_runs_finished_total', { status: 'failed' })).toBe(2);
    expect(value(samples, 'apiq_run_duration_seconds_count', { status: 'succeeded' })).toBe(5);
    expect(value(samples, 'apiq_run_duration_seconds_count', { status: 'failed' })).toBe(2);

    const http = { node_type: 'core.http_request' };
    expect(value(samples, 'apiq_steps_total', { ...http, status: 'succeeded' })).toBe(5);
    expect(value(samples, 'apiq_steps_total', { ...http, status: 'failed' })).toBe(2);
    expect(value(samples, 'apiq_steps_total', { node_type: 'core.manual_trigger', status: 'succeeded' })).toBe(5);
    expect(value(samples, 'apiq_steps_total', { node_type: 'core.webhook_trigger', status: 'succeeded' })).toBe(2);
    // Histogram: cumulative buckets ending in +Inf = count, and a sum.
    const buckets = samples.filter(
      (s) => s.name === 'apiq_step_duration_seconds_bucket' && s.labels.node_type === http.node_type,
    );
    expect(buckets.at(-1)).toMatchObject({ labels: { le: '+Inf' }, value: 7 });
    expect(buckets.map((b) => b.value)).toEqual([...buckets.map((b) => b.value)].sort((a, b) => a - b));
    expect(value(samples, 'apiq_step_duration_seconds_count', http)).toBe(7);
    expect(value(samples, 'apiq_step_duration_seconds_sum', http)).toBeGreaterThan(0);

    const host = `127.0.0.1:${api.port}`;
    expect(value(samples, 'apiq_http_requests_total', { host, connection: connectionId, status_class: '2xx' })).toBe(3);
    expect(value(samples, 'apiq_http_requests_total', { host, connection: '', status_class: '2xx' })).toBe(2);
    expect(value(samples, 'apiq_http_requests_total', { host, connection: '', status_class: '4xx' })).toBe(2);
    expect(value(samples, 'apiq_http_request_duration_seconds_count', { host })).toBe(7);
    expect(value(samples, 'apiq_http_circuit_state', { host, state: 'closed' })).toBe(1);
    expect(value(samples, 'apiq_http_circuit_state', { host, state: 'open' })).toBe(0);
    // No URL path, query or token ever becomes a label.
    expect(
      samples.some((s) => Object.values(s.labels).some((v) => v.includes('/ok') || v.includes('not-a-real-token'))),
    ).toBe(false);

    expect(value(samples, 'apiq_claim_latency_seconds_count')).toBe(7);
    expect(value(samples, 'apiq_webhook_duration_seconds_count', { status_class: '2xx' })).toBe(2);
    expect(value(samples, 'apiq_executor_run_slots')).toBe(16);
    expect(value(samples, 'apiq_executor_active_runs')).toBe(0);
    expect(value(samples, 'apiq_executors_alive')).toBe(1);
    expect(value(samples, 'apiq_queue_depth')).toBe(0);
    expect(value(samples, 'apiq_queue_lag_seconds')).toBe(0);
    expect(value(samples, 'apiq_runs', { status: 'running' })).toBe(0);
    // One connection, counted under its health status (the worker's health check may have tested it).
    expect(value(samples, 'apiq_connections')).toBe(1);
    expect(value(samples, 'apiq_web_process_resident_memory_bytes')).toBeGreaterThan(0);

    // The Grafana dashboard in docs/ only uses metrics /metrics really serves.
    const text = await (await fetch(`${base}/metrics`)).text();
    const served = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
    const dashboard = await readFile(new URL('../docs/grafana/apiq-dashboard.json', import.meta.url), 'utf8');
    const used = new Set(
      [...dashboard.matchAll(/\b(apiq_[a-z_]+)/g)].map((m) => m[1]!.replace(/_(bucket|count|sum)$/, '')),
    );
    expect([...used].filter((name) => !served.has(name))).toEqual([]);
    expect(used.size).toBeGreaterThan(15);
  });

  it('shows queue depth and lag while no executor takes runs, and needs the token when one is set', async () => {
    await worker.kill('SIGTERM');
    const saved = await engine.save({
      name: 'metrics queued',
      nodes: [{ id: 'start', type: 'core.manual_trigger' }],
      edges: [],
    });
    for (let i = 0; i < 3; i++)
      await enqueueRun(engine.db, {
        workflowId: saved.workflowId,
        versionId: saved.versionId,
        triggerKind: 'manual',
        triggerPayload: {},
      });
    await engine.db
      .updateTable('runs')
      .set({ available_at: new Date(Date.now() - 90_000) })
      .where('status', '=', 'queued')
      .execute();
    const samples = await scrape();
    expect(value(samples, 'apiq_queue_depth')).toBe(3);
    expect(value(samples, 'apiq_runs', { status: 'queued' })).toBe(3);
    expect(value(samples, 'apiq_queue_lag_seconds')).toBeGreaterThanOrEqual(90);
    expect(value(samples, 'apiq_executors_alive')).toBe(0);
    // A gracefully stopped worker removes its snapshot: its series are gone.
    expect(value(samples, 'apiq_runs_finished_total')).toBeUndefined();

    process.env.APIQ_METRICS_TOKEN = 'scrape-me';
    try {
      expect((await fetch(`${base}/metrics`)).status).toBe(401);
      const res = await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer scrape-me' } });
      expect(res.status).toBe(200);
    } finally {
      delete process.env.APIQ_METRICS_TOKEN;
    }
  });
});
