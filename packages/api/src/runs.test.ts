import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { TRPCClientError } from '@trpc/client';
import { testServers } from '@apiq/db/testing';
import { startApiTestServer, type ApiTestServer } from './test-server.ts';

const server = testServers()[0]!;
const expr = (src: string) => ({ kind: 'expr', src });

describe('runs procedures over HTTP on a real engine', () => {
  let api: ApiTestServer;
  let workflowId: string;
  beforeAll(async () => {
    api = await startApiTestServer(server.url);
    const created = await api.trpc.workflows.create.mutate({
      name: 'Double',
      graph: {
        name: 'Double',
        nodes: [
          { id: 'start', type: 'core.manual_trigger' },
          { id: 'double', type: 'core.set', params: { fields: { n: expr('$trigger.n * 2') }, mode: 'replace' } },
        ],
        edges: [{ source: 'start', target: 'double' }],
      },
    });
    workflowId = created.workflowId;
  });
  afterAll(async () => {
    await api?.close();
  });

  it('starts a run, and shows it with its graph and step attempts', async () => {
    const { runId } = await api.trpc.runs.start.mutate({ workflowId, input: { n: 21 } });
    expect((await api.engine.waitFor(runId))?.status).toBe('succeeded');
    const run = await api.trpc.runs.get.query({ id: runId });
    expect(run).toMatchObject({
      id: runId,
      workflowId,
      workflowName: 'Double',
      status: 'succeeded',
      triggerKind: 'manual',
      input: { n: 21 },
      output: { n: 42 },
      version: 1,
      graph: { name: 'Double' },
      editor: {},
    });
    expect(run.durationMs).toBeGreaterThanOrEqual(0);
    expect(run.steps.map((s) => [s.stepId, s.status, s.attempt, s.itemCount])).toEqual([
      ['start', 'succeeded', 1, 1],
      ['double', 'succeeded', 1, 1],
    ]);
    expect(run.steps[1]).toMatchObject({ input: { n: 21 }, output: { n: 42 }, ports: ['main'] });
  });

  it('lists runs newest first, a page at a time, with filters', async () => {
    const ids: string[] = [];
    for (let n = 0; n < 5; n++) {
      const { runId } = await api.trpc.runs.start.mutate({ workflowId, input: { n } });
      await api.engine.waitFor(runId);
      ids.push(runId);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await api.trpc.runs.list.query({ workflowId, limit: 2, ...(cursor ? { cursor } : {}) });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((r) => r.id));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen.slice(0, 5)).toEqual([...ids].reverse());
    expect(new Set(seen).size).toBe(seen.length);
    expect((await api.trpc.runs.list.query({ status: ['failed'] })).items).toEqual([]);
    const future = new Date(Date.now() + 60_000).toISOString();
    expect((await api.trpc.runs.list.query({ from: future })).items).toEqual([]);
    const bad = await api.trpc.runs.list.query({ cursor: 'garbage' }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(TRPCClientError);
    expect((bad as TRPCClientError<never>).message).toMatch(/cursor/);
  });

  it('refuses actions that do not apply, naming the run status; retries a failed run', async () => {
    const { runId } = await api.trpc.runs.start.mutate({ workflowId, input: { n: 1 } });
    await api.engine.waitFor(runId);
    const cancel = await api.trpc.runs.cancel.mutate({ id: runId }).catch((e: unknown) => e);
    expect((cancel as TRPCClientError<never>).data).toMatchObject({ code: 'CONFLICT' });
    expect((cancel as Error).message).toMatch(/it is succeeded; only queued, waiting or running runs can be cancelled/);

    const failing = await api.trpc.workflows.create.mutate({
      name: 'Fails',
      graph: {
        name: 'Fails',
        nodes: [
          { id: 'start', type: 'core.manual_trigger' },
          { id: 'stop', type: 'core.stop_error', params: { message: 'boom' } },
        ],
        edges: [{ source: 'start', target: 'stop' }],
      },
    });
    const failed = await api.trpc.runs.start.mutate({ workflowId: failing.workflowId });
    expect((await api.engine.waitFor(failed.runId))?.status).toBe('failed');
    expect(await api.trpc.runs.get.query({ id: failed.runId })).toMatchObject({
      status: 'failed',
      error: { message: 'boom', stepId: 'stop' },
    });
    const retried = await api.trpc.runs.retry.mutate({ id: failed.runId });
    expect(retried.id).toBe(failed.runId);
    // The hub may still hold the first "failed" event: wait for the second attempt's row instead.
    const attempts = async () =>
      (await api.trpc.runs.get.query({ id: failed.runId })).steps.filter((s) => s.stepId === 'stop' && s.finishedAt);
    const deadline = Date.now() + 10_000;
    while ((await attempts()).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect((await attempts()).map((s) => s.attempt)).toEqual([1, 2]);
    expect((await api.trpc.runs.get.query({ id: failed.runId })).status).toBe('failed');
  });

  it('cancels, pauses and resumes queued runs', async () => {
    const executor = api.engine.executors[0]!;
    await executor.stop(1000);
    api.engine.executors.length = 0;
    const { runId } = await api.trpc.runs.start.mutate({ workflowId, input: { n: 3 } });
    expect(await api.trpc.runs.pause.mutate({ id: runId })).toMatchObject({ status: 'waiting' });
    expect(await api.trpc.runs.get.query({ id: runId })).toMatchObject({ paused: true });
    expect(await api.trpc.runs.resume.mutate({ id: runId })).toMatchObject({ status: 'queued' });
    expect(await api.trpc.runs.cancel.mutate({ id: runId })).toMatchObject({ status: 'cancelled' });
    await api.engine.startExecutor();
  });

  it('refuses to run a workflow without a valid version, listing the problems', async () => {
    const empty = await api.trpc.workflows.create.mutate({ name: 'Empty' });
    const err = await api.trpc.runs.start.mutate({ workflowId: empty.workflowId }).catch((e: unknown) => e);
    expect((err as TRPCClientError<never>).data).toMatchObject({
      code: 'BAD_REQUEST',
      issues: expect.arrayContaining([expect.objectContaining({ path: 'nodes', code: 'missing_trigger' })]),
    });
  });
});
