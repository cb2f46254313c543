import { sql, type Kysely } from 'kysely';

/** Executors wake parked runs every poll; without this index that is a scan of all runs. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index runs_waiting_due on runs (available_at) where status = 'waiting'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists runs_waiting_due`.execute(db);
}
