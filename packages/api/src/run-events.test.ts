import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { testServers } from '@apiq/db/testing';
import { startLocalServer, type LocalServer } from '@apiq/http/testing';
import { enqueueRun } from '@apiq/runtime';
import { openEventStream, startApiTestServer, type ApiTestServer, type SseEvent } from './test-server.ts';

const server = testServers()[0]!;
const expr = (src: string) => ({ kind: 'expr', src });

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const stepStatuses = (events: SseEvent[], stepId: string) =>
  events
    .filter((e) => e.event === 'step' && (e.data as { stepId: string }).stepId === stepId)
    .map((e) => (e.data as { status: string }).status);

describe('run event streams (SSE)', () => {
  let api: ApiTestServer;
  let upstream: LocalServer;
  let release: () => void = () => {};
  let held = new Promise<void>((r) => (release = r));
  let workflowId: string;
  let slowWorkflowId: string;

  beforeAll(async () => {
    process.env.APIQ_HTTP_ALLOW = '127.0.0.1/32';
    upstream = await startLocalServer(async (req, res) => {
      if (req.url === '/hold') await held;
      res.setHeader('content-type', 'application/json');
      res.end('{"ok":true}');
    });
    api = await startApiTestServer(server.url, {
      executor: false,
      handler: { keepAliveMs: 50, stepPollMs: 50, startedPollMs: 50 },
    });
    const created = await api.trpc.workflows.create.mutate({
      name: 'Live',
      graph: {
        name: 'Live',
        nodes: [
          { id: 'start', type: 'core.manual_trigger' },
          { id: 'items', type: 'core.set', params: { fields: { list: expr('[1, 2, 3]') }, mode: 'replace' } },
          { id: 'pick', type: 'core.code', params: { code: 'return input.list;' } },
        ],
        edges: [
          { source: 'start', target: 'items' },
          { source: 'items', target: 'pick' },
        ],
      },
    });
    workflowId = created.workflowId;
    const slow = await api.trpc.workflows.create.mutate({
      name: 'Slow',
      graph: {
        name: 'Slow',
        nodes: [
          { id: 'start', type: 'core.manual_trigger' },
          { id: 'call', type: 'core.http_request', params: { url: `${upstream.origin}/hold` } },
        ],
        edges: [{ source: 'start', target: 'call' }],
      },
    });
    slowWorkflowId = slow.workflowId;
  });
  afterAll(async () => {
    release();
    await api?.close();
    await upstream?.close();
  });

  async function withExecutor<T>(fn: () => Promise<T>): Promise<T> {
    const executor = await api.engine.startExecutor();
    try {
      return await fn();
    } finally {
      await executor.stop(2000);
      api.engine.executors.splice(api.engine.executors.indexOf(executor), 1);
    }
  }

  it('streams an editor run: snapshot, live step events in order with item counts, then finished', async () => {
    const { runId } = await api.trpc.runs.start.mutate({ workflowId });
    const stream = await openEventStream(`${api.baseUrl}/api/runs/${runId}/events`);
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(stream.headers.get('cache-control')).toBe('no-cache, no-transform');
    const snapshot = await stream.next((e) => e.event === 'snapshot');
    expect(snapshot.data).toMatchObject({ run: { id: runId, status: 'queued', workflowId }, steps: [] });

    await withExecutor(async () => {
      const finished = await stream.next((e) => e.event === 'finished');
      expect(finished.data).toMatchObject({ id: runId, status: 'succeeded' });
      await stream.ended;
    });
    expect(stream.events.at(-1)?.event).toBe('finished');
    expect(stepStatuses(stream.events, 'items')).toEqual(['running', 'succeeded']);
    expect(stepStatuses(stream.events, 'pick')).toEqual(['running', 'succeeded']);
    const pick = stream.events.find(
      (e) =>
        e.event === 'step' &&
        (e.data as { stepId: string; status: string }).stepId === 'pick' &&
        (e.data as { status: string }).status === 'succeeded',
    );
    expect(pick?.data).toMatchObject({ itemCount: 3, nodeType: 'core.code', attempt: 1, iteration: '' });
    const final = stream.events.filter((e) => e.event === 'snapshot').at(-1)!;
    expect(final.data).toMatchObject({ run: { status: 'succeeded' } });
    expect((final.data as { steps: unknown[] }).steps).toHaveLength(3);
  });

  it('streams a run not started from the editor by reading its steps', async () => {
    const slow = await api.trpc.workflows.get.query({ id: slowWorkflowId });
    const { runId } = await enqueueRun(api.engine.db, {
      workflowId: slowWorkflowId,
      versionId: slow.versionId!,
      triggerKind: 'webhook',
      triggerPayload: {},
    });
    const stream = await openEventStream(`${api.baseUrl}/api/runs/${runId}/events`);
    await stream.next((e) => e.event === 'snapshot');
    await withExecutor(async () => {
      // The step's start is read from its row while the upstream holds the request.
      await stream.next((e) => e.event === 'step' && (e.data as { stepId: string }).stepId === 'call');
      expect(stepStatuses(stream.events, 'call')).toEqual(['running']);
      release();
      await stream.next((e) => e.event === 'finished');
    });
    held = new Promise<void>((r) => (release = r));
    const final = stream.events.filter((e) => e.event === 'snapshot').at(-1)!;
    expect((final.data as { steps: { stepId: string; status: string }[] }).steps).toContainEqual(
      expect.objectContaining({ stepId: 'call', status: 'succeeded' }),
    );
    expect(stream.events.at(-1)).toMatchObject({ event: 'finished', data: { status: 'succeeded' } });
  });

  it('answers a finished run with its snapshot and finished at once', async () => {
    const { runId } = await api.trpc.runs.start.mutate({ workflowId });
    await withExecutor(() => api.engine.waitFor(runId));
    const stream = await openEventStream(`${api.baseUrl}/api/runs/${runId}/events`);
    await stream.ended;
    expect(stream.events.map((e) => e.event)).toEqual(['snapshot', 'snapshot', 'finished']);
  });

  it('sends keep-alive comments, and releases everything when the client goes away', async () => {
    const { runId } = await api.trpc.runs.start.mutate({ workflowId });
    const before = api.engine.opened.pool.totalCount - api.engine.opened.pool.idleCount;
    const stream = await openEventStream(`${api.baseUrl}/api/runs/${runId}/events`);
    await stream.next((e) => e.event === 'snapshot');
    expect(api.handler.streams()).toEqual({ open: 1, listening: true });
    await waitUntil(() => stream.comments.includes('keep-alive'));
    stream.close();
    await waitUntil(() => api.handler.streams().open === 0 && !api.handler.streams().listening);
    await waitUntil(() => api.engine.opened.pool.totalCount - api.engine.opened.pool.idleCount <= before);
    await api.trpc.runs.cancel.mutate({ id: runId });
  });

  it('refuses unknown runs and bad ids with JSON errors', async () => {
    const missing = await fetch(`${api.baseUrl}/api/runs/00000000-0000-4000-8000-00000000abcd/events`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: 'not_found' });
    const bad = await fetch(`${api.baseUrl}/api/runs/nope/events`);
    expect(bad.status).toBe(400);
  });

  it('streams run activity for monitoring: started and finished with workflow and duration', async () => {
    const stream = await openEventStream(`${api.baseUrl}/api/runs/stream`);
    await waitUntil(() => stream.comments.includes('connected'));
    await withExecutor(async () => {
      const { runId } = await api.trpc.runs.start.mutate({ workflowId: slowWorkflowId });
      const started = await stream.next(
        (e) => (e.data as { kind: string; id: string }).kind === 'started' && (e.data as { id: string }).id === runId,
      );
      expect(started.data).toMatchObject({ workflowId: slowWorkflowId, status: 'running' });
      release();
      const finished = await stream.next(
        (e) => (e.data as { kind: string; id: string }).kind === 'finished' && (e.data as { id: string }).id === runId,
      );
      expect(finished.data).toMatchObject({ workflowId: slowWorkflowId, status: 'succeeded' });
      expect((finished.data as { durationMs: number }).durationMs).toBeGreaterThanOrEqual(0);
    });
    stream.close();
    await waitUntil(() => api.handler.streams().open === 0);
    held = new Promise<void>((r) => (release = r));
  });
});
