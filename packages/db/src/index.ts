export * from './schema.ts';
export { openDatabase, redactUrl, type OpenDatabase, type OpenDatabaseOptions } from './connect.ts';
export { startEmbeddedPostgres, defaultDataDir, type EmbeddedPostgres, type StartEmbeddedOptions } from './embedded.ts';
export { migrateToLatest, knownMigrations } from './migrate.ts';
export {
  pruneRuns,
  pruneScheduleTicks,
  getRetentionSettings,
  setRetentionSettings,
  retentionSettingsSchema,
  DEFAULT_RETENTION,
  type RetentionSettings,
  type PruneOptions,
} from './retention.ts';
export { jsonb } from './jsonb.ts';
export { sql, type Kysely, type Transaction, type Selectable, type Insertable, type Updateable } from 'kysely';
