import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServers } from '@apiq/db/testing';
import { startTestEngine, type TestEngine } from '../testing/harness.ts';
import { DEFAULT_WORKSPACE_ID, type Run } from '@apiq/db';
import { claimQueuedRuns, enqueueRuns, heartbeat, recordHandedRun } from '../store/runs.ts';
import { commitWrites, commitWritesQuery, LeaseLostError, WriteBatcher, type StepRow } from './step-writer.ts';

describe.each(testServers())('batched run writes on $name', ({ url }) => {
  let engine: TestEngine;
  beforeAll(async () => {
    engine = await startTestEngine(url, { executor: false });
  });
  afterAll(async () => {
    await engine?.close();
  });

  const row = (stepId: string, attempt = 1): StepRow => ({
    step_id: stepId,
    iteration: '',
    attempt,
    status: 'succeeded',
    node_type: 'core.no_op',
    input: null,
    output: { step: stepId },
    ports: ['main'],
    error: null,
    logs: null,
    started_at: new Date().toISOString(),
    finished_at: new Date().toISOString(),
    duration_ms: 0,
  });

  it('commits the writes of many runs together and refuses only the fenced-out one', async () => {
    const saved = await engine.save({ name: 'w', nodes: [{ id: 'start', type: 'core.manual_trigger' }], edges: [] });
    await enqueueRuns(
      engine.db,
      Array.from({ length: 4 }, () => ({ ...saved, triggerKind: 'manual', triggerPayload: {} })),
    );
    const claimed = await claimQueuedRuns(engine.db, { owner: 'me', leaseMs: 60_000, limit: 4 });
    expect(claimed).toHaveLength(4);
    const writer = new WriteBatcher(engine.db);
    const fence = (i: number, token = Number(claimed[i]!.lease_token)) => ({
      runId: claimed[i]!.id,
      owner: 'me',
      token,
    });
    const results = await Promise.allSettled([
      writer.write({
        fence: fence(0),
        rows: [row('a')],
        change: { status: 'succeeded', output: 1, finished: true, release: true },
      }),
      writer.write({ fence: fence(1), rows: [row('a')] }),
      writer.write({ fence: fence(1), rows: [row('b')], change: { status: 'succeeded', output: 2, release: true } }),
      writer.write({ fence: fence(2, 99), rows: [row('a')], change: { status: 'failed' } }),
      writer.write({ fence: fence(3), rows: [], change: { state: { note: 'x' } } }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((results[3] as PromiseRejectedResult).reason).toBeInstanceOf(LeaseLostError);
    const runs = await engine.db
      .selectFrom('runs')
      .select(['id', 'status', 'output', 'state', 'lease_owner'])
      .where(
        'id',
        'in',
        claimed.map((c) => c.id),
      )
      .execute();
    const byId = new Map(runs.map((r) => [r.id, r]));
    expect(byId.get(claimed[0]!.id)).toMatchObject({ status: 'succeeded', output: 1, lease_owner: null });
    expect(byId.get(claimed[1]!.id)).toMatchObject({ status: 'succeeded', output: 2, lease_owner: null });
    expect(byId.get(claimed[2]!.id)).toMatchObject({ status: 'running', lease_owner: 'me' });
    expect(byId.get(claimed[3]!.id)).toMatchObject({ status: 'running', state: { note: 'x' } });
    const steps = await engine.db
      .selectFrom('step_attempts')
      .select(['run_id', 'step_id'])
      .where(
        'run_id',
        'in',
        claimed.map((c) => c.id),
      )
      .execute();
    expect(steps.map((s) => `${claimed.findIndex((c) => c.id === s.run_id)}:${s.step_id}`).sort()).toEqual([
      '0:a',
      '1:a',
      '1:b',
    ]);
  });

  it('records runs handed over unrecorded with their first write, unless their web process did first', async () => {
    const saved = await engine.save({ name: 'u', nodes: [{ id: 'start', type: 'core.manual_trigger' }], edges: [] });
    const createdAt = new Date(Date.now() - 60_000);
    const unrecorded = (n: number): Run =>
      ({
        id: crypto.randomUUID(),
        workspace_id: DEFAULT_WORKSPACE_ID,
        workflow_id: saved.workflowId,
        version_id: saved.versionId,
        status: 'running',
        trigger_kind: 'webhook',
        trigger_payload: { n },
        lease_owner: 'me',
        lease_token: 1,
        recoveries: 0,
        state: null,
        created_at: createdAt,
        started_at: createdAt,
      }) as unknown as Run;
    const [a, b, c] = [unrecorded(1), unrecorded(2), unrecorded(3)];
    const fenceOf = (run: Run) => ({ runId: run.id, owner: 'me', token: 1, record: { run, leaseMs: 60_000 } });
    const [fa, fb, fc] = [fenceOf(a), fenceOf(b), fenceOf(c)];
    expect(await recordHandedRun(engine.db, c.id, { ...saved, triggerKind: 'webhook', triggerPayload: { n: 3 } })).toBe(
      true,
    );
    const writer = new WriteBatcher(engine.db);
    const first = await Promise.allSettled([
      writer.write({ fence: fa, rows: [{ ...row('a'), status: 'running', output: null }], relaxed: true }),
      writer.write({
        fence: fb,
        rows: [row('a')],
        change: {
          status: 'succeeded',
          output: 'b',
          response: { status: 201, body: 'b' },
          finished: true,
          release: true,
        },
      }),
      writer.write({ fence: fc, rows: [row('a')], change: { status: 'succeeded', output: 'c' } }),
    ]);
    expect(first.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    expect(String((first[2] as PromiseRejectedResult).reason)).toMatch(/recorded and queued by the web process/);
    // Recorded once: later writes of the run are plain fenced updates.
    expect([fa.record, fb.record]).toEqual([undefined, undefined]);
    expect(fc.record).toBeDefined();
    await writer.write({ fence: fa, rows: [row('a')], change: { status: 'succeeded', output: 'a', release: true } });

    const runs = await engine.db.selectFrom('runs').selectAll().where('id', 'in', [a.id, b.id, c.id]).execute();
    const byId = new Map(runs.map((r) => [r.id, r]));
    expect(byId.get(a.id)).toMatchObject({
      status: 'succeeded',
      output: 'a',
      trigger_payload: { n: 1 },
      lease_token: 1,
      lease_owner: null,
      created_at: createdAt,
      started_at: createdAt,
    });
    expect(byId.get(b.id)).toMatchObject({
      status: 'succeeded',
      output: 'b',
      response: { status: 201, body: 'b' },
      lease_owner: null,
      lease_until: null,
    });
    expect(byId.get(b.id)!.finished_at).toBeInstanceOf(Date);
    expect(byId.get(c.id)).toMatchObject({ status: 'queued', output: null, lease_owner: null, lease_token: 1 });
    const steps = await engine.db
      .selectFrom('step_attempts')
      .select(['run_id', 'status'])
      .where('run_id', 'in', [a.id, b.id, c.id])
      .execute();
    expect(steps.map((s) => [[a.id, b.id, c.id].indexOf(s.run_id), s.status]).sort()).toEqual([
      [0, 'succeeded'],
      [1, 'succeeded'],
    ]);
  });

  it('never deadlocks when batched writes and heartbeats lock the same runs at once', async () => {
    const saved = await engine.save({ name: 'busy', nodes: [{ id: 'start', type: 'core.manual_trigger' }], edges: [] });
    await enqueueRuns(
      engine.db,
      Array.from({ length: 40 }, () => ({ ...saved, triggerKind: 'manual', triggerPayload: {} })),
    );
    const claimed = await claimQueuedRuns(engine.db, { owner: 'busy-owner', leaseMs: 60_000, limit: 40 });
    expect(claimed).toHaveLength(40);
    const fences = claimed.map((c) => ({ runId: c.id, owner: 'busy-owner', token: Number(c.lease_token) }));
    // Each batch names the runs in a different order; heartbeats lock all of them meanwhile.
    const shuffled = (seed: number) =>
      [...fences].sort((a, b) => (a.runId.charCodeAt(seed % 36) ^ seed) - (b.runId.charCodeAt(seed % 36) ^ seed));
    const work: Promise<unknown>[] = [];
    for (let i = 0; i < 30; i++) {
      work.push(
        commitWrites(
          engine.db,
          shuffled(i).map((fence) => ({ fence, rows: [], change: { state: { round: i } } })),
        ),
      );
      work.push(heartbeat(engine.db, 'busy-owner', 60_000));
    }
    const results = await Promise.allSettled(work);
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
  });
  it('plans its write through the primary key even on an empty runs table', async () => {
    // A prepared statement keeps the generic plan it got first; one made on a near-empty table
    // with a sequential scan would read the whole, growing, runs table on every later write.
    const fresh = await startTestEngine(url, { executor: false });
    const client = await fresh.opened.pool.connect();
    try {
      const query = commitWritesQuery([
        {
          fence: { runId: crypto.randomUUID(), owner: 'me', token: 1 },
          rows: [row('a')],
          change: { status: 'succeeded' },
        },
      ]).compile(fresh.db);
      // EXPLAIN EXECUTE takes its arguments as literals, not as bound parameters.
      const literal = (v: unknown) =>
        client.escapeLiteral(Array.isArray(v) ? `{${v.join(',')}}` : typeof v === 'string' ? v : JSON.stringify(v));
      const genericPlan = async () => {
        await client.query(`prepare planned_write as ${query.sql}`);
        const { rows } = await client.query<{ 'QUERY PLAN': string }>(
          `explain (costs off) execute planned_write(${query.parameters.map(literal).join(', ')})`,
        );
        await client.query('deallocate planned_write');
        return rows.map((r) => r['QUERY PLAN']).join('\n');
      };
      await client.query('set plan_cache_mode = force_generic_plan');
      // The engine's connections (ENGINE_SESSION_SETTINGS) rule out sequential scans...
      const engines = await genericPlan();
      expect(engines).toMatch(/Index Scan using runs_pkey on runs r\b|Bitmap Heap Scan on runs r\b/);
      expect(engines).not.toMatch(/Seq Scan on runs/);
      // ...which the planner picks on this empty table otherwise.
      await client.query('set enable_seqscan = on');
      expect(await genericPlan()).toMatch(/Seq Scan on runs r\b/);
    } finally {
      await client.query('reset all').catch(() => {});
      client.release();
      await fresh.close();
    }
  });
});
