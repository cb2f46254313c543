import { createTestDatabase, testServers } from '@apiq/db/testing';
import { genericCredentialKinds } from '@apiq/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { CircuitBoard } from './circuit-board.ts';
import { connectionHost, readCircuitStates } from './connection-circuits.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const HOST = 'api.example.com:443';
const open = (failures: number, nextTryAt: number) => ({
  host: HOST,
  state: 'open' as const,
  failures,
  openedAt: nextTryAt - 30_000,
  nextTryAt,
});

describe('connectionHost', () => {
  it("is the host:port of the connection's base URL, else undefined", () => {
    const bearer = genericCredentialKinds.find((k) => k.id === 'http_bearer');
    expect(connectionHost(bearer, { baseUrl: 'https://api.example.com/v1' })).toBe(HOST);
    expect(connectionHost(bearer, { baseUrl: 'http://127.0.0.1:8080' })).toBe('127.0.0.1:8080');
    expect(connectionHost(bearer, {})).toBeUndefined();
    expect(connectionHost(bearer, { baseUrl: 'not a url' })).toBeUndefined();
  });
});

describe.each(testServers())('circuit states on $name', ({ url }) => {
  async function setup() {
    const test = await createTestDatabase(url);
    cleanups.push(() => test.drop());
    return test.db;
  }

  it('publishes a failing host, merges executors, and forgets it once healthy again', async () => {
    const db = await setup();
    const a = new CircuitBoard({ db, source: 'executor-a' });
    const b = new CircuitBoard({ db, source: 'executor-b' });
    cleanups.push(
      () => a.stop(),
      () => b.stop(),
    );
    expect(await readCircuitStates(db, [HOST])).toEqual(
      new Map([[HOST, { state: 'closed', failures: 0, openUntil: null }]]),
    );

    const until = Date.now() + 30_000;
    a.observe([open(5, until)]);
    b.observe([{ host: HOST, state: 'closed', failures: 2, openedAt: null, nextTryAt: null }]);
    await Promise.all([a.publish(), b.publish()]);
    expect((await readCircuitStates(db, [HOST])).get(HOST)).toEqual({
      state: 'open',
      failures: 5,
      openUntil: new Date(until).toISOString(),
    });

    // Once the cooldown has passed, the next call is a trial.
    expect((await readCircuitStates(db, [HOST], until + 1)).get(HOST)?.state).toBe('half_open');

    a.observe([{ host: HOST, state: 'closed', failures: 0, openedAt: null, nextTryAt: null }]);
    b.observe([{ host: HOST, state: 'closed', failures: 0, openedAt: null, nextTryAt: null }]);
    await Promise.all([a.publish(), b.publish()]);
    expect(await db.selectFrom('circuit_states').selectAll().execute()).toEqual([]);
  });

  it('ignores rows an executor left behind long ago, and removes its rows when it stops', async () => {
    const db = await setup();
    await db
      .insertInto('circuit_states')
      .values({ source: 'gone', host: HOST, state: 'open', failures: 9, updated_at: new Date(Date.now() - 3_600_000) })
      .execute();
    expect((await readCircuitStates(db, [HOST])).get(HOST)?.state).toBe('closed');

    const board = new CircuitBoard({ db, source: 'executor-c' });
    board.observe([open(5, Date.now() + 30_000)]);
    await board.publish();
    expect(await db.selectFrom('circuit_states').select('source').where('source', '=', 'executor-c').execute()).toEqual(
      [{ source: 'executor-c' }],
    );
    await board.stop();
    expect(await db.selectFrom('circuit_states').select('source').where('source', '=', 'executor-c').execute()).toEqual(
      [],
    );
  });
});
