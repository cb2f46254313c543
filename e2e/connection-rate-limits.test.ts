import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServers } from '@apiq/db/testing';
import { startLocalServer, type LocalServer } from '@apiq/http/testing';
import { createApiHandler, type ApiHandler } from '@apiq/api';
import {
  createApiqServer,
  createLogger,
  enqueueRun,
  FREE_RATE_LIMITED_ATTEMPTS,
  type ApiqServer,
  type Executor,
} from '@apiq/runtime';
import { readRun, startTestEngine, type FinishedRun, type TestEngine } from '@apiq/runtime/testing';
import type { ConnectionLimits } from '@apiq/db';
import { createConnection, createCredentialResolver, generateMasterKey, openVault, type VaultDeps } from '@apiq/vault';

const WS = '00000000-0000-4000-8000-000000000001';

// Two executors share one PostgreSQL; connections carry limits; a real HTTP server on 127.0.0.1
// stands in for the API and records when each request arrived and how many were in flight.
// HTTP Request steps run in the executor thread, API Operation steps in worker threads: both paths
// are limited.
describe('per-connection rate limits, concurrency caps and 429 handling', () => {
  const server = testServers()[0]!;
  let engine: TestEngine;
  let executors: Executor[];
  let api: LocalServer;
  let web: ApiqServer;
  let handler: ApiHandler;
  let base = '';
  let deps: VaultDeps;
  let savedAllow: string | undefined;
  /** Arrival times (ms, performance.now) per path, and the most requests in flight at once per path. */
  const arrivals = new Map<string, number[]>();
  const inFlight = new Map<string, { now: number; most: number }>();
  const answered429 = new Set<string>();

  beforeAll(async () => {
    savedAllow = process.env.APIQ_HTTP_ALLOW;
    process.env.APIQ_HTTP_ALLOW = '127.0.0.1/32';
    api = await startLocalServer(async (req, res) => {
      const path = (req.url ?? '/').split('?')[0]!;
      arrivals.set(path, [...(arrivals.get(path) ?? []), performance.now()]);
      const flight = inFlight.get(path) ?? { now: 0, most: 0 };
      inFlight.set(path, flight);
      flight.now++;
      flight.most = Math.max(flight.most, flight.now);
      res.on('finish', () => flight.now--);
      const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
        void res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
      if (path.startsWith('/slow')) await new Promise((r) => setTimeout(r, 150));
      if (path.startsWith('/busy') && !answered429.has(path)) {
        answered429.add(path);
        return json(429, { error: 'slow down' }, { 'retry-after': '1' });
      }
      if (path === '/always-429') return json(429, { error: 'slow down' }, { 'retry-after': '0' });
      if (path === '/broken') return json(500, { error: 'down' });
      json(200, { ok: true, path });
    });
    engine = await startTestEngine(server.url, { executor: false });
    const vault = await openVault({
      db: engine.db,
      env: { APIQ_MASTER_KEY: generateMasterKey().key.toString('base64') },
    });
    deps = { db: engine.db, vault, catalog: engine.catalog };
    const resolveCredentials = createCredentialResolver(deps);
    executors = [
      await engine.startExecutor({ resolveCredentials, concurrency: 10, circuitPublishMs: 100 }),
      await engine.startExecutor({ resolveCredentials, concurrency: 10, circuitPublishMs: 100 }),
    ];
    const log = createLogger({}, 'silent');
    const current: { handler?: ApiHandler } = {};
    web = await createApiqServer({
      db: engine.db,
      pool: engine.opened.pool,
      log,
      fallback: (req, res, next) => (current.handler ? current.handler(req, res, next) : next()),
    });
    handler = createApiHandler({
      db: engine.db,
      pool: engine.opened.pool,
      hub: web.hub,
      catalog: engine.catalog,
      log,
      vault,
    });
    current.handler = handler;
    base = `http://127.0.0.1:${await web.listen(0, '127.0.0.1')}`;
  });

  afterAll(async () => {
    await web?.close();
    await handler?.close();
    await engine?.close();
    await api?.close();
    if (savedAllow === undefined) delete process.env.APIQ_HTTP_ALLOW;
    else process.env.APIQ_HTTP_ALLOW = savedAllow;
  });

  const connection = async (name: string, limits: ConnectionLimits | null) =>
    (
      await createConnection(deps, WS, {
        name,
        kind: 'http_bearer',
        values: { token: `token-of-${name.replace(/\W/g, '-')}`, baseUrl: api.origin },
        limits,
      })
    ).id;

  /** A manual trigger and one call to `path` with the connection: an HTTP Request or an API Operation step. */
  const callWorkflow = (name: string, path: string, connectionId: string, via: 'http' | 'operation', extra = {}) => ({
    name,
    nodes: [
      { id: 'start', type: 'core.manual_trigger' },
      {
        id: 'call',
        ...(via === 'http'
          ? { type: 'core.http_request', params: { url: `${api.origin}${path}` } }
          : {
              type: 'api.operation',
              params: { operation: { operationId: 'call', method: 'GET', path, serverUrl: api.origin } },
            }),
        credentials: { http_bearer: connectionId },
        ...extra,
      },
    ],
    edges: [{ source: 'start', target: 'call' }],
  });

  /** Starts `count` runs at once, alternating between the saved workflows, and waits for them all. */
  async function runAll(workflows: unknown[], count: number): Promise<FinishedRun[]> {
    const saved = await Promise.all(workflows.map((w) => engine.save(w)));
    const runIds: string[] = [];
    for (let i = 0; i < count; i++) {
      const s = saved[i % saved.length]!;
      const { runId } = await enqueueRun(engine.db, {
        workflowId: s.workflowId,
        versionId: s.versionId,
        triggerKind: 'manual',
        triggerPayload: {},
      });
      runIds.push(runId);
    }
    // Waiting on all at once: the hub keeps a finished event only a few seconds for late waiters.
    await Promise.all(runIds.map((runId) => engine.waitFor(runId, ['finished'], 60_000)));
    return Promise.all(runIds.map((id) => readRun(engine.opened, id)));
  }

  it('spaces 3N requests of parallel steps on two executors at N per second, failing none', async () => {
    const n = 5;
    const id = await connection('Rate limited', { requestsPerSecond: n });
    const before = executors.map((e) => e.runsCompleted);
    const runs = await runAll(
      [
        callWorkflow('rate via http', '/rate', id, 'http'),
        callWorkflow('rate via operation', '/rate', id, 'operation'),
      ],
      3 * n,
    );
    expect(runs.map((r) => r.status)).toEqual(Array(3 * n).fill('succeeded'));
    expect(runs.map((r) => r.byStep.call?.attempt)).toEqual(Array(3 * n).fill(1));
    // Both executors ran some of them.
    executors.forEach((e, i) => expect(e.runsCompleted).toBeGreaterThan(before[i]!));

    const times = arrivals.get('/rate')!;
    expect(times).toHaveLength(3 * n);
    // No burst configured: one request every 1/N s, so 3N requests span (3N - 1)/N s.
    expect(times[times.length - 1]! - times[0]!).toBeGreaterThanOrEqual(2000);
    for (let i = 0; i + n < times.length; i++) expect(times[i + n]! - times[i]!).toBeGreaterThanOrEqual(800);
  });

  it('never lets more than `concurrency` requests of a connection be in flight at once', async () => {
    const id = await connection('Two at a time', { concurrency: 2 });
    const runs = await runAll(
      [
        callWorkflow('slow via http', '/slow', id, 'http'),
        callWorkflow('slow via operation', '/slow', id, 'operation'),
      ],
      10,
    );
    expect(runs.map((r) => r.status)).toEqual(Array(10).fill('succeeded'));
    expect(arrivals.get('/slow')).toHaveLength(10);
    expect(inFlight.get('/slow')!.most).toBe(2);
  });

  it('waits out a 429 with Retry-After and succeeds, without using up the step’s single attempt', async () => {
    const id = await connection('Plain', null);
    const [run] = await runAll([callWorkflow('busy once', '/busy-once', id, 'http')], 1);
    expect(run!.status).toBe('succeeded');
    const attempts = run!.steps.filter((s) => s.step_id === 'call');
    expect(attempts.map((s) => [s.attempt, s.status, (s.error as { kind?: string } | null)?.kind ?? null])).toEqual([
      [1, 'failed', 'rate_limited'],
      [2, 'succeeded', null],
    ]);
    const [first, second] = arrivals.get('/busy-once')!;
    expect(second! - first!).toBeGreaterThanOrEqual(1000);
  });

  it('holds back every step using the connection, on both executors, until the Retry-After has passed', async () => {
    const id = await connection('Backs off', { requestsPerSecond: 20 });
    const [viaHttp, viaOperation] = await Promise.all([
      engine.save(callWorkflow('busy shared via http', '/busy-shared', id, 'http')),
      engine.save(callWorkflow('busy shared via operation', '/busy-shared', id, 'operation')),
    ]);
    const start = (saved: { workflowId: string; versionId: string }) =>
      enqueueRun(engine.db, { ...saved, triggerKind: 'manual', triggerPayload: {} }).then((r) => r.runId);
    const first = await start(viaHttp);
    // Its step has failed with the 429 (and the back-off is recorded before the step fails).
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
      const failed = await engine.db
        .selectFrom('step_attempts')
        .select('id')
        .where('run_id', '=', first)
        .where('status', '=', 'failed')
        .executeTakeFirst();
      if (failed) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const others = [await start(viaHttp), await start(viaOperation), await start(viaOperation)];
    await Promise.all([first, ...others].map((runId) => engine.waitFor(runId, ['finished'], 30_000)));
    const runs = await Promise.all([first, ...others].map((runId) => readRun(engine.opened, runId)));
    expect(runs.map((r) => r.status)).toEqual(Array(4).fill('succeeded'));
    const [limited, ...rest] = arrivals.get('/busy-shared')!;
    expect(rest).toHaveLength(4);
    for (const t of rest) expect(t - limited!).toBeGreaterThanOrEqual(950);
  });

  it('stops retrying a step that is always rate-limited after the free rate-limited attempts and its own', async () => {
    const id = await connection('Always busy', null);
    const [run] = await runAll(
      [
        callWorkflow('always busy', '/always-429', id, 'http', {
          policy: { retry: { maxAttempts: 2, backoffMs: 10, maxBackoffMs: 20 } },
        }),
      ],
      1,
    );
    expect(run!.status).toBe('failed');
    expect(run!.byStep.call).toMatchObject({
      attempt: FREE_RATE_LIMITED_ATTEMPTS + 2,
      error: { kind: 'rate_limited' },
    });
    expect(arrivals.get('/always-429')).toHaveLength(FREE_RATE_LIMITED_ATTEMPTS + 2);
  });

  it('shows a connection’s circuit breaker as open after repeated 5xx from its host', async () => {
    const broken = await startLocalServer((_req, res) => void res.writeHead(500).end('down'));
    try {
      const created = await createConnection(deps, WS, {
        name: 'Broken API',
        kind: 'http_bearer',
        values: { token: 'broken-api-token', baseUrl: broken.origin },
      });
      const breakerOf = async () => {
        const res = await fetch(`${base}/api/v1/connections`);
        const { items } = (await res.json()) as { items: Array<{ id: string; breaker: unknown }> };
        return items.find((c) => c.id === created.id)?.breaker;
      };
      expect(await breakerOf()).toEqual({ state: 'closed', failures: 0, openUntil: null });
      // Five failing calls in one run (one executor, one client): the breaker's threshold.
      const graph = {
        name: 'five failing calls',
        nodes: [
          { id: 'start', type: 'core.manual_trigger' },
          { id: 'each', type: 'core.for_each', params: { items: { kind: 'expr', src: '$trigger.items' } } },
          {
            id: 'call',
            type: 'core.http_request',
            params: { url: `${broken.origin}/items` },
            credentials: { http_bearer: created.id },
            policy: { continueOnError: true },
          },
          { id: 'all', type: 'core.aggregate' },
        ],
        edges: [
          { source: 'start', target: 'each' },
          { source: 'each', sourcePort: 'item', target: 'call' },
          { source: 'call', target: 'all' },
        ],
      };
      const run = await engine.run(graph, { items: [1, 2, 3, 4, 5] });
      expect(run.status).toBe('succeeded');
      expect(broken.requests).toHaveLength(5);
      let breaker: unknown;
      for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
        breaker = await breakerOf();
        if ((breaker as { state?: string } | undefined)?.state === 'open') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(breaker).toMatchObject({ state: 'open', failures: 5, openUntil: expect.any(String) });
      expect(Date.parse((breaker as { openUntil: string }).openUntil)).toBeGreaterThan(Date.now());
    } finally {
      await broken.close();
    }
  });
});
