import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { testServers } from '@apiq/db/testing';
import { startLocalServer, type LocalServer } from '@apiq/http/testing';
import { EditorRunError, startEditorRun, subscribeStepEvents, type StepEvent } from '@apiq/runtime';
import { readRun, startTestEngine, type TestEngine } from '@apiq/runtime/testing';

// Runs started from the editor: pinned outputs, start from a node, run a single node, all on a
// real engine against a real HTTP server that counts what each step asked of it.

const expr = (src: string) => ({ kind: 'expr', src });

describe.each(testServers())('editor run modes on $name', ({ url }) => {
  let engine: TestEngine;
  let upstream: LocalServer;
  let saved: { workflowId: string; versionId: string };
  const calls = (path: string) => upstream.requests.filter((r) => r.url === path).length;

  beforeAll(async () => {
    process.env.APIQ_HTTP_ALLOW = '127.0.0.1/32';
    upstream = await startLocalServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify(req.url === '/item' ? { price: 10 } : { ok: true, got: req.body ? JSON.parse(req.body) : null }),
      );
    });
    engine = await startTestEngine(url);
    saved = await engine.save({
      name: 'Order total',
      nodes: [
        { id: 'start', type: 'core.manual_trigger' },
        { id: 'fetch', type: 'core.http_request', params: { url: `${upstream.origin}/item` } },
        { id: 'audit', type: 'core.http_request', params: { url: `${upstream.origin}/audit` } },
        {
          id: 'calc',
          type: 'core.set',
          params: { fields: { total: expr('$steps.fetch.body.price * $trigger.qty') }, mode: 'replace' },
        },
        {
          id: 'notify',
          type: 'core.http_request',
          params: { method: 'POST', url: `${upstream.origin}/notify`, body: expr('$input') },
        },
      ],
      edges: [
        { source: 'start', target: 'fetch' },
        { source: 'start', target: 'audit' },
        { source: 'fetch', target: 'calc' },
        { source: 'calc', target: 'notify' },
      ],
    });
  });
  afterAll(async () => {
    await engine?.close();
    await upstream?.close();
  });

  async function run(req: Partial<Parameters<typeof startEditorRun>[1]>) {
    const { runId } = await startEditorRun(engine.db, { ...saved, ...req });
    const done = await engine.waitFor(runId);
    if (!done) throw new Error(`run ${runId} did not finish`);
    return readRun(engine.opened, runId);
  }

  it('a pinned node is not executed; its pinned value is its output', async () => {
    const before = { item: calls('/item'), notify: calls('/notify') };
    const result = await run({ input: { qty: 3 }, pinned: { fetch: { status: 200, body: { price: 5 } } } });
    expect(result.status).toBe('succeeded');
    expect(calls('/item')).toBe(before.item);
    expect(result.byStep.fetch).toMatchObject({ status: 'pinned', output: { body: { price: 5 } } });
    expect(result.byStep.calc).toMatchObject({ status: 'succeeded', output: { total: 15 } });
    expect(calls('/notify')).toBe(before.notify + 1);
    expect(upstream.requests.at(-1)?.body).toBe(JSON.stringify({ total: 15 }));
  });

  it('start from a node: upstream outputs come from the earlier run, the node and everything after it run', async () => {
    const first = await run({ input: { qty: 2 } });
    expect(first.byStep.calc?.output).toEqual({ total: 20 });
    const before = { item: calls('/item'), audit: calls('/audit'), notify: calls('/notify') };

    const again = await run({ startAt: 'calc', fromRunId: first.runId });
    expect(again.status).toBe('succeeded');
    expect(calls('/item')).toBe(before.item);
    expect(calls('/audit')).toBe(before.audit);
    expect(calls('/notify')).toBe(before.notify + 1);
    expect(again.byStep.start).toMatchObject({ status: 'reused' });
    expect(again.byStep.fetch).toMatchObject({ status: 'reused', output: first.byStep.fetch!.output });
    expect(again.byStep.audit).toMatchObject({ status: 'reused' });
    // The trigger payload comes from the earlier run too.
    expect(again.byStep.calc).toMatchObject({ status: 'succeeded', attempt: 1, output: { total: 20 } });
    expect(again.byStep.notify?.status).toBe('succeeded');
  });

  it('start from a node with new input and a pin: pins win over reused outputs', async () => {
    const first = await run({ input: { qty: 1 } });
    const again = await run({
      startAt: 'calc',
      fromRunId: first.runId,
      input: { qty: 4 },
      pinned: { fetch: { body: { price: 1.5 } } },
    });
    expect(again.byStep.fetch?.status).toBe('pinned');
    expect(again.byStep.calc?.output).toEqual({ total: 6 });
  });

  it('run a single node: only that node executes, what follows it is skipped', async () => {
    const first = await run({ input: { qty: 5 } });
    const before = { item: calls('/item'), notify: calls('/notify') };
    const single = await run({ only: 'calc', fromRunId: first.runId });
    expect(single.status).toBe('succeeded');
    expect(single.byStep.calc).toMatchObject({ status: 'succeeded', output: { total: 50 } });
    expect(single.byStep.notify?.status).toBe('skipped');
    expect(single.output).toEqual({ total: 50 });
    expect(calls('/item')).toBe(before.item);
    expect(calls('/notify')).toBe(before.notify);
  });

  it('without an earlier run, upstream nodes run to produce the input; side branches do not', async () => {
    const before = { item: calls('/item'), audit: calls('/audit') };
    const result = await run({ startAt: 'calc', input: { qty: 1 } });
    expect(result.status).toBe('succeeded');
    expect(calls('/item')).toBe(before.item + 1);
    expect(calls('/audit')).toBe(before.audit);
    expect(result.byStep.audit?.status).toBe('skipped');
    expect(result.byStep.calc?.output).toEqual({ total: 10 });
  });

  it('publishes step events, in order, only for runs started from the editor', async () => {
    const events: StepEvent[] = [];
    const stop = await subscribeStepEvents(engine.opened.pool, (e) => events.push(e));
    try {
      const result = await run({ input: { qty: 1 }, pinned: { fetch: { body: { price: 2 } } } });
      const plain = await engine.run(saved, { qty: 1 });
      // Events travel on the pool; the run's own events are sent before it finishes, but give the
      // listener connection the time it needs to deliver the last ones.
      await waitUntil(() => events.filter((e) => e.runId === result.runId && e.stepId === 'notify').length >= 2);
      const mine = events.filter((e) => e.runId === result.runId);
      expect(mine.filter((e) => e.stepId === 'calc').map((e) => e.status)).toEqual(['running', 'succeeded']);
      expect(mine.find((e) => e.stepId === 'fetch')).toMatchObject({ status: 'pinned', itemCount: 1 });
      expect(mine.find((e) => e.stepId === 'calc' && e.status === 'succeeded')).toMatchObject({
        itemCount: 1,
        nodeType: 'core.set',
      });
      expect(events.some((e) => e.runId === plain.runId)).toBe(false);
    } finally {
      await stop();
    }
  });

  it('refuses requests it cannot honour, naming the node or run', async () => {
    await expect(startEditorRun(engine.db, { ...saved, startAt: 'nope' })).rejects.toThrow(
      'startAt: the workflow has no node "nope".',
    );
    await expect(startEditorRun(engine.db, { ...saved, startAt: 'calc', only: 'calc' })).rejects.toBeInstanceOf(
      EditorRunError,
    );
    await expect(startEditorRun(engine.db, { ...saved, pinned: { ghost: 1 } })).rejects.toThrow(/pinned\.ghost/);
    const other = await engine.save({ name: 'other', nodes: [{ id: 'start', type: 'core.manual_trigger' }] });
    const otherRun = await engine.run(other);
    await expect(startEditorRun(engine.db, { ...saved, startAt: 'calc', fromRunId: otherRun.runId })).rejects.toThrow(
      /belongs to another workflow/,
    );
    const runs = await engine.db.selectFrom('runs').select('id').where('workflow_id', '=', saved.workflowId).execute();
    const count = runs.length;
    await expect(startEditorRun(engine.db, { ...saved, only: 'missing' })).rejects.toThrow();
    expect(
      (await engine.db.selectFrom('runs').select('id').where('workflow_id', '=', saved.workflowId).execute()).length,
    ).toBe(count);
  });
});

async function waitUntil(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
