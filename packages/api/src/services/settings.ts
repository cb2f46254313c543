import { sql } from 'kysely';
import { getRetentionSettings, setRetentionSettings, type RetentionSettings } from '@apiq/db';
import type { ApiContext } from '../trpc.ts';
import { PlannerSettingsSchema, type SettingsUpdate } from '../schemas.ts';

export interface InstanceSettings {
  /** The OpenAI-compatible endpoint the planner uses (its API key is a stored connection, never a setting). */
  planner: { baseUrl: string | null; model: string | null; connectionId: string | null };
  /** Run retention, applied hourly by the maintenance job: null disables a limit. */
  retention: RetentionSettings;
}

const PLANNER_KEY = 'planner';
const NO_PLANNER = { baseUrl: null, model: null, connectionId: null };

/** Instance settings with defaults filled in. */
export async function getSettings(ctx: ApiContext): Promise<InstanceSettings> {
  const row = await ctx.db.selectFrom('settings').select('value').where('key', '=', PLANNER_KEY).executeTakeFirst();
  const planner = PlannerSettingsSchema.partial().safeParse(row?.value ?? {});
  return {
    planner: { ...NO_PLANNER, ...(planner.success ? planner.data : {}) },
    retention: await getRetentionSettings(ctx.db),
  };
}

/**
 * Changes some settings (each given field replaces the stored one; null clears it) and returns
 * them all. Both groups are written in one transaction.
 *
 * @example
 * await updateSettings(ctx, { retention: { maxAgeDays: 7 }, planner: { model: 'gpt-4o-mini' } });
 */
export async function updateSettings(ctx: ApiContext, update: SettingsUpdate): Promise<InstanceSettings> {
  await ctx.db.transaction().execute(async (tx) => {
    if (update.planner) {
      const row = await tx.selectFrom('settings').select('value').where('key', '=', PLANNER_KEY).executeTakeFirst();
      const stored = PlannerSettingsSchema.partial().safeParse(row?.value ?? {});
      const value = JSON.stringify({ ...NO_PLANNER, ...(stored.success ? stored.data : {}), ...update.planner });
      await tx
        .insertInto('settings')
        .values({ key: PLANNER_KEY, value })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: sql`now()` }))
        .execute();
    }
    if (update.retention) await setRetentionSettings(tx, update.retention);
  });
  return getSettings(ctx);
}
