import { sql, type Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { jsonb } from './jsonb.ts';
import {
  DEFAULT_RETENTION,
  getRetentionSettings,
  pruneRuns,
  pruneScheduleTicks,
  setRetentionSettings,
} from './retention.ts';
import { DEFAULT_WORKSPACE_ID, type Database, type RunStatus } from './schema.ts';
import { createTestDatabase, insertTestWorkflow, testServers } from './testing/index.ts';

const createWorkflow = insertTestWorkflow;

/** Inserts runs created `ageDays` ago (finished then too, when finished). */
async function addRuns(
  db: Kysely<Database>,
  wf: { workflowId: string; versionId: string },
  statuses: RunStatus[],
  ageDays: number,
) {
  const finished = (s: RunStatus) => ['succeeded', 'failed', 'cancelled', 'dead'].includes(s);
  const rows = await db
    .insertInto('runs')
    .values(
      statuses.map((status, i) => ({
        workspace_id: DEFAULT_WORKSPACE_ID,
        workflow_id: wf.workflowId,
        version_id: wf.versionId,
        status,
        trigger_kind: 'manual',
        trigger_payload: jsonb({ i }),
        // Spread over the day so ordering by creation is unambiguous.
        created_at: sql<Date>`now() - make_interval(days => ${ageDays}) + make_interval(secs => ${i})` as never,
        finished_at: finished(status)
          ? (sql<Date>`now() - make_interval(days => ${ageDays}) + make_interval(secs => ${i + 1})` as never)
          : null,
      })),
    )
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

async function remainingIds(db: Kysely<Database>): Promise<Set<string>> {
  return new Set((await db.selectFrom('runs').select('id').execute()).map((r) => r.id));
}

describe.each(testServers())('retention on $name', ({ url }) => {
  it('finds runs past the age limit through the BRIN index on created_at, not the whole table', async () => {
    const { db, drop } = await createTestDatabase(url);
    try {
      const wf = await createWorkflow(db);
      for (const ageDays of [60, 50, 40, 20, 10, 1]) await addRuns(db, wf, Array(2000).fill('succeeded'), ageDays);
      await sql`analyze runs`.execute(db);
      const plan = await sql<{ 'QUERY PLAN': string }>`explain select id from runs
        where status in ('succeeded', 'failed', 'cancelled', 'dead') and created_at < now() - interval '30 days'`.execute(
        db,
      );
      expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toContain('runs_created_brin');
    } finally {
      await drop();
    }
  });

  it('deletes finished runs older than the age limit, with their step attempts, and nothing else', async () => {
    const { db, drop } = await createTestDatabase(url);
    try {
      const wf = await createWorkflow(db);
      const old = await addRuns(db, wf, ['succeeded', 'failed', 'cancelled', 'dead'], 40);
      const oldUnfinished = await addRuns(db, wf, ['queued', 'running', 'waiting'], 40);
      const recent = await addRuns(db, wf, ['succeeded', 'failed'], 5);
      await db
        .insertInto('step_attempts')
        .values({ run_id: old[0]!, step_id: 's', attempt: 1, status: 'succeeded', node_type: 'x' })
        .execute();
      await db.insertInto('dead_letters').values({ run_id: old[3]!, reason: 'crashed' }).execute();

      expect(await pruneRuns(db, { maxAgeDays: 30, maxRunsPerWorkflow: null, batchSize: 2 })).toBe(4);

      expect(await remainingIds(db)).toEqual(new Set([...oldUnfinished, ...recent]));
      expect(await db.selectFrom('step_attempts').selectAll().execute()).toEqual([]);
      expect(await db.selectFrom('dead_letters').selectAll().execute()).toEqual([]);
    } finally {
      await drop();
    }
  });

  it('keeps a run that finished recently even when it was created long ago', async () => {
    const { db, drop } = await createTestDatabase(url);
    try {
      const wf = await createWorkflow(db);
      const [waitedLong] = await addRuns(db, wf, ['succeeded'], 40);
      await db
        .updateTable('runs')
        .set({ finished_at: sql<Date>`now() - interval '1 day'` as never })
        .where('id', '=', waitedLong!)
        .execute();
      expect(await pruneRuns(db, { maxAgeDays: 30, maxRunsPerWorkflow: null })).toBe(0);
    } finally {
      await drop();
    }
  });

  it('keeps only the newest N runs per workflow, never deleting unfinished ones', async () => {
    const { db, drop } = await createTestDatabase(url);
    try {
      const a = await createWorkflow(db);
      const b = await createWorkflow(db);
      const aOldest = await addRuns(db, a, ['succeeded', 'queued', 'failed'], 3);
      const aNewest = await addRuns(db, a, ['succeeded', 'succeeded', 'running'], 1);
      const bRuns = await addRuns(db, b, ['succeeded', 'succeeded'], 3);

      expect(await pruneRuns(db, { maxAgeDays: null, maxRunsPerWorkflow: 3, batchSize: 1 })).toBe(2);

      // Workflow a: its 3 newest stay, the old queued run stays too; b is under the limit.
      expect(await remainingIds(db)).toEqual(new Set([aOldest[1]!, ...aNewest, ...bRuns]));
    } finally {
      await drop();
    }
  });

  it('uses the stored retention setting when no limits are passed', async () => {
    const { db, drop } = await createTestDatabase(url);
    try {
      expect(await getRetentionSettings(db)).toEqual(DEFAULT_RETENTION);
      expect(await setRetentionSettings(db, { maxAgeDays: 7 })).toEqual({ maxAgeDays: 7, maxRunsPerWorkflow: 10_000 });
      expect(await setRetentionSettings(db, { maxRunsPerWorkflow: null })).toEqual({
        maxAgeDays: 7,
        maxRunsPerWorkflow: null,
      });
      expect(await getRetentionSettings(db)).toEqual({ maxAgeDays: 7, maxRunsPerWorkflow: null });

      const wf = await createWorkflow(db);
      await addRuns(db, wf, ['succeeded'], 10);
      const kept = await addRuns(db, wf, ['succeeded'], 3);
      expect(await pruneRuns(db)).toBe(1);
      expect(await remainingIds(db)).toEqual(new Set(kept));
    } finally {
      await drop();
    }
  });

  it('rejects invalid settings with a message naming the field, and reports a corrupt stored value', async () => {
    const { db, drop } = await createTestDatabase(url);
    try {
      await expect(setRetentionSettings(db, { maxAgeDays: 0 })).rejects.toThrow(/maxAgeDays: .*>=1/);
      await expect(setRetentionSettings(db, { maxAgeDays: 2.5 })).rejects.toThrow(/maxAgeDays/);
      await expect(setRetentionSettings(db, { keepForever: true } as never)).rejects.toThrow(/keepForever/);
      await db
        .insertInto('settings')
        .values({ key: 'retention', value: jsonb({ maxAgeDays: 'soon' }) })
        .execute();
      await expect(getRetentionSettings(db)).rejects.toThrow(/stored "retention" setting is invalid \(maxAgeDays/);
      await expect(pruneRuns(db, { batchSize: 0, maxAgeDays: 1, maxRunsPerWorkflow: 1 })).rejects.toThrow(/batchSize/);
    } finally {
      await drop();
    }
  });

  it('skips runs locked by another transaction instead of waiting for them', async () => {
    const { db, drop } = await createTestDatabase(url);
    try {
      const wf = await createWorkflow(db);
      const [locked, free] = await addRuns(db, wf, ['succeeded', 'succeeded'], 40);
      let deleted = -1;
      await db.transaction().execute(async (trx) => {
        await trx.selectFrom('runs').select('id').where('id', '=', locked!).forUpdate().execute();
        deleted = await pruneRuns(db, { maxAgeDays: 30, maxRunsPerWorkflow: null });
      });
      expect(deleted).toBe(1);
      expect(await remainingIds(db)).toEqual(new Set([locked]));
      expect(free).toBeDefined();
    } finally {
      await drop();
    }
  });

  it('prunes schedule ticks older than the age limit', async () => {
    const { db, drop } = await createTestDatabase(url);
    try {
      const wf = await createWorkflow(db);
      const schedule = await db
        .insertInto('schedules')
        .values({
          workflow_id: wf.workflowId,
          version_id: wf.versionId,
          node_id: 'cron',
          cron: '* * * * *',
          timezone: 'UTC',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const tick = (daysAgo: number) =>
        db
          .insertInto('schedule_ticks')
          .values({ schedule_id: schedule.id, tick_at: sql<Date>`now() - make_interval(days => ${daysAgo})` as never })
          .execute();
      await tick(40);
      await tick(35);
      await tick(1);
      expect(await pruneScheduleTicks(db, { maxAgeDays: 30, batchSize: 1 })).toBe(2);
      expect(await db.selectFrom('schedule_ticks').selectAll().execute()).toHaveLength(1);
    } finally {
      await drop();
    }
  });
});
