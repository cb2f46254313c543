import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServers } from '@apiq/db/testing';
import { startTestEngine, type TestEngine } from '../testing/harness.ts';
import { enqueueRuns } from '../store/runs.ts';
import type { SavedVersion } from '../store/workflows.ts';

// Runs handed straight to an executor (store/handoff.ts) start without a claim, wait for a free
// slot when all are busy, and are taken over by another executor when theirs is gone.
describe.each(testServers())('executor handoff on $name', ({ url }) => {
  let engine: TestEngine;
  let echo: SavedVersion;
  beforeAll(async () => {
    engine = await startTestEngine(url, { executor: { concurrency: 1 } });
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
  });

  const awaited = (n: number) => ({ ...echo, triggerKind: 'manual', triggerPayload: { n }, awaited: true });
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
