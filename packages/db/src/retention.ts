import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import type { Database, RunStatus } from './schema.ts';

/** Statuses a run never leaves; only these are ever pruned. */
const FINISHED: RunStatus[] = ['succeeded', 'failed', 'cancelled', 'dead'];
const SETTINGS_KEY = 'retention';

export const retentionSettingsSchema = z
  .object({
    /** Finished runs older than this many days are deleted; null keeps them regardless of age. */
    maxAgeDays: z.number().int().min(1).max(36_500).nullable(),
    /** Only the newest N runs of each workflow are kept; null keeps any number. */
    maxRunsPerWorkflow: z.number().int().min(1).max(100_000_000).nullable(),
  })
  .strict();

export type RetentionSettings = z.infer<typeof retentionSettingsSchema>;

export const DEFAULT_RETENTION: RetentionSettings = { maxAgeDays: 30, maxRunsPerWorkflow: 10_000 };

export interface PruneOptions extends Partial<RetentionSettings> {
  /** Runs deleted per statement; small batches keep locks on the hot runs table short. */
  batchSize?: number;
}

/**
 * Deletes finished runs (succeeded, failed, cancelled, dead) — with their step attempts and
 * dead letters — that finished more than `maxAgeDays` ago or are beyond the newest
 * `maxRunsPerWorkflow` runs of their workflow. Queued, running and waiting runs are never
 * touched. Works in batches that skip rows other transactions hold. Limits not given here come
 * from the `retention` setting, then from the defaults (30 days, 10 000 runs per workflow).
 * Returns how many runs were deleted.
 *
 * @example
 * const deleted = await pruneRuns(db); // settings or defaults
 * await pruneRuns(db, { maxAgeDays: 7, batchSize: 500 });
 */
export async function pruneRuns(db: Kysely<Database>, options: PruneOptions = {}): Promise<number> {
  const stored =
    options.maxAgeDays !== undefined && options.maxRunsPerWorkflow !== undefined
      ? DEFAULT_RETENTION
      : await getRetentionSettings(db);
  const maxAgeDays = options.maxAgeDays !== undefined ? options.maxAgeDays : stored.maxAgeDays;
  const maxRuns = options.maxRunsPerWorkflow !== undefined ? options.maxRunsPerWorkflow : stored.maxRunsPerWorkflow;
  const batchSize = options.batchSize ?? 1000;
  const limits = retentionSettingsSchema.safeParse({ maxAgeDays, maxRunsPerWorkflow: maxRuns });
  if (!limits.success) throw new Error(`pruneRuns: invalid options: ${describeIssues(limits.error)}`);
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new Error(`pruneRuns: batchSize must be a whole number ≥ 1, got ${batchSize}.`);

  let deleted = 0;
  if (maxAgeDays !== null) {
    // finished_at ≥ created_at, so the created_at condition only narrows the scan (index).
    const cutoff = sql`now() - make_interval(days => ${maxAgeDays})`;
    deleted += await deleteInBatches(db, batchSize, (qb) =>
      qb.where(sql<boolean>`created_at < ${cutoff} AND coalesce(finished_at, created_at) < ${cutoff}`),
    );
  }
  if (maxRuns !== null) {
    const crowded = await db
      .selectFrom('runs')
      .select('workflow_id')
      .groupBy('workflow_id')
      .having((eb) => eb.fn.countAll(), '>', maxRuns)
      .execute();
    for (const { workflow_id } of crowded) {
      // The newest run beyond the limit; it and everything older may go.
      // created_at as text: a JS Date would drop the microseconds and miss the row itself.
      const boundary = await db
        .selectFrom('runs')
        .select([sql<string>`created_at::text`.as('boundary_at'), 'id'])
        .where('workflow_id', '=', workflow_id)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .offset(maxRuns)
        .limit(1)
        .executeTakeFirst();
      if (!boundary) continue;
      deleted += await deleteInBatches(db, batchSize, (qb) =>
        qb
          .where('workflow_id', '=', workflow_id)
          .where(sql<boolean>`(created_at, id) <= (${boundary.boundary_at}::timestamptz, ${boundary.id}::uuid)`),
      );
    }
  }
  return deleted;
}

