import { sql } from 'kysely';
import type { AuthDb } from './schema.ts';

export interface RateLimitRule {
  /** Requests allowed per window. */
  limit: number;
  windowMs: number;
}

export interface RateLimitResult {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets (the Retry-After value when refused). */
  resetSeconds: number;
}

/**
 * Counts one hit against `key` in a fixed window shared by every APIQ process (the counter is a
 * row). Refused hits are counted too, so hammering a locked account keeps it locked.
 *
 * @example
 * const r = await hitRateLimit(db, `login:ip:${ip}`, { limit: 20, windowMs: 60_000 });
 * if (!r.allowed) respond 429 with Retry-After: r.resetSeconds
 */
export async function hitRateLimit(db: AuthDb, key: string, rule: RateLimitRule): Promise<RateLimitResult> {
  const now = Date.now();
  const windowStart = new Date(now - (now % rule.windowMs));
  const row = await sql<{ hits: number }>`
    insert into rate_limits (key, window_start, hits) values (${key}, ${windowStart}, 1)
    on conflict (key, window_start) do update set hits = rate_limits.hits + 1
    returning hits`
    .execute(db)
    .then((r) => r.rows[0]!);
  const resetSeconds = Math.max(1, Math.ceil((windowStart.getTime() + rule.windowMs - now) / 1000));
  return {
    allowed: row.hits <= rule.limit,
    limit: rule.limit,
    remaining: Math.max(0, rule.limit - row.hits),
    resetSeconds,
  };
}

/** Reads a key's count without adding a hit. */
export async function peekRateLimit(db: AuthDb, key: string, rule: RateLimitRule): Promise<RateLimitResult> {
  const now = Date.now();
  const windowStart = new Date(now - (now % rule.windowMs));
  const row = await db
    .selectFrom('rate_limits')
    .select('hits')
    .where('key', '=', key)
    .where('window_start', '=', windowStart)
    .executeTakeFirst();
  const hits = row?.hits ?? 0;
  return {
    allowed: hits < rule.limit,
    limit: rule.limit,
    remaining: Math.max(0, rule.limit - hits),
    resetSeconds: Math.max(1, Math.ceil((windowStart.getTime() + rule.windowMs - now) / 1000)),
  };
}

/** Forgets a key's counts (after a successful sign-in the account's failure count starts over). */
export async function resetRateLimit(db: AuthDb, key: string): Promise<void> {
  await db.deleteFrom('rate_limits').where('key', '=', key).execute();
}

/** Deletes windows older than a day (run by the maintenance job). */
export async function pruneRateLimits(db: AuthDb): Promise<number> {
  const res = await db
    .deleteFrom('rate_limits')
    .where('window_start', '<', new Date(Date.now() - 86_400_000))
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}

/** The standard headers describing a limit (IETF draft RateLimit fields plus Retry-After when refused). */
export function rateLimitHeaders(r: RateLimitResult): Record<string, string> {
  const headers: Record<string, string> = {
    'RateLimit-Limit': String(r.limit),
    'RateLimit-Remaining': String(r.remaining),
    'RateLimit-Reset': String(r.resetSeconds),
  };
  if (!r.allowed) headers['Retry-After'] = String(r.resetSeconds);
  return headers;
}
