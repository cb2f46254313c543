import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { testServers } from '@apiq/db/testing';
import { Scheduler } from '@apiq/runtime';
import { startTestEngine, type TestEngine } from '@apiq/runtime/testing';
import { waitUntil } from './support/executor-process.ts';

// Two scheduler instances fire the same every-second schedule; the database lets exactly one
// of them create the run for each tick.
describe('two schedulers, one cron schedule', () => {
  const server = testServers()[0]!;
  let engine: TestEngine;
  const schedulers: Scheduler[] = [];

  beforeAll(async () => {
    engine = await startTestEngine(server.url);
  });

  afterAll(async () => {
    await Promise.all(schedulers.map((s) => s.stop()));
    await engine?.close();
  });

  it('creates exactly one run per tick', async () => {
    const saved = await engine.save(
      {
        name: 'every second',
        nodes: [
          { id: 'tick', type: 'core.schedule_trigger', params: { cron: '* * * * * *' } },
          { id: 'stamp', type: 'core.set', params: { fields: { at: { kind: 'expr', src: '$trigger.scheduledAt' } } } },
        ],
        edges: [{ source: 'tick', target: 'stamp' }],
      },
      { activate: true },
    );
    for (let i = 0; i < 2; i++) {
      const s = new Scheduler({ db: engine.db, pool: engine.opened.pool });
      await s.start();
      schedulers.push(s);
    }
    await waitUntil(async () => (schedulers.every((s) => s.ticksSeen >= 3) ? true : undefined), 'three ticks seen by both schedulers', 20_000);
    await Promise.all(schedulers.map((s) => s.stop()));

    const ticks = await engine.db.selectFrom('schedule_ticks').selectAll().execute();
    const runs = await engine.db.selectFrom('runs').select(['id', 'trigger_payload']).where('workflow_id', '=', saved.workflowId).execute();
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    expect(runs).toHaveLength(ticks.length);
    expect(schedulers[0]!.fired + schedulers[1]!.fired).toBe(ticks.length);
    expect(new Set(ticks.map((t) => t.run_id))).toEqual(new Set(runs.map((r) => r.id)));
    const perTick = await sql<{ n: number }>`select count(*)::int as n from runs r join schedule_ticks t on t.run_id = r.id group by t.tick_at having count(*) > 1`.execute(engine.db);
    expect(perTick.rows).toEqual([]);
    const scheduled = runs.map((r) => (r.trigger_payload as { scheduledAt: string }).scheduledAt).sort();
    expect(new Set(scheduled).size).toBe(scheduled.length);
  });
});