type RunsSelect = ReturnType<typeof finishedRuns>;

function finishedRuns(db: Kysely<Database>) {
  return db.selectFrom('runs').select('id').where('status', 'in', FINISHED);
}

async function deleteInBatches(
  db: Kysely<Database>,
  batchSize: number,
  narrow: (qb: RunsSelect) => RunsSelect,
): Promise<number> {
  let total = 0;
  for (;;) {
    const batch = narrow(finishedRuns(db)).limit(batchSize).forUpdate().skipLocked();
    const result = await db.deleteFrom('runs').where('id', 'in', batch).executeTakeFirst();
    const count = Number(result.numDeletedRows);
    total += count;
    if (count < batchSize) return total;
  }
}

/**
 * Deletes schedule ticks older than `maxAgeDays` (they only guard against firing a tick
 * twice, which matters for recent ticks). Returns how many were deleted.
 *
 * @example
 * await pruneScheduleTicks(db, { maxAgeDays: 30 });
 */
export async function pruneScheduleTicks(
  db: Kysely<Database>,
  options: { maxAgeDays?: number; batchSize?: number } = {},
): Promise<number> {
  const maxAgeDays = options.maxAgeDays ?? 30;
  const batchSize = options.batchSize ?? 1000;
  let total = 0;
  for (;;) {
    const { rows } = await sql<{ n: number }>`
      WITH doomed AS (
        SELECT schedule_id, tick_at FROM schedule_ticks
        WHERE tick_at < now() - make_interval(days => ${maxAgeDays})
        LIMIT ${batchSize} FOR UPDATE SKIP LOCKED
      ), gone AS (
        DELETE FROM schedule_ticks t USING doomed d
        WHERE t.schedule_id = d.schedule_id AND t.tick_at = d.tick_at
        RETURNING 1
      )
      SELECT count(*) AS n FROM gone`.execute(db);
    const count = rows[0]?.n ?? 0;
    total += count;
    if (count < batchSize) return total;
  }
}

/**
 * The retention limits: the `retention` setting merged over the defaults.
 *
 * @example
 * const { maxAgeDays, maxRunsPerWorkflow } = await getRetentionSettings(db);
 */
export async function getRetentionSettings(db: Kysely<Database>): Promise<RetentionSettings> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', SETTINGS_KEY).executeTakeFirst();
  if (!row) return { ...DEFAULT_RETENTION };
  const parsed = retentionSettingsSchema.partial().safeParse(row.value);
  if (!parsed.success) {
    throw new Error(
      `The stored "${SETTINGS_KEY}" setting is invalid (${describeIssues(parsed.error)}); save valid values with setRetentionSettings.`,
    );
  }
  return { ...DEFAULT_RETENTION, ...parsed.data };
}

/**
 * Validates and stores retention limits (merged over the current ones); returns the result.
 * `null` disables a limit.
 *
 * @example
 * await setRetentionSettings(db, { maxAgeDays: 7 });          // keep a week
 * await setRetentionSettings(db, { maxRunsPerWorkflow: null }); // no per-workflow cap
 */
export async function setRetentionSettings(
  db: Kysely<Database>,
  settings: Partial<RetentionSettings>,
): Promise<RetentionSettings> {
  const update = retentionSettingsSchema.partial().safeParse(settings);
  if (!update.success) throw new Error(`Invalid retention settings: ${describeIssues(update.error)}`);
  const next = { ...(await getRetentionSettings(db)), ...update.data };
  const value = JSON.stringify(next);
  await db
    .insertInto('settings')
    .values({ key: SETTINGS_KEY, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: sql`now()` }))
    .execute();
  return next;
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || 'value'}: ${issue.message}`).join('; ');
}
