import { randomUUID } from 'node:crypto';
import { DEFAULT_WORKSPACE_ID, jsonb, openDatabase, type ConnectionLimits, type OpenDatabase } from '@apiq/db';
import { createTestDatabase, testServers } from '@apiq/db/testing';
import { RateLimitedError } from '@apiq/sdk';
import { rejectionOf } from '@apiq/sdk/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionLimiter } from './connection-limiter.ts';
import type { RequestGate } from './request-gate.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe.each(testServers())('connection limiter on $name', ({ url }) => {
  async function setup(limits: ConnectionLimits | null, o: { maxWaitMs?: number } = {}) {
    const test = await createTestDatabase(url);
    cleanups.push(() => test.drop());
    const opened: OpenDatabase = await openDatabase({ url: test.url });
    cleanups.push(() => opened.close());
    const id = randomUUID();
    await opened.db
      .insertInto('credentials')
      .values({
        id,
        workspace_id: DEFAULT_WORKSPACE_ID,
        name: 'Limited API',
        kind: 'http_bearer',
        envelope: jsonb({}),
        metadata: jsonb({}),
        limits: limits ? jsonb(limits) : null,
        created_at: new Date(),
        updated_at: new Date(),
      })
      .execute();
    // Two limiters on separate pools: two executors sharing one database.
    const limiters = ['a', 'b'].map((owner) => {
      const limiter = new ConnectionLimiter({ db: opened.db, pool: opened.pool, owner, pollMs: 100, ...o });
      cleanups.push(() => limiter.stop());
      return limiter;
    });
    const gates = await Promise.all(limiters.map((l) => l.gateFor({ http_bearer: id })));
    return { db: opened.db, id, gates: gates as [RequestGate, RequestGate], limiters };
  }

  it('gives no gate to steps without a limited connection', async () => {
    const { limiters, id } = await setup(null);
    expect(await limiters[0]!.gateFor({ http_bearer: id })).toBeUndefined();
    expect(await limiters[0]!.gateFor({})).toBeUndefined();
    expect(await limiters[0]!.gateFor(undefined)).toBeUndefined();
  });

  it('spaces requests from two executors at the shared rate', async () => {
    const { gates } = await setup({ requestsPerSecond: 10 });
    const sent: number[] = [];
    await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        const leave = await gates[i % 2]!.enter();
        sent.push(performance.now());
        leave();
      }),
    );
    sent.sort((a, b) => a - b);
    // 8 requests at 10/s, no burst: the last goes out 7 intervals (700 ms) after the first, and any
    // four intervals apart are 400 ms apart (less timer jitter on a busy machine).
    expect(sent[7]! - sent[0]!).toBeGreaterThanOrEqual(600);
    for (let i = 0; i + 4 < sent.length; i++) expect(sent[i + 4]! - sent[i]!).toBeGreaterThanOrEqual(300);
  });

  it('lets at most `concurrency` requests in at once across executors, and the rest in as they leave', async () => {
    const { gates } = await setup({ concurrency: 2 });
    let inFlight = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        const leave = await gates[i % 2]!.enter();
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((r) => setTimeout(r, 30));
        inFlight--;
        leave();
      }),
    );
    expect(most).toBe(2);
  });

  it('holds every executor back after a 429 until its Retry-After', async () => {
    const { gates } = await setup({ concurrency: 5 });
    const leave = await gates[0].enter();
    leave();
    const before = performance.now();
    await gates[0].backOff(400);
    const other = await gates[1].enter();
    other();
    expect(performance.now() - before).toBeGreaterThanOrEqual(380);
  });

  it('refuses, with a rate-limited error, a wait beyond the bound, and stops waiting on abort', async () => {
    const { gates } = await setup({ requestsPerSecond: 1, concurrency: 1 }, { maxWaitMs: 300 });
    const first = await gates[0].enter();
    const tooLong = await rejectionOf<RateLimitedError>(gates[1].enter());
    expect(tooLong).toBeInstanceOf(RateLimitedError);
    expect(tooLong.message).toMatch(/connection "Limited API"/);
    const controller = new AbortController();
    const waiting = gates[1].enter(controller.signal);
    controller.abort(new Error('step cancelled'));
    expect((await rejectionOf<Error>(waiting)).message).toBe('step cancelled');
    first();
  });
});
