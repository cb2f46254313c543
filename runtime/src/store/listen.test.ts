import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createTestDatabase, testServers, type TestDatabase } from '@apiq/db/testing';
import { listen } from './listen.ts';

/** Resolves with the next payload a handler receives. */
function nextPayload(): { handler: (payload: string) => void; received: Promise<string> } {
  let resolve!: (payload: string) => void;
  const received = new Promise<string>((r) => (resolve = r));
  return { handler: (payload) => resolve(payload), received };
}

describe.each(testServers())('listen on $name', ({ url }) => {
  let test: TestDatabase;
  let pool: pg.Pool;
  let admin: pg.Pool;
  beforeAll(async () => {
    test = await createTestDatabase(url);
    pool = new pg.Pool({ connectionString: test.url, max: 4 });
    pool.on('error', () => undefined);
    admin = new pg.Pool({ connectionString: test.url, max: 1 });
  });
  afterAll(async () => {
    await pool?.end();
    await admin?.end();
    await test?.drop();
  });

  const listeningBackends = async () =>
    (
      await admin.query<{ pid: number }>(
        `select pid from pg_stat_activity where datname = current_database() and (query like 'LISTEN %' or query like 'UNLISTEN %')`,
      )
    ).rows.map((r) => r.pid);
  const notify = (channel: string, payload: string) => admin.query('select pg_notify($1, $2)', [channel, payload]);

  it('shares one connection between subscribers, each hearing its own channels', async () => {
    const a = nextPayload();
    const b = nextPayload();
    const both = nextPayload();
    const heardByA: string[] = [];
    const unlistenA = await listen(pool, {
      chan_a: (p) => {
        heardByA.push(p);
        a.handler(p);
      },
    });
    const unlistenB = await listen(pool, { chan_b: b.handler, chan_shared: both.handler });
    expect(pool.totalCount - pool.idleCount).toBe(1);
    expect(await listeningBackends()).toHaveLength(1);

    await notify('chan_b', 'to b');
    await notify('chan_a', 'to a');
    await notify('chan_shared', 'to both');
    expect(await a.received).toBe('to a');
    expect(await b.received).toBe('to b');
    expect(await both.received).toBe('to both');
    expect(heardByA).toEqual(['to a']);

    await unlistenA();
    const afterA = nextPayload();
    const unlistenC = await listen(pool, { chan_b: afterA.handler });
    await notify('chan_b', 'again');
    expect(await afterA.received).toBe('again');
    await unlistenB();
    await unlistenC();
    // The last subscriber gone, the connection goes back to the pool, listening to nothing.
    expect(pool.totalCount - pool.idleCount).toBe(0);
    const client = await pool.connect();
    try {
      expect((await client.query('select pg_listening_channels() as c')).rows).toEqual([]);
    } finally {
      client.release();
    }
  });

  it('listens again on a new connection when its backend is terminated, telling subscribers', async () => {
    const errors: Error[] = [];
    let heard = nextPayload();
    const unlisten = await listen(pool, { chan_r: (p) => heard.handler(p) }, (err) => errors.push(err));
    const [pid] = await listeningBackends();
    expect(pid).toBeGreaterThan(0);
    await admin.query('select pg_terminate_backend($1)', [pid]);
    // Reconnected once a new backend listens on chan_r.
    await expect
      .poll(async () => (await listeningBackends()).filter((p) => p !== pid), { timeout: 5000, interval: 50 })
      .toHaveLength(1);
    expect(errors.length).toBeGreaterThanOrEqual(1);
    heard = nextPayload();
    await notify('chan_r', 'after the drop');
    expect(await heard.received).toBe('after the drop');
    await unlisten();
    expect(pool.totalCount - pool.idleCount).toBe(0);
  });
});
