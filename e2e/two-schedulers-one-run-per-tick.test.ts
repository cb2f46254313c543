import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { testServers } from '@apiq/db/testing';
import { Scheduler } from '@apiq/runtime';
import { startTestEngine, type TestEngine } from '@apiq/runtime/testing';
import { waitUntil } from './support/executor-process.ts';

const lastNewYear = () => new Date(Date.UTC(new Date().getUTCFullYear(), 0, 1));

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
    await waitUntil(
      async () => (schedulers.every((s) => s.ticksSeen >= 3) ? true : undefined),
      'three ticks seen by both schedulers',
      20_000,
    );
    await Promise.all(schedulers.map((s) => s.stop()));

    const ticks = await engine.db.selectFrom('schedule_ticks').selectAll().execute();
    const runs = await engine.db
      .selectFrom('runs')
      .select(['id', 'trigger_payload'])
      .where('workflow_id', '=', saved.workflowId)
      .execute();
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    expect(runs).toHaveLength(ticks.length);
    expect(schedulers[0]!.fired + schedulers[1]!.fired).toBe(ticks.length);
    expect(new Set(ticks.map((t) => t.run_id))).toEqual(new Set(runs.map((r) => r.id)));
    const perTick = await sql<{
      n: number;
    }>`select count(*)::int as n from runs r join schedule_ticks t on t.run_id = r.id group by t.tick_at having count(*) > 1`.execute(
      engine.db,
    );
    expect(perTick.rows).toEqual([]);
    const scheduled = runs.map((r) => (r.trigger_payload as { scheduledAt: string }).scheduledAt).sort();
    expect(new Set(scheduled).size).toBe(scheduled.length);
  });

  it('runs the latest missed tick once at start when missedTicks is run_once, and skips it otherwise', async () => {
    const yearly = (name: string, missedTicks: string) => ({
      name,
      nodes: [{ id: 'tick', type: 'core.schedule_trigger', params: { cron: '0 0 1 1 *', missedTicks } }],
      edges: [],
    });
    const catchUp = await engine.save(yearly('catch up', 'run_once'), { activate: true });
    const skip = await engine.save(yearly('skip', 'skip'), { activate: true });
    const twoYearsAgo = new Date(Date.UTC(new Date().getUTCFullYear() - 2, 0, 1));
    for (const saved of [catchUp, skip]) {
      const schedule = await engine.db
        .selectFrom('schedules')
        .select('id')
        .where('workflow_id', '=', saved.workflowId)
        .executeTakeFirstOrThrow();
      await engine.db
        .insertInto('schedule_ticks')
        .values({ schedule_id: schedule.id, tick_at: twoYearsAgo, run_id: null })
        .execute();
    }
    const pair = [
      new Scheduler({ db: engine.db, pool: engine.opened.pool }),
      new Scheduler({ db: engine.db, pool: engine.opened.pool }),
    ];
    await Promise.all(pair.map((s) => s.start()));
    await Promise.all(pair.map((s) => s.stop()));
    const runsOf = (workflowId: string) =>
      engine.db.selectFrom('runs').select('trigger_payload').where('workflow_id', '=', workflowId).execute();
    const caught = await runsOf(catchUp.workflowId);
    expect(caught).toHaveLength(1);
    expect((caught[0]!.trigger_payload as { scheduledAt: string }).scheduledAt).toBe(lastNewYear().toISOString());
    expect(await runsOf(skip.workflowId)).toHaveLength(0);
  });
});
