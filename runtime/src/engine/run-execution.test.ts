import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { testServers } from '@apiq/db/testing';
import { startTestEngine, type TestEngine } from '../testing/harness.ts';
import { enqueueRun, getRun, pauseRun, requestCancel, resumeRun, resumeWaitingRun } from '../store/runs.ts';

const expr = (src: string) => ({ kind: 'expr', src });
/** Waits (polling every 5 ms, at most 5 s) until `check` holds. */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
}
const manual = { id: 'start', type: 'core.manual_trigger' };
const edge = (source: string, target: string, sourcePort = 'main', targetPort = 'main') => ({
  source,
  target,
  sourcePort,
  targetPort,
});

describe.each(testServers())('run execution on $name', ({ url }) => {
  let engine: TestEngine;
  let upstream: Server;
  let upstreamUrl = '';
  let failuresLeft = 0;
  // Requests to /hold stay open until the test releases them.
  const held: { release: () => void }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const arrivals: ((n: number) => void)[] = [];
  let arrived = 0;
  const nextArrival = (count: number) =>
    new Promise<number>((resolve) =>
      arrived >= count ? resolve(arrived) : arrivals.push((n) => n >= count && resolve(n)),
    );
  beforeAll(async () => {
    process.env.APIQ_HTTP_ALLOW = '127.0.0.1/32';
    engine = await startTestEngine(url);
    upstream = createServer((req, res) => {
      if (req.url === '/hold') {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        let done = false;
        const finish = () => {
          if (done) return;
          done = true;
          inFlight--;
        };
        res.on('close', finish);
        held.push({
          release: () => {
            finish();
            res.writeHead(200, { 'content-type': 'application/json' }).end('{"held":false}');
          },
        });
        arrived++;
        for (const a of arrivals) a(arrived);
        return;
      }
      if (req.url === '/flaky' && failuresLeft > 0) {
        failuresLeft--;
        res.writeHead(503).end('busy');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, path: req.url }));
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const addr = upstream.address();
    upstreamUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  });
  afterAll(async () => {
    for (const h of held) h.release();
    await engine?.close();
    upstream?.close();
  });

  const holdFlow = (name: string, settings: Record<string, unknown> = {}) => ({
    name,
    settings,
    nodes: [
      manual,
      { id: 'call', type: 'core.http_request', params: { url: `${upstreamUrl}/hold` } },
      { id: 'after', type: 'core.no_op' },
    ],
    edges: [edge('start', 'call'), edge('call', 'after')],
  });
  const start = async (saved: { workflowId: string; versionId: string }) =>
    (
      await enqueueRun(engine.db, {
        workflowId: saved.workflowId,
        versionId: saved.versionId,
        triggerKind: 'manual',
        triggerPayload: {},
      })
    ).runId;

  it('runs at most `concurrency` runs of a workflow at once', async () => {
    const saved = await engine.save(holdFlow('one at a time', { concurrency: 1 }));
    const base = arrived;
    maxInFlight = inFlight;
    const runs = [await start(saved), await start(saved), await start(saved)];
    const finished = runs.map((id) => engine.waitFor(id));
    for (let i = 1; i <= 3; i++) {
      await nextArrival(base + i);
      expect(inFlight).toBe(1);
      held.shift()!.release();
    }
    expect((await Promise.all(finished)).map((e) => e?.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(maxInFlight).toBe(1);
  });

  it('cancels a running run at once, stopping the step in flight', async () => {
    const saved = await engine.save(holdFlow('cancel running'));
    const base = arrived;
    const runId = await start(saved);
    const finished = engine.waitFor(runId);
    await nextArrival(base + 1);
    expect((await requestCancel(engine.db, runId))?.cancel_requested).toBe(true);
    expect((await finished)?.status).toBe('cancelled');
    const run = await engine.db
      .selectFrom('step_attempts')
      .select(['step_id', 'status'])
      .where('run_id', '=', runId)
      .orderBy('id')
      .execute();
    expect(run.map((s) => s.step_id)).not.toContain('after');
    held.shift()!.release();
  });

  it('stops a step that would outlive the run time limit', async () => {
    const saved = await engine.save(holdFlow('too slow', { timeoutMs: 400 }));
    const base = arrived;
    const run = await engine.run(saved);
    await nextArrival(base + 1);
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ kind: 'timeout', stepId: 'call' });
    expect(run.byStep.after).toBeUndefined();
    held.shift()!.release();
  });

  it('pauses a running run before its next step and resumes it where it stopped', async () => {
    const saved = await engine.save(holdFlow('pause running'));
    const base = arrived;
    const runId = await start(saved);
    const parked = engine.waitFor(runId, ['waiting', 'finished']);
    await nextArrival(base + 1);
    expect(await pauseRun(engine.db, runId)).toBe(true);
    await until(() => engine.executors[0]!.controlled.has(runId));
    held.shift()!.release();
    expect((await parked)?.kind).toBe('waiting');
    const paused = await getRun(engine.db, runId);
    expect(paused?.status).toBe('waiting');
    expect(paused?.state).toMatchObject({ paused: true });
    const finished = engine.waitFor(runId);
    expect(await resumeRun(engine.db, runId)).toBe(true);
    expect((await finished)?.status).toBe('succeeded');
    const steps = await engine.db
      .selectFrom('step_attempts')
      .select(['step_id', 'attempt'])
      .where('run_id', '=', runId)
      .orderBy('id')
      .execute();
    expect(steps).toEqual([
      { step_id: 'start', attempt: 1 },
      { step_id: 'call', attempt: 1 },
      { step_id: 'after', attempt: 1 },
    ]);
  });

  it('runs a linear chain and records every step once', async () => {
    const run = await engine.run(
      {
        name: 'linear',
        nodes: [
          manual,
          { id: 'set', type: 'core.set', params: { fields: { doubled: expr('$trigger.n * 2') } } },
          { id: 'noop', type: 'core.no_op' },
        ],
        edges: [edge('start', 'set'), edge('set', 'noop')],
      },
      { n: 21 },
    );
    expect(run.status).toBe('succeeded');
    expect(run.output).toEqual({ n: 21, doubled: 42 });
    expect(run.steps.map((s) => [s.step_id, s.status, s.attempt])).toEqual([
      ['start', 'succeeded', 1],
      ['set', 'succeeded', 1],
      ['noop', 'succeeded', 1],
    ]);
  });

  it('takes only the matching branch of an If and skips the other', async () => {
    const graph = {
      name: 'branch',
      nodes: [
        manual,
        { id: 'check', type: 'core.if', params: { condition: { '>': [{ var: 'input.total' }, 100] } } },
        { id: 'high', type: 'core.set', params: { fields: { tier: 'high' }, mode: 'replace' } },
        { id: 'low', type: 'core.set', params: { fields: { tier: 'low' }, mode: 'replace' } },
      ],
      edges: [edge('start', 'check'), edge('check', 'high', 'true'), edge('check', 'low', 'false')],
    };
    const saved = await engine.save(graph);
    const high = await engine.run(saved, { total: 150 });
    expect(high.output).toEqual({ tier: 'high' });
    expect(high.byStep.low?.status).toBe('skipped');
    const low = await engine.run(saved, { total: 5 });
    expect(low.output).toEqual({ tier: 'low' });
    expect(low.byStep.high?.status).toBe('skipped');
  });

  it('loops with for-each, runs user code per item in the worker pool, and aggregates', async () => {
    const run = await engine.run(
      {
        name: 'loop',
        nodes: [
          manual,
          { id: 'each', type: 'core.for_each', params: { items: expr('$trigger.items') } },
          { id: 'square', type: 'core.code', params: { code: 'return { n: input, sq: input * input };' } },
          { id: 'collect', type: 'core.aggregate' },
        ],
        edges: [edge('start', 'each'), edge('each', 'square', 'item'), edge('square', 'collect')],
      },
      { items: [1, 2, 3] },
    );
    expect(run.status).toBe('succeeded');
    expect(run.output).toEqual([
      { n: 1, sq: 1 },
      { n: 2, sq: 4 },
      { n: 3, sq: 9 },
    ]);
    expect(Object.keys(run.byStep).filter((k) => k.startsWith('square['))).toEqual([
      'square[0]',
      'square[1]',
      'square[2]',
    ]);
  });

  it('retries a failing HTTP step with backoff and records each attempt', async () => {
    failuresLeft = 2;
    const run = await engine.run({
      name: 'retry',
      nodes: [
        manual,
        {
          id: 'call',
          type: 'core.http_request',
          params: { url: `${upstreamUrl}/flaky` },
          policy: { retry: { maxAttempts: 3, backoffMs: 20, maxBackoffMs: 50 } },
        },
      ],
      edges: [edge('start', 'call')],
    });
    expect(run.status).toBe('succeeded');
    expect(run.steps.filter((s) => s.step_id === 'call').map((s) => [s.attempt, s.status])).toEqual([
      [1, 'failed'],
      [2, 'failed'],
      [3, 'succeeded'],
    ]);
    expect((run.output as { body: unknown }).body).toEqual({ ok: true, path: '/flaky' });
  });

  it('fails the run with the step error when retries are exhausted', async () => {
    const run = await engine.run({
      name: 'fatal',
      nodes: [manual, { id: 'stop', type: 'core.stop_error', params: { message: 'order total is negative' } }],
      edges: [edge('start', 'stop')],
    });
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ message: 'order total is negative', stepId: 'stop', kind: 'fatal' });
  });

  it('routes a failure to the error port when it is wired', async () => {
    const run = await engine.run({
      name: 'error-port',
      nodes: [
        manual,
        { id: 'stop', type: 'core.stop_error', params: { message: 'boom' } },
        {
          id: 'handler',
          type: 'core.set',
          params: { fields: { handled: expr('$input.error.message') }, mode: 'replace' },
        },
      ],
      edges: [edge('start', 'stop'), edge('stop', 'handler', 'error')],
    });
    expect(run.status).toBe('succeeded');
    expect(run.output).toEqual({ handled: 'boom' });
  });

  it('parks a run on a webhook wait and resumes it with the posted payload', async () => {
    const saved = await engine.save({
      name: 'approval',
      nodes: [
        manual,
        { id: 'wait', type: 'core.wait', params: { mode: 'webhook' } },
        { id: 'after', type: 'core.no_op' },
      ],
      edges: [edge('start', 'wait'), edge('wait', 'after')],
    });
    const parked = await engine.run(saved, { order: 7 });
    expect(parked.status).toBe('waiting');
    const row = await getRun(engine.db, parked.runId);
    const token = (row?.state as { resumeToken: string }).resumeToken;
    expect(await resumeWaitingRun(engine.db, parked.runId, 'wrong-token', {})).toBe(false);
    const finished = engine.waitFor(parked.runId);
    expect(await resumeWaitingRun(engine.db, parked.runId, token, { approved: true })).toBe(true);
    expect((await finished)?.status).toBe('succeeded');
    const done = await getRun(engine.db, parked.runId);
    expect(done?.output).toEqual({ approved: true });
  });

  it('gives steps the resume URL before the wait parks the run', async () => {
    const saved = await engine.save({
      name: 'approval link',
      nodes: [
        manual,
        { id: 'link', type: 'core.set', params: { fields: { approveAt: expr('$run.resumeUrl') } } },
        { id: 'wait', type: 'core.wait', params: { mode: 'webhook' } },
      ],
      edges: [edge('start', 'link'), edge('link', 'wait')],
    });
    const parked = await engine.run(saved);
    expect(parked.status).toBe('waiting');
    const url = (parked.byStep.link?.output as { approveAt: string }).approveAt;
    const match = /\/webhook-resume\/([0-9a-f-]{36})\/([\w-]+)$/.exec(url);
    expect(match?.[1]).toBe(parked.runId);
    const finished = engine.waitFor(parked.runId);
    expect(await resumeWaitingRun(engine.db, parked.runId, match![2]!, { approved: 'yes' })).toBe(true);
    expect((await finished)?.status).toBe('succeeded');
    expect((await getRun(engine.db, parked.runId))?.output).toEqual({ approved: 'yes' });
  });

  it('runs for-each items concurrently when asked, keeping results in item order', async () => {
    const base = arrived;
    maxInFlight = inFlight;
    const saved = await engine.save({
      name: 'parallel items',
      nodes: [
        manual,
        { id: 'each', type: 'core.for_each', params: { items: expr('$trigger.ids'), concurrency: 3 } },
        { id: 'call', type: 'core.http_request', params: { url: `${upstreamUrl}/hold` } },
        { id: 'tag', type: 'core.code', params: { code: 'return { id: item, status: input.status };' } },
        { id: 'all', type: 'core.aggregate' },
      ],
      edges: [edge('start', 'each'), edge('each', 'call', 'item'), edge('call', 'tag'), edge('tag', 'all')],
    });
    const { runId } = await enqueueRun(engine.db, {
      workflowId: saved.workflowId,
      versionId: saved.versionId,
      triggerKind: 'manual',
      triggerPayload: { ids: ['a', 'b', 'c'] },
    });
    const finished = engine.waitFor(runId);
    await nextArrival(base + 3);
    expect(inFlight).toBe(3);
    for (let i = 0; i < 3; i++) held.shift()!.release();
    expect((await finished)?.status).toBe('succeeded');
    expect((await getRun(engine.db, runId))?.output).toEqual([
      { id: 'a', status: 200 },
      { id: 'b', status: 200 },
      { id: 'c', status: 200 },
    ]);
  });

  it('waits for a duration and then continues', async () => {
    const run = await engine.run(
      {
        name: 'sleepy',
        nodes: [
          manual,
          { id: 'wait', type: 'core.wait', params: { mode: 'duration', durationMs: 200 } },
          { id: 'after', type: 'core.no_op' },
        ],
        edges: [edge('start', 'wait'), edge('wait', 'after')],
      },
      { x: 1 },
    );
    expect(run.status).toBe('waiting');
    const event = await engine.waitFor(run.runId, ['finished'], 10_000);
    expect(event?.status).toBe('succeeded');
    expect((await getRun(engine.db, run.runId))?.output).toEqual({ x: 1 });
  });

  it('cancels a waiting run', async () => {
    const parked = await engine.run({
      name: 'cancel-me',
      nodes: [manual, { id: 'wait', type: 'core.wait', params: { mode: 'webhook' } }],
      edges: [edge('start', 'wait')],
    });
    expect(parked.status).toBe('waiting');
    const cancelled = await requestCancel(engine.db, parked.runId);
    expect(cancelled?.status).toBe('cancelled');
  });

  it('runs compensation steps in reverse when a later step fails', async () => {
    const run = await engine.run({
      name: 'saga',
      settings: { compensateOnFailure: true },
      nodes: [
        manual,
        { id: 'reserve', type: 'core.set', params: { fields: { reserved: true } }, policy: { compensate: 'release' } },
        { id: 'release', type: 'core.set', params: { fields: { released: true }, mode: 'replace' } },
        { id: 'charge', type: 'core.stop_error', params: { message: 'card declined' } },
      ],
      edges: [edge('start', 'reserve'), edge('reserve', 'charge')],
    });
    expect(run.status).toBe('failed');
    expect(run.byStep.release).toMatchObject({ status: 'compensated', output: { released: true } });
  });

  it('starts the error workflow with the failure when a run fails', async () => {
    const handler = await engine.save({ name: 'on-error', nodes: [manual], edges: [] });
    const run = await engine.run({
      name: 'fails-with-handler',
      settings: { errorWorkflowId: handler.workflowId },
      nodes: [manual, { id: 'stop', type: 'core.stop_error', params: { message: 'nope' } }],
      edges: [edge('start', 'stop')],
    });
    expect(run.status).toBe('failed');
    const child = await engine.db
      .selectFrom('runs')
      .selectAll()
      .where('parent_run_id', '=', run.runId)
      .executeTakeFirst();
    expect(child?.workflow_id).toBe(handler.workflowId);
    expect(child?.trigger_payload).toMatchObject({ error: { message: 'nope' }, run: { id: run.runId } });
  });

  it('refuses writes from an executor whose lease was taken over (fencing)', async () => {
    const { commitRunWrites, LeaseLostError } = await import('./step-writer.ts');
    const run = await engine.run({ name: 'fence', nodes: [manual], edges: [] });
    await expect(
      commitRunWrites(engine.db, { runId: run.runId, owner: 'someone-else', token: 1 }, [], { status: 'failed' }),
    ).rejects.toBeInstanceOf(LeaseLostError);
    expect((await getRun(engine.db, run.runId))?.status).toBe('succeeded');
  });
});
