import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServers } from '@apiq/db/testing';
import { signWebhookBody } from '@apiq/sdk';
import { createApiqServer, type ApiqServer } from '@apiq/runtime';
import { startTestEngine, type TestEngine } from '@apiq/runtime/testing';
import { echoWebhook } from './support/echo-webhook.ts';

// Webhooks over real HTTP: a synchronous response arrives only after the run and its step rows
// are committed; one idempotency key gives one run; signatures, size limits and bad JSON are
// refused with clear errors and write nothing.
describe('webhook delivery', () => {
  const server = testServers()[0]!;
  let engine: TestEngine;
  let web: ApiqServer;
  let base = '';
  const secret = 'a-shared-secret-of-some-length';

  beforeAll(async () => {
    engine = await startTestEngine(server.url);
    web = await createApiqServer({ db: engine.db, pool: engine.opened.pool });
    base = `http://127.0.0.1:${await web.listen(0, '127.0.0.1')}`;
    await engine.save(echoWebhook(), { activate: true });
    await engine.save(
      {
        name: 'queued',
        nodes: [
          {
            id: 'hook',
            type: 'core.webhook_trigger',
            params: { path: 'orders/new', respond: 'immediately', maxBodyBytes: 1024 },
          },
        ],
        edges: [],
      },
      { activate: true },
    );
    await engine.save(
      {
        name: 'signed',
        nodes: [
          {
            id: 'hook',
            type: 'core.webhook_trigger',
            params: { path: 'signed', respond: 'last_node', signature: { secret } },
          },
        ],
        edges: [],
      },
      { activate: true },
    );
  });

  afterAll(async () => {
    await web?.close();
    await engine?.close();
  });

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${base}/webhook/${path}`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', ...headers },
    });
  const runCount = async () =>
    Number(
      (
        await engine.db
          .selectFrom('runs')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('answers with the Respond step only after its records are committed', async () => {
    const res = await post('echo', '{"a":1,"b":[1,2,3]}');
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ got: { a: 1, b: [1, 2, 3] } });
    const run = await engine.db
      .selectFrom('runs')
      .selectAll()
      .where('response', 'is not', null)
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();
    const steps = await engine.db
      .selectFrom('step_attempts')
      .select(['step_id', 'status'])
      .where('run_id', '=', run.id)
      .orderBy('id')
      .execute();
    expect(steps).toEqual([
      { step_id: 'hook', status: 'succeeded' },
      { step_id: 'reply', status: 'succeeded' },
    ]);
    // Handed straight to the live executor, which recorded it with its first write: started as
    // it was created, never claimed.
    expect(run.started_at).toEqual(run.created_at);
    expect(run.lease_token).toBe(1);
  });

  it('answers through the queue as well, when handoff is off', async () => {
    const queued = await createApiqServer({ db: engine.db, pool: engine.opened.pool, handoff: false });
    try {
      const port = await queued.listen(0, '127.0.0.1');
      const res = await fetch(`http://127.0.0.1:${port}/webhook/echo`, {
        method: 'POST',
        body: '{"via":"queue"}',
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status).toBe(201);
      expect(await res.json()).toEqual({ got: { via: 'queue' } });
      const run = await engine.db
        .selectFrom('runs')
        .select(['created_at', 'started_at', 'lease_token', 'trigger_payload'])
        .orderBy('created_at', 'desc')
        .executeTakeFirstOrThrow();
      expect(run.trigger_payload).toMatchObject({ body: { via: 'queue' } });
      expect(run.started_at!.getTime()).toBeGreaterThan(run.created_at.getTime());
      expect(run.lease_token).toBe(1);
    } finally {
      await queued.close();
    }
  });

  it('creates one run for two deliveries with the same idempotency key', async () => {
    const before = await runCount();
    const first = await post('orders/new', '{"id":7}', { 'idempotency-key': 'delivery-7' });
    const second = await post('orders/new', '{"id":7}', { 'idempotency-key': 'delivery-7' });
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    const a = (await first.json()) as { runId: string };
    const b = (await second.json()) as { runId: string };
    expect(b.runId).toBe(a.runId);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(await runCount()).toBe(before + 1);
    const third = await post('orders/new', '{"id":7}', { 'idempotency-key': 'delivery-8' });
    expect(((await third.json()) as { runId: string }).runId).not.toBe(a.runId);
  });

  it('refuses a body over the limit with 413 and writes nothing', async () => {
    const before = await runCount();
    const res = await post('orders/new', JSON.stringify({ pad: 'x'.repeat(2000) }));
    expect(res.status).toBe(413);
    expect(((await res.json()) as { message: string }).message).toMatch(/at most 1024/);
    expect(await runCount()).toBe(before);
  });

  it('refuses invalid JSON with 400 and says why', async () => {
    const before = await runCount();
    const res = await post('orders/new', '{"id":');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/not valid JSON/);
    expect(await runCount()).toBe(before);
  });

  it('checks HMAC signatures and their replay window', async () => {
    const body = '{"event":"paid"}';
    const good = await post('signed', body, { 'x-apiq-signature': signWebhookBody(secret, body) });
    expect(good.status).toBe(200);
    expect(await good.json()).toMatchObject({ method: 'POST', body: { event: 'paid' } });
    const before = await runCount();
    const tampered = await post('signed', '{"event":"refunded"}', {
      'x-apiq-signature': signWebhookBody(secret, body),
    });
    expect(tampered.status).toBe(401);
    const old = await post('signed', body, {
      'x-apiq-signature': signWebhookBody(secret, body, Math.floor(Date.now() / 1000) - 600),
    });
    expect(old.status).toBe(401);
    expect(((await old.json()) as { reason: string }).reason).toBe('expired');
    const missing = await post('signed', body);
    expect(missing.status).toBe(401);
    expect(await runCount()).toBe(before);
  });

  it('answers 404 for a path no active workflow listens on', async () => {
    const res = await post('nobody-home', '{}');
    expect(res.status).toBe(404);
    expect(((await res.json()) as { message: string }).message).toContain('/webhook/nobody-home');
  });
});
