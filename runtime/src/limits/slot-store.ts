import { sql, type Kysely } from 'kysely';
import type { Database } from '@apiq/db';

/** NOTIFY channel told (payload: the credential id) when a connection's slot is freed. */
export const SLOT_FREED_CHANNEL = 'apiq_connection_slot_freed';

/**
 * Takes one of a connection's `concurrency` slots for `holder`, with one atomic statement: a slot
 * with no lease, or whose lease expired (its executor died), is leased until `now + ttlMs`.
 * Returns the slot number, or undefined when all are taken (or another taker won the race).
 *
 * @example
 * const slot = await takeSlot(db, credentialId, 2, 'executor-1:ab12', 60_000);
 */
export async function takeSlot(
  db: Kysely<Database>,
  credentialId: string,
  concurrency: number,
  holder: string,
  ttlMs: number,
): Promise<number | undefined> {
  const { rows } = await sql<{ slot: number }>`
    insert into connection_slots as c (credential_id, slot, holder, expires_at)
    select ${credentialId}, free.slot, ${holder}, now() + ${ttlMs} * interval '1 millisecond'
    from (
      select g as slot from generate_series(0, ${concurrency - 1}::int) g
      where not exists (
        select 1 from connection_slots x
        where x.credential_id = ${credentialId} and x.slot = g and x.expires_at > now())
      order by random() limit 1
    ) free
    on conflict (credential_id, slot) do update set holder = excluded.holder, expires_at = excluded.expires_at
      where c.expires_at <= now()
    returning c.slot`.execute(db);
  return rows[0]?.slot;
}

/** Frees a slot this holder leased and tells waiting executors (NOTIFY). */
export async function freeSlot(
  db: Kysely<Database>,
  credentialId: string,
  slot: number,
  holder: string,
): Promise<void> {
  await sql`
    with freed as (
      delete from connection_slots
      where credential_id = ${credentialId} and slot = ${slot} and holder = ${holder}
      returning credential_id)
    select pg_notify(${SLOT_FREED_CHANNEL}, credential_id::text) from freed`.execute(db);
}

/** Extends every lease of `holder` (requests still in flight) to `now + ttlMs`. */
export async function renewSlots(db: Kysely<Database>, holder: string, ttlMs: number): Promise<void> {
  await sql`
    update connection_slots set expires_at = now() + ${ttlMs} * interval '1 millisecond'
    where holder = ${holder}`.execute(db);
}
