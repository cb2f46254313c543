import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServers } from '@apiq/db/testing';
import { startTestEngine, type TestEngine } from '../testing/harness.ts';
import { EnqueueBatcher, enqueueRuns } from './runs.ts';

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
});
