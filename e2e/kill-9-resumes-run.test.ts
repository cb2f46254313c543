import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServers } from '@apiq/db/testing';
import { startLocalServer, type LocalServer } from '@apiq/http/testing';
import { enqueueRun, getRun } from '@apiq/runtime';
import { startTestEngine, type TestEngine } from '@apiq/runtime/testing';
import { startExecutorProcess, waitUntil, type ExecutorProcess } from './support/executor-process.ts';

// A run whose executor is killed with SIGKILL in the middle of a step is finished by another
// executor: completed steps are not run again, the interrupted step shows attempt 2, and both
// attempts carried the same idempotency key.
describe('kill -9 of an executor mid-run', () => {
  const server = testServers()[0]!;
  let engine: TestEngine;
  let upstream: LocalServer;
  let held: (() => void) | undefined;
  let arrived: () => void = () => {};
  const firstArrival = new Promise<void>((r) => (arrived = r));
  const executors: ExecutorProcess[] = [];

  beforeAll(async () => {
    engine = await startTestEngine(server.url, { executor: false });
    upstream = await startLocalServer((_req, res) => {
      if (upstream.requests.length === 1) {
        // Hold the first call open: the executor making it is about to be killed.
        held = () => res.end();
        arrived();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"charged":true}');
    });
    for (let i = 0; i < 2; i++) executors.push(startExecutorProcess(engine.url, { APIQ_HTTP_ALLOW: '127.0.0.1/32' }));
    await Promise.all(executors.map((e) => e.ready));
  });

  afterAll(async () => {
    held?.();
    await Promise.all(executors.map((e) => e.kill()));
    await upstream?.close();
    await engine?.close();
  });

  it('completes on the surviving executor without re-running completed steps', async () => {
    const saved = await engine.save({
      name: 'charge customer',
      nodes: [
        { id: 'start', type: 'core.manual_trigger' },
        { id: 'prep', type: 'core.set', params: { fields: { prepared: true } } },
        {
          id: 'charge',
          type: 'core.http_request',
          params: { method: 'POST', url: `${upstream.origin}/charge`, body: { amount: 42 }, sendIdempotencyKey: true },
        },
        { id: 'done', type: 'core.set', params: { fields: { done: true } } },
      ],
      edges: [
        { source: 'start', target: 'prep' },
        { source: 'prep', target: 'charge' },
        { source: 'charge', target: 'done' },
      ],
    });
    const { runId } = await enqueueRun(engine.db, {
      workflowId: saved.workflowId,
      versionId: saved.versionId,
      triggerKind: 'manual',
      triggerPayload: { order: 1 },
    });
    await firstArrival;
    const owner = (await getRun(engine.db, runId))?.lease_owner ?? '';
    const victim = executors.find((e) => owner.includes(`:${e.pid}:`));
    expect(victim, `lease owner ${owner} is one of the executors`).toBeDefined();
    await victim!.kill('SIGKILL');

    const finished = await waitUntil(async () => {
      const run = await getRun(engine.db, runId);
      return run && ['succeeded', 'failed', 'dead'].includes(run.status) ? run : undefined;
    }, 'the run to finish on the other executor');
    expect(finished.status).toBe('succeeded');
    expect(finished.lease_owner).toBeNull();

    const steps = await engine.db
      .selectFrom('step_attempts')
      .selectAll()
      .where('run_id', '=', runId)
      .orderBy('id')
      .execute();
    const attempts = (id: string) => steps.filter((s) => s.step_id === id).map((s) => [s.attempt, s.status]);
    expect(attempts('start')).toEqual([[1, 'succeeded']]);
    expect(attempts('prep')).toEqual([[1, 'succeeded']]);
    expect(attempts('charge')).toEqual([
      [1, 'interrupted'],
      [2, 'succeeded'],
    ]);
    expect(attempts('done')).toEqual([[1, 'succeeded']]);
    expect(finished.output).toEqual({ status: 200, headers: expect.any(Object), body: { charged: true }, done: true });

    expect(upstream.requests).toHaveLength(2);
    const keys = upstream.requests.map((r) => r.headers['idempotency-key']);
    expect(keys[0]).toBe(`${runId}:charge:`);
    expect(keys[1]).toBe(keys[0]);
  });
});
