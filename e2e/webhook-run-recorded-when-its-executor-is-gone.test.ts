import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServers } from '@apiq/db/testing';
import { createApiqServer, type ApiqServer } from '@apiq/runtime';
import { startTestEngine, type TestEngine } from '@apiq/runtime/testing';
import { echoWebhook } from './support/echo-webhook.ts';

// A synchronous webhook's run is handed to an executor before it is recorded; that executor
// records it with its first write. When the executor is gone before that write, the web process
// records the run itself, another executor runs it, and the caller still gets its answer.
describe('webhook run recorded when its executor is gone', () => {
  const server = testServers()[0]!;
  let engine: TestEngine;
  let web: ApiqServer;
  let base = '';
  const gone = 'gone-before-recording:1:x';

  beforeAll(async () => {
    engine = await startTestEngine(server.url);
    await engine.save(echoWebhook(), { activate: true });
    // Registered with a fresh heartbeat, but nothing listens: as if it died right after its last beat.
    await engine.db.insertInto('executors').values({ id: gone, hostname: 'gone', pid: 1 }).execute();
    web = await createApiqServer({ db: engine.db, pool: engine.opened.pool, webhookRecordHandedRunAfterMs: 300 });
    base = `http://127.0.0.1:${await web.listen(0, '127.0.0.1')}`;
  });

  afterAll(async () => {
    await web?.close();
    await engine?.close();
  });

  it('answers every delivery, whichever executor it was handed to', async () => {
    // The web process hands runs to its two live executors in turn: one of these goes to each.
    const answers = [];
    for (const n of [1, 2]) {
      const res = await fetch(`${base}/webhook/echo`, {
        method: 'POST',
        body: JSON.stringify({ n }),
        headers: { 'content-type': 'application/json' },
      });
      answers.push({ status: res.status, body: await res.json() });
    }
    expect(answers).toEqual([
      { status: 201, body: { got: { n: 1 } } },
      { status: 201, body: { got: { n: 2 } } },
    ]);
    const runs = await engine.db
      .selectFrom('runs')
      .select(['trigger_payload', 'status', 'lease_token', 'recoveries', 'lease_owner'])
      .orderBy('created_at')
      .execute();
    expect(runs).toHaveLength(2);
    expect(runs.every((r) => r.status === 'succeeded' && r.recoveries === 0 && r.lease_owner === null)).toBe(true);
    // Recorded by the live executor's first write (token 1), or by the web process and then
    // claimed (token 2).
    expect(runs.map((r) => r.lease_token).sort()).toEqual([1, 2]);
    const steps = await engine.db.selectFrom('step_attempts').select(['step_id', 'attempt']).execute();
    expect(steps.map((s) => `${s.step_id}:${s.attempt}`).sort()).toEqual(['hook:1', 'hook:1', 'reply:1', 'reply:1']);
  });
});
