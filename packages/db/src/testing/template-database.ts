import { createHash } from 'node:crypto';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import '../pg-types.ts';
import { migrateToLatest } from '../migrate.ts';
import { migrations } from '../migrations/index.ts';

/** Advisory lock key (in the server's `postgres` database) serialising template builds. */
const TEMPLATE_LOCK_KEY = 7_461_820_503_113;
const building = new Map<string, Promise<string>>();

/**
 * Name of the fully migrated template database for the current migrations. It changes when
 * a migration is added or edited, so a stale template is never used.
 */
export function templateName(): string {
  const hash = createHash('sha256');
  for (const [name, migration] of Object.entries(migrations)) hash.update(`${name}\n${migration.up.toString()}\n`);
  return `apiq_template_${hash.digest('hex').slice(0, 12)}`;
}

/**
 * Makes sure the server has the migrated template database and returns its name. Built once
 * per server (under an advisory lock, as `<name>_building` then renamed, so a crash never
 * leaves a half-migrated template behind); test databases are then cheap copies of it.
 *
 * @example
 * await ensureTemplateDatabase('postgres://postgres:postgres@127.0.0.1:5432/postgres');
 */
export function ensureTemplateDatabase(serverUrl: string): Promise<string> {
  let pending = building.get(serverUrl);
  if (!pending) {
    pending = buildTemplate(serverUrl);
    building.set(serverUrl, pending);
    pending.catch(() => building.delete(serverUrl));
  }
  return pending;
}

async function buildTemplate(serverUrl: string): Promise<string> {
  const name = templateName();
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK_KEY]);
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount) return name;
    const temporary = `${name}_building`;
    await admin.query(`DROP DATABASE IF EXISTS ${temporary}`);
    await admin.query(`CREATE DATABASE ${temporary}`);
    const pool = new pg.Pool({ connectionString: databaseUrl(serverUrl, temporary), max: 1 });
    pool.on('error', () => undefined);
    const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
    try {
      await migrateToLatest(db);
    } finally {
      await db.destroy();
    }
    await admin.query(`ALTER DATABASE ${temporary} RENAME TO ${name}`);
    return name;
  } finally {
    await admin.end();
  }
}

/** `serverUrl` with its database replaced by `database`. */
export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}
