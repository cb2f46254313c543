import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from './connect.ts';
import { startEmbeddedPostgres } from './embedded.ts';
import { embeddedBinDir } from './postgres/binaries.ts';
import { stopCluster } from './postgres/cluster.ts';
import { testServers } from './testing/index.ts';

const savedEnv = { DATABASE_URL: process.env.DATABASE_URL, APIQ_DB_POOL: process.env.APIQ_DB_POOL };
beforeEach(() => {
  delete process.env.DATABASE_URL;
  delete process.env.APIQ_DB_POOL;
});
afterEach(() => {
  for (const [key, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

const readServerFile = (dataDir: string) =>
  JSON.parse(readFileSync(path.join(dataDir, 'pg.json'), 'utf8')) as { port: number; password: string };

describe('embedded PostgreSQL', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'apiq-embedded-test-'));
  });
  afterAll(async () => {
    await stopCluster({ binDir: embeddedBinDir(), dataDir: path.join(dataDir, 'pg') }).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is created on first open, joined by a second opener, and stopped only by the one that started it', async () => {
    const messages: string[] = [];
    const first = await openDatabase({ dataDir, migrate: true, log: (m) => messages.push(m) });
    expect(first.embedded).toBe(true);
    expect(messages.join('\n')).toMatch(/Creating the embedded PostgreSQL database/);

    const server = readServerFile(dataDir);
    expect(statSync(path.join(dataDir, 'pg.json')).mode & 0o777).toBe(0o600);
    expect(first.url).toBe(`postgres://postgres:${server.password}@127.0.0.1:${server.port}/apiq`);

    const second = await openDatabase({ dataDir });
    expect(second.url).toBe(first.url);
    await second.db
      .insertInto('settings')
      .values({ key: 'probe', value: JSON.stringify({ kept: true }) })
      .execute();
    await second.close();

    // The second opener joined the running server, so closing it left the server up.
    expect(await first.db.selectFrom('settings').select('value').where('key', '=', 'probe').executeTakeFirst()).toEqual(
      { value: { kept: true } },
    );
    await first.close();
    expect(existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
  });

  it('restarts on the remembered port with the data kept', async () => {
    const { port } = readServerFile(dataDir);
    const db = await openDatabase({ dataDir });
    try {
      expect(new URL(db.url).port).toBe(String(port));
      expect(await db.db.selectFrom('settings').select('key').where('key', '=', 'probe').execute()).toEqual([
        { key: 'probe' },
      ]);
    } finally {
      await db.close();
    }
  });

  it.each([
    ['a process that has exited', () => spawnSync('true').pid],
    ['a live process that is not PostgreSQL (recycled pid)', () => process.pid],
  ])('starts over a postmaster.pid left by a crash, naming %s', async (_label, leftoverPid) => {
    const { port } = readServerFile(dataDir);
    const pidFile = path.join(dataDir, 'pg', 'postmaster.pid');
    writeFileSync(
      pidFile,
      `${leftoverPid()}\n${path.join(dataDir, 'pg')}\n1700000000\n${port}\n\n127.0.0.1\n  1234  5678\nready   \n`,
    );
    const messages: string[] = [];
    const pg = await startEmbeddedPostgres(dataDir, { log: (m) => messages.push(m) });
    try {
      expect(pg.started).toBe(true);
      expect(messages.join('\n')).toMatch(/left by a PostgreSQL that is no longer running/);
    } finally {
      await pg.stop();
    }
  });

  it('moves to a new port when the remembered one is taken by another program', async () => {
    const { port } = readServerFile(dataDir);
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
    try {
      const pg = await startEmbeddedPostgres(dataDir);
      try {
        expect(pg.port).not.toBe(port);
        expect(readServerFile(dataDir).port).toBe(pg.port);
      } finally {
        await pg.stop();
      }
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it('refuses a data directory whose pg.json is missing instead of overwriting it', async () => {
    const orphan = mkdtempSync(path.join(tmpdir(), 'apiq-embedded-orphan-'));
    try {
      writeFileSync(path.join(orphan, 'placeholder'), '');
      const pgDir = path.join(orphan, 'pg');
      await import('node:fs/promises')
        .then((fs) => fs.mkdir(pgDir))
        .then(() => writeFileSync(path.join(pgDir, 'PG_VERSION'), '17\n'));
      await expect(startEmbeddedPostgres(orphan)).rejects.toThrow(/pg.json .* is missing/);
    } finally {
      rmSync(orphan, { recursive: true, force: true });
    }
  });
});

describe.each(testServers())('openDatabase with a URL ($name)', ({ url }) => {
  it('connects to the given server and does not start the embedded one', async () => {
    const opened = await openDatabase({ url, poolSize: 2 });
    try {
      expect(opened.embedded).toBe(false);
      expect(opened.pool.options.max).toBe(2);
      const { rows } = await opened.pool.query<{ n: number }>('SELECT 41::int8 + 1 AS n');
      expect(rows[0]?.n).toBe(42);
    } finally {
      await opened.close();
    }
  });

  it('applies session settings to every connection of the pool', async () => {
    const opened = await openDatabase({
      url,
      poolSize: 2,
      sessionSettings: { enable_seqscan: 'off', work_mem: '8MB' },
    });
    try {
      const a = await opened.pool.connect();
      const b = await opened.pool.connect();
      try {
        for (const client of [a, b]) {
          const { rows } = await client.query<{ seq: string; mem: string }>(
            `select current_setting('enable_seqscan') as seq, current_setting('work_mem') as mem`,
          );
          expect(rows[0]).toEqual({ seq: 'off', mem: '8MB' });
        }
      } finally {
        a.release();
        b.release();
      }
    } finally {
      await opened.close();
    }
  });

  it('takes DATABASE_URL and the pool size from the environment', async () => {
    process.env.DATABASE_URL = url;
    process.env.APIQ_DB_POOL = '3';
    const opened = await openDatabase();
    try {
      expect(opened.url).toBe(url);
      expect(opened.pool.options.max).toBe(3);
    } finally {
      await opened.close();
    }
  });
});

describe('openDatabase errors', () => {
  it('names the unreachable server without revealing the password', async () => {
    const error = await openDatabase({ url: 'postgres://app:s3cret@127.0.0.1:1/apiq' }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(
      /Cannot connect to PostgreSQL at postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/apiq \(from the url option\)/,
    );
    expect((error as Error).message).not.toContain('s3cret');
  });

  it('refuses a session setting that is not a plain name and value', async () => {
    await expect(
      openDatabase({ url: 'postgres://127.0.0.1:1/x', sessionSettings: { enable_seqscan: 'off -c fsync=off' } }),
    ).rejects.toThrow(/Session setting enable_seqscan="off -c fsync=off" is not a plain name and value/);
  });

  it('rejects a malformed APIQ_DB_POOL', async () => {
    process.env.APIQ_DB_POOL = 'many';
    await expect(openDatabase({ url: 'postgres://127.0.0.1:1/x' })).rejects.toThrow(
      /APIQ_DB_POOL must be a whole number .* got "many"/,
    );
  });
});
