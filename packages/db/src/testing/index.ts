import { randomBytes } from 'node:crypto';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import '../pg-types.ts';
import type { Database } from '../schema.ts';
import { databaseUrl, ensureTemplateDatabase } from './template-database.ts';
import { parseTestServers, TEST_SERVERS_ENV, type TestServer } from './test-server.ts';

export type { TestServer } from './test-server.ts';
export { TEST_SERVERS_ENV } from './test-server.ts';
export { insertTestWorkflow } from './seed.ts';

// Inside Vitest workers the servers may also come from `inject`; elsewhere (processes that
// tests start) only the environment variable exists, so vitest is loaded only when needed.
const injected: TestServer[] | undefined =
  !process.env[TEST_SERVERS_ENV] && process.env.VITEST
    ? await import('vitest').then(
        (vitest) => vitest.inject('pgServers'),
        () => undefined,
      )
    : undefined;

/**
 * The PostgreSQL servers of this test run (PostgreSQL 17 embedded and the machine's 15).
 * Run database tests against each:
 *
 * @example
 * describe.each(testServers())('runs on $name', ({ url }) => {
 *   it('...', async () => {
 *     const { db, drop } = await createTestDatabase(url);
 *     try { ... } finally { await drop(); }
 *   });
 * });
 */
export function testServers(): TestServer[] {
  const fromEnv = process.env[TEST_SERVERS_ENV];
  if (fromEnv) return parseTestServers(fromEnv);
  if (injected?.length) return injected;
  throw new Error(
    'No PostgreSQL test servers. Run tests with the repository vitest.config.ts (its globalSetup, ' +
      `packages/db/src/testing/global-setup.ts, starts them), or set ${TEST_SERVERS_ENV}='[{"name":"pg","url":"postgres://..."}]'.`,
  );
}

export interface TestDatabase {
  /** Connection URL of the new database. */
  url: string;
  name: string;
  db: Kysely<Database>;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

/**
 * Creates a new, fully migrated, uniquely named database on a test server (a copy of the
 * server's template database, ~tens of milliseconds) and opens a Kysely pool on it.
 *
 * @example
 * const { db, url, drop } = await createTestDatabase(testServers()[0].url);
 * await db.selectFrom('workspaces').selectAll().execute();
 * await drop();
 */
export async function createTestDatabase(
  serverUrl: string,
  options: { poolSize?: number } = {},
): Promise<TestDatabase> {
  const template = await ensureTemplateDatabase(serverUrl);
  const name = `apiq_test_${randomBytes(8).toString('hex')}`;
  await adminQuery(serverUrl, `CREATE DATABASE ${name} TEMPLATE ${template}`);
  const url = databaseUrl(serverUrl, name);
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10 });
  // Idle connections are terminated when the database is dropped; that is expected.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  let dropped: Promise<void> | undefined;
  return {
    url,
    name,
    db,
    drop: () =>
      (dropped ??= (async () => {
        await db.destroy();
        await adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      })()),
  };
}

async function adminQuery(serverUrl: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}
