import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import './pg-types.ts';
import { defaultDataDir, startEmbeddedPostgres, type EmbeddedPostgres } from './embedded.ts';
import { migrateToLatest } from './migrate.ts';
import type { Database } from './schema.ts';

/** gen_random_uuid() without extensions, DROP DATABASE ... WITH (FORCE). */
const MIN_SERVER_VERSION = 130000;

export interface OpenDatabaseOptions {
  /** PostgreSQL URL; default env DATABASE_URL; when neither is set, the embedded server is used. */
  url?: string;
  /** Data directory of the embedded server; default env APIQ_DATA_DIR or `./.apiq`. */
  dataDir?: string;
  /** Progress and connection-error messages. */
  log?: (message: string) => void;
  /** Pool size; default env APIQ_DB_POOL or 10. */
  poolSize?: number;
  /** Run pending migrations before returning. Default false. */
  migrate?: boolean;
  /** Shown in pg_stat_activity, e.g. 'apiq-executor'. */
  applicationName?: string;
  /** Settings of every session the pool opens (sent at connection start), e.g. `{ enable_seqscan: 'off' }`. */
  sessionSettings?: Record<string, string>;
}

export interface OpenDatabase {
  db: Kysely<Database>;
  pool: pg.Pool;
  url: string;
  /** True when the embedded server is used (started by this call or already running). */
  embedded: boolean;
  /** Ends the pool, and stops the embedded server if this call started it. */
  close(): Promise<void>;
}

/**
 * Opens APIQ's database: `url` / DATABASE_URL when given, otherwise the embedded PostgreSQL
 * (started, or joined when it already runs). Connects once before returning, so a wrong URL
 * fails here with a clear message rather than at the first query.
 *
 * @example
 * const { db, close } = await openDatabase({ migrate: true });
 * const runs = await db.selectFrom('runs').selectAll().limit(10).execute();
 * await close();
 */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<OpenDatabase> {
  const log = options.log ?? (() => undefined);
  const external = options.url ?? (process.env.DATABASE_URL || undefined);
  const source = options.url ? 'the url option' : 'DATABASE_URL';
  const poolSize = options.poolSize ?? poolSizeFromEnv();

  let server: EmbeddedPostgres | undefined;
  const url = external ?? (server = await startEmbeddedPostgres(options.dataDir ?? defaultDataDir(), { log })).url;

  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    application_name: options.applicationName ?? 'apiq',
    ...(options.sessionSettings ? { options: startupOptions(options.sessionSettings) } : {}),
  });
  // Errors on idle connections (server restart, network) must not crash the process;
  // the pool replaces the connection and the next query reports any lasting problem.
  pool.on('error', (error) => log(`PostgreSQL connection lost (${redactUrl(url)}): ${error.message}`));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });

  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= (async () => {
      await db.destroy();
      await server?.stop();
    })());

  let versionNum: number;
  try {
    versionNum = Number(
      (await pool.query<{ server_version_num: string }>('SHOW server_version_num')).rows[0]?.server_version_num,
    );
  } catch (error) {
    await close();
    const where = external ? `${redactUrl(url)} (from ${source})` : `the embedded server (${redactUrl(url)})`;
    throw new Error(
      `Cannot connect to PostgreSQL at ${where}: ${(error as Error).message}. Check that the server runs and the URL is right.`,
      {
        cause: error,
      },
    );
  }
  if (versionNum < MIN_SERVER_VERSION) {
    await close();
    throw new Error(
      `APIQ needs PostgreSQL 13 or newer; ${redactUrl(url)} runs version ${Math.floor(versionNum / 10000)}. Upgrade the server or use another.`,
    );
  }
  if (options.migrate) {
    try {
      await migrateToLatest(db);
    } catch (error) {
      await close();
      throw error;
    }
  }
  return { db, pool, url, embedded: server !== undefined, close };
}

function poolSizeFromEnv(): number {
  const raw = process.env.APIQ_DB_POOL;
  if (raw === undefined || raw === '') return 10;
  const size = Number(raw);
  if (!Number.isInteger(size) || size < 1 || size > 1000) {
    throw new Error(`APIQ_DB_POOL must be a whole number from 1 to 1000 (connections per process), got "${raw}".`);
  }
  return size;
}

/**
 * The URL with its password masked, for messages and logs.
 *
 * @example
 * redactUrl('postgres://app:secret@db:5432/apiq'); // 'postgres://app:***@db:5432/apiq'
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

/**
 * The `options` startup parameter for session settings: `-c name=value` each.
 *
 * @example
 * startupOptions({ enable_seqscan: 'off' }); // '-c enable_seqscan=off'
 */
export function startupOptions(settings: Record<string, string>): string {
  return Object.entries(settings)
    .map(([name, value]) => {
      if (!/^[a-z_][a-z0-9_.]*$/i.test(name) || !/^[\w.:-]+$/.test(value)) {
        throw new Error(`Session setting ${name}=${JSON.stringify(value)} is not a plain name and value`);
      }
      return `-c ${name}=${value}`;
    })
    .join(' ');
}
