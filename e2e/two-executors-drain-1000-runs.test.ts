import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { testServers } from '@apiq/db/testing';
import { enqueueRun } from '@apiq/runtime';
import { startTestEngine, type TestEngine } from '@apiq/runtime/testing';
import { startExecutorProcess, waitUntil, type ExecutorProcess } from './support/executor-process.ts';

// Two executor processes share one queue of 1,000 runs: every run completes exactly once and
// no step ever has two successful attempts.
describe('two executors and 1,000 queued runs', () => {
  const server = testServers()[0]!;
  let engine: TestEngine;
  const executors: ExecutorProcess[] = [];

  beforeAll(async () => {
    engine = await startTestEngine(server.url, { executor: false });
  });

  afterAll(async () => {
    await Promise.all(executors.map((e) => e.kill('SIGTERM')));
    await engine?.close();
  });

  it('completes every run once', async () => {
    const saved = await engine.save({
      name: 'bulk',
      nodes: [
        { id: 'start', type: 'core.manual_trigger' },
        { id: 'double', type: 'core.set', params: { fields: { doubled: { kind: 'expr', src: '$trigger.n * 2' } } } },
        { id: 'check', type: 'core.if', params: { condition: { '>': [{ var: 'input.doubled' }, 999] } } },
        { id: 'big', type: 'core.set', params: { fields: { size: 'big' } } },
        { id: 'small', type: 'core.set', params: { fields: { size: 'small' } } },
      ],
      edges: [
        { source: 'start', target: 'double' },
        { source: 'double', target: 'check' },
        { source: 'check', sourcePort: 'true', target: 'big' },
        { source: 'check', sourcePort: 'false', target: 'small' },
      ],
    });
    for (let batch = 0; batch < 10; batch++) {
      await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          enqueueRun(engine.db, {
            workflowId: saved.workflowId,
            versionId: saved.versionId,
            triggerKind: 'manual',
            triggerPayload: { n: batch * 100 + i },
          }),
        ),
      );
    }
    for (let i = 0; i < 2; i++) executors.push(startExecutorProcess(engine.url));
    await Promise.all(executors.map((e) => e.ready));

    const counts = await waitUntil(
      async () => {
        const rows = await engine.db
          .selectFrom('runs')
          .select(['status', sql<number>`count(*)::int`.as('n')])
          .groupBy('status')
          .execute();
        const byStatus = Object.fromEntries(rows.map((r) => [r.status, r.n]));
        return (byStatus.succeeded ?? 0) + (byStatus.failed ?? 0) + (byStatus.dead ?? 0) === 1000
          ? byStatus
          : undefined;
      },
      'all 1,000 runs to finish',
      120_000,
    );
    expect(counts).toEqual({ succeeded: 1000 });

    const doubles = await sql<{ n: number }>`
      select count(*)::int as n from (
        select run_id, step_id, iteration from step_attempts where status = 'succeeded'
        group by run_id, step_id, iteration having count(*) > 1) d`.execute(engine.db);
    expect(doubles.rows[0]?.n).toBe(0);
    const perRun = await sql<{ steps: number; runs: number }>`
      select steps, count(*)::int as runs from (select run_id, count(*)::int as steps from step_attempts group by run_id) s group by steps`.execute(
      engine.db,
    );
    expect(perRun.rows).toEqual([{ steps: 5, runs: 1000 }]);
    const outputs = await sql<{
      size: string;
      n: number;
    }>`select output->>'size' as size, count(*)::int as n from runs group by 1 order by 1`.execute(engine.db);
    expect(outputs.rows).toEqual([
      { size: 'big', n: 500 },
      { size: 'small', n: 500 },
    ]);
  });
});
