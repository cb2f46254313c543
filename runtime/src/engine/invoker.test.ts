import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalServer, type LocalServer } from '@apiq/http/testing';
import type { ServerResponse } from 'node:http';
import { createInvoker, type Invoker } from './invoker.ts';
import type { StepInvocation } from './invocation.ts';
import { realCatalog } from '../testing/harness.ts';

describe('the worker-pool invoker', () => {
  let server: LocalServer;
  let invoker: Invoker;
  const held: ServerResponse[] = [];
  const arrivals: (() => void)[] = [];
  const arrived = (n: number) =>
    new Promise<void>((resolve) => (held.length >= n ? resolve() : arrivals.push(() => held.length >= n && resolve())));

  beforeAll(async () => {
    process.env.APIQ_HTTP_ALLOW = '127.0.0.1/32';
    server = await startLocalServer((_req, res) => {
      held.push(res);
      for (const a of arrivals) a();
    });
    invoker = createInvoker({ catalog: await realCatalog(), threads: 1 });
  });
  afterAll(async () => {
    for (const r of held) if (!r.writableEnded) r.end('{}');
    await invoker?.close();
    await server?.close();
  });

  const call = (i: number): StepInvocation => ({
    type: 'core.http_request',
    version: 1,
    params: {
      url: `${server.origin}/hold/${i}`,
      method: 'GET',
      timeoutMs: 30_000,
      failOnStatus: true,
      followRedirects: true,
      bodyType: 'json',
      responseType: 'auto',
      sendIdempotencyKey: false,
    },
    input: null,
    inputs: {},
    trigger: null,
    credentials: {},
    idempotencyKey: `run:call:${i}`,
    state: undefined,
    run: { runId: 'run', workflowId: 'wf', stepId: 'call', attempt: 1, iteration: String(i) },
    timeoutMs: 30_000,
  });

  it('runs several cancellable steps on one thread at once', async () => {
    const signal = new AbortController().signal;
    const running = [0, 1, 2].map((i) => invoker.invoke(call(i), signal));
    await arrived(3);
    for (const r of held.splice(0)) r.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    const results = await Promise.all(running);
    expect(results.map((r) => r.ok && 'output' in r.result && (r.result.output as { body: unknown }).body)).toEqual([
      { ok: true },
      { ok: true },
      { ok: true },
    ]);
  });

  it('cancels a step in flight and aborts its request', async () => {
    const controller = new AbortController();
    const before = server.requests.length;
    const running = invoker.invoke(call(9), controller.signal);
    await arrived(1);
    const socketClosed = new Promise<void>((resolve) => held[0]!.on('close', () => resolve()));
    controller.abort();
    const result = await running;
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.kind).toBe('cancelled');
    await socketClosed;
    expect(server.requests.length).toBe(before + 1);
    held.splice(0);
  });
});
