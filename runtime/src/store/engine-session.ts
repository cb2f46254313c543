/**
 * Session settings for the database connections an executor uses (pass them to `openDatabase`'s
 * `sessionSettings`).
 *
 * `enable_seqscan = off`: the engine's hot statements (claim, fenced step writes, heartbeats)
 * reach `runs` and `step_attempts` only through their keys and queue indexes, and they run as
 * prepared statements. PostgreSQL plans a prepared statement's generic plan once per connection,
 * often while those tables are still nearly empty, and keeps it until the next ANALYZE; a plan
 * with a sequential scan then reads the whole growing runs table on every write. Without
 * sequential scans the planner picks the indexes the statements were written for, whatever the
 * statistics say. (Queries with no index to use still scan; this only takes the choice away.)
 * See docs/decisions/0011-engine-connections-without-sequential-scans.md.
 *
 * @example
 * const opened = await openDatabase({ sessionSettings: ENGINE_SESSION_SETTINGS });
 * new Executor({ db: opened.db, pool: opened.pool, catalog });
 */
export const ENGINE_SESSION_SETTINGS: Readonly<Record<string, string>> = Object.freeze({ enable_seqscan: 'off' });
