import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineNode } from './define-node.ts';
import { errorForStatus } from './errors.ts';
import { rejectionOf, runNode, startTestApi, testContext, type TestApi } from './testing.ts';

const greet = defineNode({
  id: 'demo.greet',
  title: 'Greet',
  description: 'Greets the input name',
  category: 'utility',
  params: z.object({ greeting: z.string().default('Hello') }),
  sideEffects: false,
  run: ({ params, input, log, state }) => {
    log.info('greeting');
    state.set({ count: 1 });
    return { output: `${params.greeting}, ${(input as { name: string }).name}` };
  },
});

describe('node test harness', () => {
  it('parses params with the node schema, runs it and collects logs and state', async () => {
    const { result, logs, state } = await runNode(greet, { input: { name: 'Ada' } });
    expect(result).toEqual({ output: 'Hello, Ada' });
    expect(logs.map((l) => l.message)).toEqual(['greeting']);
    expect(state).toEqual({ count: 1 });
  });
  it('rejects params the schema refuses', async () => {
    await expect(runNode(greet, { params: { greeting: 5 } })).rejects.toThrow(/greeting/);
  });
  it('gives a context whose fetch refuses unless one is passed', async () => {
    const ctx = testContext({}, {});
    await expect(ctx.fetch('http://127.0.0.1/')).rejects.toThrow(/no fetch/);
    expect(ctx.run.stepId).toBe('test-step');
  });
});

const createTicket = defineNode({
  id: 'demo.create_ticket',
  title: 'Create ticket',
  description: 'Opens a ticket',
  category: 'app',
  credentials: [{ kind: 'demo', required: true }],
  params: z.strictObject({ subject: z.string().min(1) }),
  run: async ({ params, credentials, fetch, signal }) => {
    const { apiKey, baseUrl } = credentials.demo ?? {};
    const res = await fetch(`${baseUrl}/v1/tickets?notify=true`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ subject: params.subject }),
      signal,
    });
    if (!res.ok) throw errorForStatus(res.status, `demo answered ${res.status}`, res.headers.get('retry-after'));
    return { output: (await res.json()) as { id: number } };
  },
});

describe('startTestApi', () => {
  const apis: TestApi[] = [];
  afterEach(async () => {
    for (const api of apis.splice(0)) await api.close();
  });
  const start = async (routes: Parameters<typeof startTestApi>[0]) => {
    const api = await startTestApi(routes);
    apis.push(api);
    return api;
  };

  it('runs a node against a local API and records the request it made', async () => {
    const api = await start({
      'POST /v1/tickets': (req) => ({
        status: 201,
        json: { id: 7, subject: (req.json as { subject: string }).subject },
      }),
    });
    const { result } = await runNode(createTicket, {
      params: { subject: 'Refund' },
      credentials: { demo: { apiKey: 'k-123', baseUrl: api.url } },
      api,
    });
    expect(result).toEqual({ output: { id: 7, subject: 'Refund' } });
    expect(api.requests).toHaveLength(1);
    expect(api.requests[0]).toMatchObject({
      method: 'POST',
      path: '/v1/tickets',
      query: { notify: 'true' },
      json: { subject: 'Refund' },
    });
    expect(api.requests[0]!.headers.authorization).toBe('Bearer k-123');
  });

  it('captures :name segments and answers unknown routes with a 404 naming the known ones', async () => {
    const api = await start({ 'GET /boards/:board/cards': (req) => ({ json: [{ idBoard: req.params.board }] }) });
    const ok = await api.fetch(`${api.url}/boards/b%201/cards`);
    expect(await ok.json()).toEqual([{ idBoard: 'b 1' }]);
    const missing = await api.fetch(`${api.url}/cards`, { method: 'DELETE' });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      error: 'no test route for DELETE /cards',
      routes: ['GET /boards/:board/cards'],
    });
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /boards/b%201/cards', 'DELETE /cards']);
  });

  it('replies with status and headers, so typed errors can be tested', async () => {
    const api = await start({ 'POST /v1/tickets': { status: 429, headers: { 'retry-after': '3' }, json: {} } });
    const err = await rejectionOf<{ kind: string; retryAfterMs: number }>(
      runNode(createTicket, {
        params: { subject: 'x' },
        credentials: { demo: { apiKey: 'k', baseUrl: api.url } },
        api,
      }),
    );
    expect(err).toMatchObject({ kind: 'rate_limited', retryAfterMs: 3000 });
  });

  it('opens the safe client to loopback only', async () => {
    const api = await start({});
    await expect(api.fetch('http://10.0.0.1/')).rejects.toMatchObject({ code: 'APIQ_SSRF_BLOCKED' });
  });

  it('refuses a route key that is not "METHOD /path"', async () => {
    await expect(startTestApi({ '/cards': {} })).rejects.toThrow(/must look like "GET \/path\/:id"/);
  });
});
