import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServers } from '@apiq/db/testing';
import { startLocalServer, type LocalServer } from '@apiq/http/testing';
import { enqueueRun, getRun } from '@apiq/runtime';
import { startTestEngine, type TestEngine } from '@apiq/runtime/testing';
import { startExecutorProcess, waitUntil, type ExecutorProcess } from './support/executor-process.ts';

// Every time the step starts, its executor dies (here: killed with SIGKILL, as an out-of-memory
// abort would). After the third death the run is dead-lettered instead of taking down a fourth.
describe('a step that kills its executor three times', () => {
  const server = testServers()[0]!;
  let engine: TestEngine;
  let upstream: LocalServer;
  const executors: ExecutorProcess[] = [];
  let onRequest: () => void = () => {};

  beforeAll(async () => {
    engine = await startTestEngine(server.url, { executor: false });
    upstream = await startLocalServer(() => onRequest());
  });

  afterAll(async () => {
    await Promise.all(executors.map((e) => e.kill()));
    await upstream?.close();
    await engine?.close();
  });

  it('is dead-lettered with a reason naming the step', async () => {
    const saved = await engine.save({
      name: 'poison',
      nodes: [
        { id: 'start', type: 'core.manual_trigger' },
        { id: 'poison', type: 'core.http_request', params: { url: `${upstream.origin}/explode` } },
      ],
      edges: [{ source: 'start', target: 'poison' }],
    });
    const { runId } = await enqueueRun(engine.db, {
      workflowId: saved.workflowId,
      versionId: saved.versionId,
      triggerKind: 'manual',
      triggerPayload: {},
    });
    for (let death = 1; death <= 3; death++) {
      const arrived = new Promise<void>((r) => (onRequest = r));
      const executor = startExecutorProcess(engine.url, { APIQ_HTTP_ALLOW: '127.0.0.1/32' });
      executors.push(executor);
      await executor.ready;
      await arrived;
      await executor.kill('SIGKILL');
    }
    const survivor = startExecutorProcess(engine.url, { APIQ_HTTP_ALLOW: '127.0.0.1/32' });
    executors.push(survivor);
    await survivor.ready;

    const run = await waitUntil(async () => {
      const r = await getRun(engine.db, runId);
      return r?.status === 'dead' || r?.status === 'succeeded' || r?.status === 'failed' ? r : undefined;
    }, 'the run to be dead-lettered');
    expect(run.status).toBe('dead');
    expect(upstream.requests).toHaveLength(3);
    const letter = await engine.db
      .selectFrom('dead_letters')
      .selectAll()
      .where('run_id', '=', runId)
      .executeTakeFirstOrThrow();
    expect(letter.step_id).toBe('poison');
    expect(letter.reason).toMatch(/executor died 3 times while running step "poison"/);
    const attempts = await engine.db
      .selectFrom('step_attempts')
      .select(['attempt', 'status'])
      .where('run_id', '=', runId)
      .where('step_id', '=', 'poison')
      .orderBy('attempt')
      .execute();
    expect(attempts.map((a) => a.status)).toEqual(['interrupted', 'interrupted', 'interrupted']);
  });
});
