import { Migrator, sql, type Kysely, type MigrationResult } from 'kysely';
import { migrations } from './migrations/index.ts';

/** Session advisory lock key (arbitrary, fixed) serialising migrations across processes. */
const MIGRATION_LOCK_KEY = 7_461_820_503_112;
const MIGRATION_TABLE = 'apiq_migration';
const MIGRATION_LOCK_TABLE = 'apiq_migration_lock';

/**
 * Brings the database schema up to date. Safe to call from several processes at once:
 * they queue on a PostgreSQL advisory lock, the first migrates, the others find nothing to do.
 * Returns the names of the migrations this call applied.
 *
 * @example
 * const { db } = await openDatabase();
 * await migrateToLatest(db); // ['0001_initial'] on an empty database, [] afterwards
 */
export async function migrateToLatest<DB>(db: Kysely<DB>): Promise<string[]> {
  return db.connection().execute(async (conn) => {
    await sql`SELECT pg_advisory_lock(${sql.lit(MIGRATION_LOCK_KEY)})`.execute(conn);
    try {
      const migrator = new Migrator({
        db: conn,
        provider: { getMigrations: async () => migrations },
        migrationTableName: MIGRATION_TABLE,
        migrationLockTableName: MIGRATION_LOCK_TABLE,
        // Migrations are independent of each other; one written in parallel with a later-numbered
        // one must still apply on a database that already has the later one.
        allowUnorderedMigrations: true,
      });
      const { error, results = [] } = await migrator.migrateToLatest();
      if (error) throw migrationError(error, results);
      return results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
    } finally {
      await sql`SELECT pg_advisory_unlock(${sql.lit(MIGRATION_LOCK_KEY)})`.execute(conn).catch(() => undefined);
    }
  });
}

/** Names of every migration this code knows, in order. */
export function knownMigrations(): string[] {
  return Object.keys(migrations);
}

function migrationError(error: unknown, results: MigrationResult[]): Error {
  const message = error instanceof Error ? error.message : String(error);
  const failed = results.find((r) => r.status === 'Error');
  if (/previously executed migration .* is missing/i.test(message)) {
    return new Error(
      `The database schema is newer than this version of APIQ (${message}). ` +
        'Upgrade APIQ, or point DATABASE_URL at a database made by this version.',
      { cause: error },
    );
  }
  const where = failed ? `migration ${failed.migrationName} failed` : 'migrating the database failed';
  return new Error(`Database ${where}; nothing was changed by it (migrations run in a transaction): ${message}`, {
    cause: error,
  });
}
