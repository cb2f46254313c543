import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServers } from '@apiq/db/testing';
import { startTestEngine, type TestEngine } from '../testing/harness.ts';
import pg from 'pg';
import { EnqueueBatcher, enqueueRuns, recordHandedRun } from './runs.ts';
import { executorChannel, parseHandoff } from './handoff.ts';

describe.each(testServers())('enqueueing runs on $name', ({ url }) => {
  let engine: TestEngine;
  let target: { workflowId: string; versionId: string };
  beforeAll(async () => {
    engine = await startTestEngine(url, { executor: false });
    target = await engine.save({ name: 'target', nodes: [{ id: 'start', type: 'core.manual_trigger' }], edges: [] });
  });
  afterAll(async () => {
    await engine?.close();
  });

  const req = (n: number, idempotencyKey?: string) => ({
    ...target,
    triggerKind: 'manual',
    triggerPayload: { n },
    ...(idempotencyKey ? { idempotencyKey } : {}),
  });

  it('creates many runs in one statement, one per idempotency key even within a batch', async () => {
    const results = await enqueueRuns(engine.db, [req(1), req(2, 'k1'), req(3, 'k1'), req(4)]);
    expect(results.map((r) => r.created)).toEqual([true, true, false, true]);
    expect(results[2]!.runId).toBe(results[1]!.runId);
    const again = await enqueueRuns(engine.db, [req(5, 'k1')]);
    expect(again).toEqual([{ runId: results[1]!.runId, created: false }]);
    const stored = await engine.db
      .selectFrom('runs')
      .select(['id', 'trigger_payload', 'status'])
      .where(
        'id',
        'in',
        results.map((r) => r.runId),
      )
      .execute();
    expect(stored).toHaveLength(3);
    expect(stored.every((r) => r.status === 'queued')).toBe(true);
  });

  it('batches concurrent enqueues and gives each caller its own run', async () => {
    const batcher = new EnqueueBatcher(engine.db);
    const results = await Promise.all(Array.from({ length: 25 }, (_, i) => batcher.enqueue(req(100 + i))));
    expect(new Set(results.map((r) => r.runId)).size).toBe(25);
    const rows = await engine.db
      .selectFrom('runs')
      .select(['id', 'trigger_payload'])
      .where(
        'id',
        'in',
        results.map((r) => r.runId),
      )
      .execute();
    const byId = new Map(rows.map((r) => [r.id, (r.trigger_payload as { n: number }).n]));
    expect(results.map((r) => byId.get(r.runId))).toEqual(Array.from({ length: 25 }, (_, i) => 100 + i));
  });
  describe('handing awaited runs to an executor', () => {
    let listener: pg.Client;
    const heard: string[] = [];
    const executorId = 'test-host:1:handoff';
    beforeAll(async () => {
      await engine.db.insertInto('executors').values({ id: executorId, hostname: 'test-host', pid: 1 }).execute();
      listener = new pg.Client({ connectionString: engine.url });
      await listener.connect();
      listener.on('notification', (n) => heard.push(n.payload ?? ''));
      await listener.query(`LISTEN "${executorChannel(executorId)}"`);
    });
    afterAll(async () => {
      await listener?.end();
    });
    /** The notifications heard once `n` have arrived (a round trip on the listener flushes them). */
    const announced = async (n: number) => {
      await expect.poll(async () => (await listener.query('select 1'), heard.length)).toBeGreaterThanOrEqual(n);
      return heard.splice(0);
    };

    it('inserts them leased to a live executor and announces each with its row on its channel', async () => {
      const results = await enqueueRuns(
        engine.db,
        [
          { ...req(1), awaited: true },
          { ...req(2), awaited: false },
        ],
        undefined,
        { executorId },
      );
      expect(results[0]).toMatchObject({ created: true, handedTo: executorId });
      expect(results[1]!.handedTo).toBeUndefined();
      const rows = await engine.db
        .selectFrom('runs')
        .select(['id', 'status', 'lease_owner', 'lease_token', 'started_at', 'created_at', 'lease_until'])
        .where('id', 'in', [results[0]!.runId, results[1]!.runId])
        .execute();
      const handed = rows.find((r) => r.id === results[0]!.runId)!;
      expect(handed).toMatchObject({ status: 'running', lease_owner: executorId, lease_token: 1 });
      expect(handed.started_at).toEqual(handed.created_at);
      expect(handed.lease_until!.getTime() - handed.created_at.getTime()).toBe(5000);
      expect(rows.find((r) => r.id === results[1]!.runId)).toMatchObject({ status: 'queued', lease_owner: null });

      const [payload] = await announced(1);
      const handoff = parseHandoff(payload!);
      expect(handoff && 'run' in handoff ? handoff.run : undefined).toMatchObject({
        id: results[0]!.runId,
        status: 'running',
        lease_owner: executorId,
        lease_token: 1,
        trigger_payload: { n: 1 },
        created_at: handed.created_at,
      });
    });

    it('announces runs that may be recorded later without inserting them, and inserts the rest', async () => {
      const results = await enqueueRuns(
        engine.db,
        [
          { ...req(10), awaited: true, deferInsert: true },
          { ...req(11, 'k-deferred'), awaited: true, deferInsert: true },
          { ...req(12), awaited: true },
        ],
        undefined,
        { executorId },
      );
      expect(results[0]).toMatchObject({ created: true, handedTo: executorId, unrecorded: true });
      // An idempotency key needs the row for its deduplication; the third did not allow it.
      expect(results[1]).toMatchObject({ created: true, handedTo: executorId });
      expect(results[2]).toMatchObject({ created: true, handedTo: executorId });
      expect(results[1]!.unrecorded).toBeUndefined();
      expect(results[2]!.unrecorded).toBeUndefined();
      const stored = await engine.db
        .selectFrom('runs')
        .select('id')
        .where(
          'id',
          'in',
          results.map((r) => r.runId),
        )
        .execute();
      expect(stored.map((r) => r.id).sort()).toEqual([results[1]!.runId, results[2]!.runId].sort());

      const handoffs = (await announced(3)).map((p) => parseHandoff(p));
      const deferred = handoffs.find((h) => h && 'run' in h && h.run.id === results[0]!.runId);
      expect(deferred).toMatchObject({
        unrecorded: true,
        run: { status: 'running', lease_owner: executorId, lease_token: 1, trigger_payload: { n: 10 } },
      });
      const run = deferred && 'run' in deferred ? deferred.run : undefined;
      expect(run?.created_at).toBeInstanceOf(Date);
      expect(run?.started_at).toEqual(run?.created_at);
      expect(run?.lease_until!.getTime()).toBe(run!.created_at.getTime() + 5000);
      expect(handoffs.filter((h) => h && 'run' in h && h.unrecorded)).toHaveLength(1);
    });

    it('records a run handed over unrecorded, once, when its caller heard nothing of it', async () => {
      const [result] = await enqueueRuns(engine.db, [{ ...req(13), awaited: true, deferInsert: true }], undefined, {
        executorId,
      });
      await announced(1);
      expect(await recordHandedRun(engine.db, result!.runId, { ...req(13) })).toBe(true);
      expect(await recordHandedRun(engine.db, result!.runId, { ...req(13) })).toBe(false);
      const row = await engine.db
        .selectFrom('runs')
        .select(['status', 'lease_owner', 'lease_token', 'trigger_payload'])
        .where('id', '=', result!.runId)
        .executeTakeFirst();
      // Queued with token 1, so a claim (token 2) fences out a late first write of the executor.
      expect(row).toEqual({ status: 'queued', lease_owner: null, lease_token: 1, trigger_payload: { n: 13 } });
    });

    it('inserts a run that may be recorded later when its row is too large to announce', async () => {
      const big = { ...req(14), triggerPayload: { text: 'x'.repeat(10_000) }, awaited: true, deferInsert: true };
      const [result] = await enqueueRuns(engine.db, [big], undefined, { executorId });
      expect(result).toMatchObject({ created: true, handedTo: executorId });
      expect(result!.unrecorded).toBeUndefined();
      const [payload] = await announced(1);
      expect(parseHandoff(payload!)).toEqual({ runId: result!.runId });
    });

    it('inserts runs that may be recorded later when the database renders one too large to announce', async () => {
      // Small as JSON, but PostgreSQL's text form of the row adds a space after every comma.
      const spaced = { ...req(15), triggerPayload: { zeros: Array(3000).fill(0) }, awaited: true, deferInsert: true };
      const results = await enqueueRuns(
        engine.db,
        [spaced, { ...req(16), awaited: true, deferInsert: true }],
        undefined,
        { executorId },
      );
      expect(results.map((r) => [r.handedTo, r.unrecorded])).toEqual([
        [executorId, undefined],
        [executorId, undefined],
      ]);
      const handoffs = (await announced(2)).map((p) => parseHandoff(p));
      expect(handoffs).toContainEqual({ runId: results[0]!.runId });
    });

    it('announces a run too large for a notification by its id', async () => {
      const big = { ...req(3), triggerPayload: { text: 'x'.repeat(10_000) }, awaited: true };
      const [result] = await enqueueRuns(engine.db, [big], undefined, { executorId });
      expect(result!.handedTo).toBe(executorId);
      const [payload] = await announced(1);
      expect(parseHandoff(payload!)).toEqual({ runId: result!.runId });
    });

    it('queues them when the executor has not been heard of lately', async () => {
      await engine.db
        .updateTable('executors')
        .set({ heartbeat_at: new Date(Date.now() - 120_000) })
        .where('id', '=', executorId)
        .execute();
      const [result, deferrable] = await enqueueRuns(
        engine.db,
        [
          { ...req(4), awaited: true },
          { ...req(5), awaited: true, deferInsert: true },
        ],
        undefined,
        { executorId },
      );
      expect(result!.handedTo).toBeUndefined();
      expect(deferrable).toEqual({ runId: deferrable!.runId, created: true });
      expect(
        await engine.db.selectFrom('runs').select('status').where('id', '=', deferrable!.runId).executeTakeFirst(),
      ).toEqual({ status: 'queued' });
      const row = await engine.db
        .selectFrom('runs')
        .select('status')
        .where('id', '=', result!.runId)
        .executeTakeFirst();
      expect(row?.status).toBe('queued');
      await engine.db.updateTable('executors').set({ heartbeat_at: new Date() }).where('id', '=', executorId).execute();
    });
  });
});
