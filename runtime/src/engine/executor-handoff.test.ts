import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServers } from '@apiq/db/testing';
import { startTestEngine, type TestEngine } from '../testing/harness.ts';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { sql } from 'kysely';
import { enqueueRuns, recordHandedRun } from '../store/runs.ts';
import { executorChannel } from '../store/handoff.ts';
import type { SavedVersion } from '../store/workflows.ts';

// Runs handed straight to an executor (store/handoff.ts) start without a claim, wait for a free
// slot when all are busy, and are taken over by another executor when theirs is gone. Runs
// handed over unrecorded are inserted by the executor's first write, or, when their web process
// recorded them first, run once from the queue.
describe.each(testServers())('executor handoff on $name', ({ url }) => {
  let engine: TestEngine;
  let echo: SavedVersion;
  let held: SavedVersion;
  let upstream: Awaited<ReturnType<typeof startHoldingUpstream>>;
  beforeAll(async () => {
    process.env.APIQ_HTTP_ALLOW = '127.0.0.1/32';
    upstream = await startHoldingUpstream();
    engine = await startTestEngine(url, { executor: { concurrency: 1 } });
    held = await engine.save({
      name: 'held',
      nodes: [
        { id: 'start', type: 'core.manual_trigger' },
        { id: 'call', type: 'core.http_request', params: { url: upstream.url } },
      ],
      edges: [{ source: 'start', target: 'call' }],
    });
    echo = await engine.save({
      name: 'echo',
      nodes: [
        { id: 'start', type: 'core.manual_trigger' },
        { id: 'copy', type: 'core.set', params: { fields: { n: { kind: 'expr', src: '$trigger.n' } } } },
      ],
      edges: [{ source: 'start', target: 'copy' }],
    });
  });
  afterAll(async () => {
    await engine?.close();
    upstream?.close();
  });

  const awaited = (n: number) => ({ ...echo, triggerKind: 'manual', triggerPayload: { n }, awaited: true });
  /** Hands one run of `saved` to the engine's executor unrecorded; its id. */
  const handOverUnrecorded = async (saved: SavedVersion) => {
    const [result] = await enqueueRuns(
      engine.db,
      [{ ...saved, triggerKind: 'manual', triggerPayload: {}, awaited: true, deferInsert: true }],
      undefined,
      { executorId: engine.executors[0]!.id },
    );
    expect(result!.unrecorded).toBe(true);
    return result!.runId;
  };
  const finished = async (runIds: string[]) =>
    Promise.all(runIds.map((id) => engine.waitFor(id, ['finished'], 15_000)));
  const rowsOf = (runIds: string[]) =>
    engine.db
      .selectFrom('runs')
      .select(['id', 'status', 'output', 'lease_token', 'recoveries'])
      .where('id', 'in', runIds)
      .execute();

  it('runs handed-off runs without claiming them, one slot at a time', async () => {
    const executor = engine.executors[0]!;
    const results = await enqueueRuns(
      engine.db,
      Array.from({ length: 5 }, (_, i) => awaited(i)),
      undefined,
      { executorId: executor.id },
    );
    expect(results.every((r) => r.handedTo === executor.id)).toBe(true);
    const ids = results.map((r) => r.runId);
    const events = await finished(ids);
    expect(events.map((e) => e?.status)).toEqual(Array(5).fill('succeeded'));
    const rows = await rowsOf(ids);
    // A claim would have raised the fencing token from the handoff's 1.
    expect(rows.map((r) => r.lease_token)).toEqual([1, 1, 1, 1, 1]);
    expect(new Map(rows.map((r) => [r.id, r.output]))).toEqual(new Map(ids.map((id, i) => [id, { n: i }])));
    const attempts = await engine.db
      .selectFrom('step_attempts')
      .select(({ fn }) => ['run_id', fn.countAll<number>().as('n')])
      .where('run_id', 'in', ids)
      .where('step_id', '=', 'copy')
      .groupBy('run_id')
      .execute();
    expect(attempts.map((a) => Number(a.n))).toEqual([1, 1, 1, 1, 1]);
  });

  it('runs runs handed over unrecorded and records each with its first write', async () => {
    const executor = engine.executors[0]!;
    const results = await enqueueRuns(
      engine.db,
      Array.from({ length: 3 }, (_, i) => ({ ...awaited(10 + i), deferInsert: true })),
      undefined,
      { executorId: executor.id },
    );
    expect(results.every((r) => r.unrecorded && r.handedTo === executor.id)).toBe(true);
    const ids = results.map((r) => r.runId);
    const events = await finished(ids);
    expect(events.map((e) => e?.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    const rows = await engine.db
      .selectFrom('runs')
      .select(['id', 'status', 'output', 'lease_token', 'trigger_payload', 'created_at', 'started_at'])
      .where('id', 'in', ids)
      .execute();
    expect(new Map(rows.map((r) => [r.id, [r.output, r.trigger_payload, r.lease_token]]))).toEqual(
      new Map(ids.map((id, i) => [id, [{ n: 10 + i }, { n: 10 + i }, 1]])),
    );
    for (const r of rows) expect(r.started_at).toEqual(r.created_at);
  });

  it('records a run whose first write fails it, together with its error workflow run', async () => {
    const handler = await engine.save({
      name: 'on-error',
      nodes: [{ id: 'start', type: 'core.manual_trigger' }],
      edges: [],
    });
    const failing = await engine.save({
      name: 'fails',
      settings: { errorWorkflowId: handler.workflowId },
      nodes: [
        { id: 'start', type: 'core.manual_trigger' },
        { id: 'stop', type: 'core.stop_error', params: { message: 'nope' } },
      ],
      edges: [{ source: 'start', target: 'stop' }],
    });
    const runId = await handOverUnrecorded(failing);
    const [event] = await finished([runId]);
    expect(event?.status).toBe('failed');
    const [row] = await rowsOf([runId]);
    expect(row).toMatchObject({ status: 'failed', lease_token: 1 });
    // The error workflow's run points at the failed run, inserted in the same transaction.
    const child = () =>
      engine.db
        .selectFrom('runs')
        .select(['workflow_id', 'trigger_payload', 'status'])
        .where('parent_run_id', '=', runId)
        .executeTakeFirst();
    expect(await child()).toMatchObject({
      workflow_id: handler.workflowId,
      trigger_payload: { error: { message: 'nope' } },
    });
    // Settled before the next test counts this executor's finished runs.
    await expect.poll(async () => (await child())?.status).toBe('succeeded');
  });

  it('records a run whose first write parks it on a wait, and finishes it when the wait ends', async () => {
    const waits = await engine.save({
      name: 'waits',
      nodes: [
        { id: 'start', type: 'core.manual_trigger' },
        { id: 'pause', type: 'core.wait', params: { mode: 'duration', durationMs: 200 } },
        { id: 'after', type: 'core.set', params: { fields: { done: true } } },
      ],
      edges: [
        { source: 'start', target: 'pause' },
        { source: 'pause', target: 'after' },
      ],
    });
    const runId = await handOverUnrecorded(waits);
    const parked = await engine.waitFor(runId, ['waiting', 'finished']);
    expect(parked?.kind).toBe('waiting');
    const [event] = await finished([runId]);
    expect(event?.status).toBe('succeeded');
    const [row] = await rowsOf([runId]);
    // Recorded parked (token 1), then claimed again when its wait ended.
    expect(row).toMatchObject({ status: 'succeeded', output: { done: true }, lease_token: 2, recoveries: 0 });
  });

  it('runs a run once when its web process recorded it before the executor it was handed to did', async () => {
    const executor = engine.executors[0]!;
    const slow = 'slow:2:y';
    await engine.db.insertInto('executors').values({ id: slow, hostname: 'slow', pid: 2 }).execute();
    const listener = new pg.Client({ connectionString: engine.url });
    await listener.connect();
    const heard: string[] = [];
    listener.on('notification', (n) => heard.push(n.payload ?? ''));
    await listener.query(`LISTEN "${executorChannel(slow)}"`);
    try {
      const req = { ...awaited(7), deferInsert: true };
      const [result] = await enqueueRuns(engine.db, [req], undefined, { executorId: slow });
      expect(result!.unrecorded).toBe(true);
      await expect.poll(async () => (await listener.query('select 1'), heard.length)).toBe(1);
      // Its web process heard nothing in time: it records the run, queued, and an executor claims it.
      expect(await recordHandedRun(engine.db, result!.runId, req)).toBe(true);
      const [event] = await finished([result!.runId]);
      expect(event?.status).toBe('succeeded');
      const attempts = () =>
        engine.db
          .selectFrom('step_attempts')
          .select(['step_id', 'attempt', 'status', 'finished_at'])
          .where('run_id', '=', result!.runId)
          .orderBy('step_id')
          .execute();
      const recorded = await attempts();
      expect(recorded.map(({ step_id, attempt, status }) => ({ step_id, attempt, status }))).toEqual([
        { step_id: 'copy', attempt: 1, status: 'succeeded' },
        { step_id: 'start', attempt: 1, status: 'succeeded' },
      ]);
      // Only now does the handoff reach an executor, as if that one had been too slow to take it:
      // its run goes as far as its first write, which finds the run taken and writes nothing.
      const late = { ...JSON.parse(heard[0]!), lease_owner: executor.id };
      const before = executor.runsCompleted;
      await sql`select pg_notify(${executorChannel(executor.id)}, ${JSON.stringify(late)})`.execute(engine.db);
      await expect.poll(() => executor.runsCompleted, { timeout: 10_000 }).toBe(before + 1);
      const [row] = await rowsOf([result!.runId]);
      expect(row).toMatchObject({ status: 'succeeded', output: { n: 7 }, lease_token: 2, recoveries: 0 });
      expect(await attempts()).toEqual(recorded);
    } finally {
      await listener.end();
      await engine.db.deleteFrom('executors').where('id', '=', slow).execute();
    }
  });

  it('records unrecorded runs that wait for a slot at once, and queues them again when it stops', async () => {
    const waiting = await engine.startExecutor({ concurrency: 1 });
    const results = await enqueueRuns(
      engine.db,
      [1, 2, 3].map((n) => ({
        ...held,
        triggerKind: 'manual',
        triggerPayload: { n },
        awaited: true,
        deferInsert: true,
      })),
      undefined,
      { executorId: waiting.id },
    );
    expect(results.every((r) => r.unrecorded)).toBe(true);
    const ids = results.map((r) => r.runId);
    // One run holds the only slot in its HTTP step; the other two wait, recorded and leased.
    const release = await upstream.firstHold;
    const recorded = () =>
      engine.db.selectFrom('runs').select(['status', 'lease_owner']).where('id', 'in', ids).execute();
    await expect.poll(async () => (await recorded()).length).toBe(3);
    expect(await recorded()).toEqual(Array(3).fill({ status: 'running', lease_owner: waiting.id }));
    const stopped = waiting.stop(5_000);
    release();
    await stopped;
    const events = await finished(ids);
    expect(events.map((e) => e?.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    const rows = await rowsOf(ids);
    expect(rows.every((r) => r.recoveries === 0)).toBe(true);
    // The one that ran kept its handoff's token; the two queued again at the stop were claimed.
    expect(rows.map((r) => r.lease_token).sort()).toEqual([1, 2, 2]);
  });

  it('takes over a run handed to an executor that is gone once its short lease runs out', async () => {
    // Registered (a fresh heartbeat) but nobody listens: as if it died right after its last beat.
    await engine.db.insertInto('executors').values({ id: 'gone:1:x', hostname: 'gone', pid: 1 }).execute();
    const [result] = await enqueueRuns(engine.db, [awaited(42)], undefined, { executorId: 'gone:1:x', leaseMs: 300 });
    expect(result!.handedTo).toBe('gone:1:x');
    const [event] = await finished([result!.runId]);
    expect(event?.status).toBe('succeeded');
    const [row] = await rowsOf([result!.runId]);
    expect(row).toMatchObject({ output: { n: 42 }, lease_token: 2, recoveries: 1 });
  });
});

/** An upstream that holds its first request until the test releases it and answers the others at once. */
async function startHoldingUpstream() {
  let hold: ((release: () => void) => void) | undefined;
  const firstHold = new Promise<() => void>((resolve) => (hold = resolve));
  const server = createServer((_req, res) => {
    const answer = () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    if (hold) {
      hold(answer);
      hold = undefined;
    } else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, firstHold, close: () => server.close() };
}
