import { sql, type Kysely } from 'kysely';

/**
 * Per-connection request limits and resilience (docs/decisions/0010-per-connection-limits.md):
 *
 * - `credentials.limits`: `{ requestsPerSecond?, burst?, concurrency? }`, null when unlimited;
 * - `connection_rate`: one row per limited connection, its next free send time (`tat`, the
 *   "theoretical arrival time" of a GCRA token bucket), pushed forward by a 429's Retry-After,
 *   which also sets `paused_until` (requests already scheduled look at it before they go);
 * - `connection_slots`: leases on the connection's concurrency slots (`slot` < concurrency), held
 *   by one request each and expiring when their executor stops renewing them;
 * - `circuit_states`: each executor's per-host circuit breaker states, for the web process.
 */
const statements = [
  `ALTER TABLE credentials ADD COLUMN limits jsonb`,

  `CREATE TABLE connection_rate (
    credential_id uuid PRIMARY KEY REFERENCES credentials (id) ON DELETE CASCADE,
    tat timestamptz NOT NULL,
    paused_until timestamptz
  )`,

  `CREATE TABLE connection_slots (
    credential_id uuid NOT NULL REFERENCES credentials (id) ON DELETE CASCADE,
    slot integer NOT NULL CHECK (slot >= 0),
    holder text NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (credential_id, slot)
  )`,
  `CREATE INDEX connection_slots_holder_idx ON connection_slots (holder)`,

  `CREATE TABLE circuit_states (
    source text NOT NULL,
    host text NOT NULL,
    state text NOT NULL CHECK (state IN ('closed', 'open', 'half_open')),
    failures integer NOT NULL,
    opened_at timestamptz,
    next_try_at timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source, host)
  )`,
  `CREATE INDEX circuit_states_host_idx ON circuit_states (host)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) {
    try {
      await sql.raw(statement).execute(db);
    } catch (error) {
      const first = statement.trim().split('\n')[0];
      throw new Error(`Migration 0009_connection_limits failed at "${first}": ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS circuit_states, connection_slots, connection_rate`.execute(db);
  await sql`ALTER TABLE credentials DROP COLUMN IF EXISTS limits`.execute(db);
}
