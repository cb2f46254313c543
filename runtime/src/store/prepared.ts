import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Kysely, RawBuilder } from 'kysely';

const names = new Map<string, string>();

/**
 * Runs a hot-path statement as a named prepared statement: Postgres parses and plans it once
 * per connection instead of on every call (the engine's few statements run thousands of times
 * a second). Kysely builds the SQL; pg executes it.
 */
export async function queryPrepared<R, DB>(
  pool: pg.Pool | pg.PoolClient,
  db: Kysely<DB>,
  query: RawBuilder<R>,
): Promise<R[]> {
  const compiled = query.compile(db);
  let name = names.get(compiled.sql);
  if (!name) {
    name = `apiq_${createHash('sha1').update(compiled.sql).digest('hex').slice(0, 16)}`;
    if (names.size < 1000) names.set(compiled.sql, name);
  }
  const res = await pool.query({ name, text: compiled.sql, values: compiled.parameters as unknown[] });
  return res.rows as R[];
}
