import { sql } from 'kysely';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { DEFAULT_WORKSPACE_ID } from '../schema.ts';
import { createTestDatabase, testServers } from './index.ts';

describe('test servers', () => {
  it('provides PostgreSQL 17 (embedded) and 15 (system) through inject and the environment', () => {
    expect(testServers().map((s) => s.name)).toEqual(['pg17-embedded', 'pg15-system']);
    expect(inject('pgServers')).toEqual(testServers());
  });
});

describe.each(testServers())('createTestDatabase on $name', ({ name, url }) => {
  it('creates a migrated database of the expected version and drops it', async () => {
    const test = await createTestDatabase(url);
    const { rows } = await sql<{ server_version: string }>`SHOW server_version`.execute(test.db);
    expect(rows[0]?.server_version).toMatch(name === 'pg17-embedded' ? /^17\./ : /^15\./);
    const workspace = await test.db
      .selectFrom('workspaces')
      .selectAll()
      .where('id', '=', DEFAULT_WORKSPACE_ID)
      .executeTakeFirst();
    expect(workspace).toMatchObject({ name: 'Default', slug: 'default' });

    await test.drop();
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    const left = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [test.name]);
    await admin.end();
    expect(left.rowCount).toBe(0);
  });

  it('gives every call its own database', async () => {
    const [a, b] = await Promise.all([createTestDatabase(url), createTestDatabase(url)]);
    try {
      expect(a.name).not.toBe(b.name);
      await a.db
        .insertInto('settings')
        .values({ key: 'only-in-a', value: JSON.stringify(1) })
        .execute();
      expect(await b.db.selectFrom('settings').selectAll().execute()).toEqual([]);
    } finally {
      await Promise.all([a.drop(), b.drop()]);
    }
  });
});
