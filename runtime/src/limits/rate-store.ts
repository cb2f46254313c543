import { sql, type Kysely } from 'kysely';
import type { Database } from '@apiq/db';

/**
 * A connection's request rate, kept in PostgreSQL as a GCRA token bucket: one row per
 * connection holding `tat`, the time the bucket is empty again. A request reserves its send time
 * with one atomic UPDATE, so every executor and thread shares the same schedule and requests are
 * served in the order they asked. Times come from the database clock: executors' clocks may differ.
 */
export interface RatePlan {
  /** Milliseconds between requests at the sustained rate; 0 when the connection has no rate (only pauses apply). */
  intervalMs: number;
  /** Requests that may go back to back. */
  burst: number;
}

/** The result of asking for a send time: when `reserved`, send after `waitMs`; else the wait was too long. */
export type Reservation = { reserved: true; waitMs: number } | { reserved: false; waitMs: number };

/**
 * Reserves the next send time of a connection unless it lies more than `maxWaitMs` ahead.
 *
 * @example
 * const r = await reserveSendTime(db, credentialId, { intervalMs: 200, burst: 1 }, 30_000);
 * if (r.reserved) await sleep(r.waitMs);
 */
export async function reserveSendTime(
  db: Kysely<Database>,
  credentialId: string,
  plan: RatePlan,
  maxWaitMs: number,
): Promise<Reservation> {
  const slack = (plan.burst - 1) * plan.intervalMs;
  if (plan.intervalMs === 0) {
    const wait = await currentWait(db, credentialId, 0);
    return { reserved: wait <= maxWaitMs, waitMs: wait };
  }
  for (let tries = 0; tries < 2; tries++) {
    // allow_at = max(tat, now) - slack; the reservation moves tat one interval on.
    const { rows } = await sql<{ wait_ms: number }>`
      update connection_rate
      set tat = greatest(tat, now()) + ${plan.intervalMs} * interval '1 millisecond'
      where credential_id = ${credentialId}
        and greatest(tat, now()) - ${slack} * interval '1 millisecond' <= now() + ${maxWaitMs} * interval '1 millisecond'
      returning greatest(0, extract(epoch from (tat - now())) * 1000 - ${plan.intervalMs + slack})::float8 as wait_ms`.execute(
      db,
    );
    if (rows[0]) return { reserved: true, waitMs: rows[0].wait_ms };
    // No row yet (the connection's first request), or the next send time is too far ahead.
    const inserted = await sql`
      insert into connection_rate (credential_id, tat)
      values (${credentialId}, now() + ${plan.intervalMs} * interval '1 millisecond')
      on conflict (credential_id) do nothing
      returning credential_id`.execute(db);
    if (inserted.rows.length > 0) return { reserved: true, waitMs: 0 };
  }
  return { reserved: false, waitMs: await currentWait(db, credentialId, slack) };
}

/**
 * Holds back a connection's requests for `ms` (a 429's Retry-After): nothing is sent before then,
 * and after it requests resume at the sustained rate, without a burst.
 *
 * @example
 * await holdBack(db, credentialId, { intervalMs: 200, burst: 5 }, 1000);
 */
export async function holdBack(db: Kysely<Database>, credentialId: string, plan: RatePlan, ms: number): Promise<void> {
  const pause = Math.max(0, ms);
  const until = pause + (plan.burst - 1) * plan.intervalMs;
  await sql`
    insert into connection_rate (credential_id, tat, paused_until)
    values (${credentialId}, now() + ${until} * interval '1 millisecond', now() + ${pause} * interval '1 millisecond')
    on conflict (credential_id) do update
    set tat = greatest(connection_rate.tat, excluded.tat),
        paused_until = greatest(connection_rate.paused_until, excluded.paused_until)`.execute(db);
}

/** Whether a 429 holds the connection back right now (checked by requests that were scheduled before it). */
export async function isHeldBack(db: Kysely<Database>, credentialId: string): Promise<boolean> {
  const { rows } = await sql<{ held: boolean }>`
    select paused_until > now() as held from connection_rate where credential_id = ${credentialId}`.execute(db);
  return rows[0]?.held === true;
}

async function currentWait(db: Kysely<Database>, credentialId: string, slack: number): Promise<number> {
  const { rows } = await sql<{ wait_ms: number }>`
    select greatest(0, extract(epoch from (tat - now())) * 1000 - ${slack})::float8 as wait_ms
    from connection_rate where credential_id = ${credentialId}`.execute(db);
  return rows[0]?.wait_ms ?? 0;
}
