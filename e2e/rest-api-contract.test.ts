import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { compileErrors, validate } from '@readme/openapi-parser';
import { testServers } from '@apiq/db/testing';
import { restRoutes } from '@apiq/api';
import * as out from '../packages/api/src/outputs.ts';
import { startApiTestServer, type ApiTestServer } from '../packages/api/src/test-server.ts';

// The public REST API at /api/v1: every route answers as its OpenAPI document says, errors are
// JSON with the right status, and the document is valid OpenAPI 3.1 listing every route.

const graph = (name: string) => ({
  name,
  nodes: [
    { id: 'start', type: 'core.manual_trigger' },
    {
      id: 'set',
      type: 'core.set',
      params: { fields: { n: { kind: 'expr', src: '$trigger.n + 1' } }, mode: 'replace' },
    },
  ],
  edges: [{ source: 'start', target: 'set' }],
});

describe.each(testServers())('REST API /api/v1 on $name', ({ url }) => {
  let api: ApiTestServer;
  const called = new Set<string>();
  beforeAll(async () => {
    api = await startApiTestServer(url);
  });
  afterAll(async () => {
    await api?.close();
  });

  async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const route = restRoutes.find(
      (r) => r.method === method && new RegExp(`^${r.path.replace(/\{\w+\}/g, '[^/]+')}$`).test(path.split('?')[0]!),
    );
    if (route) called.add(`${route.method} ${route.path}`);
    const res = await fetch(`${api.baseUrl}/api/v1${path}`, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (route && res.ok) {
      // Every success answers in the shape the document declares.
      const parsed = route.response.safeParse(json);
      if (!parsed.success)
        throw new Error(`${method} ${path}: response does not match its schema: ${parsed.error.message}`);
    }
    if (!res.ok) expect(out.ErrorSchema.safeParse(json).success).toBe(true);
    return { status: res.status, json, headers: res.headers };
  }

  it('serves workflows: create, list, get, save, rename, activate, versions, trigger, export, import, delete', async () => {
    const created = await call('POST', '/workflows', { name: 'Rest', graph: graph('Rest') });
    expect(created).toMatchObject({ status: 201, json: { saved: 'version', version: 1 } });
    const id = created.json.workflowId as string;

    expect((await call('GET', '/workflows?search=Rest&active=false')).json.items).toEqual([
      expect.objectContaining({ id, name: 'Rest', active: false, nodeCount: 2, triggerType: 'core.manual_trigger' }),
    ]);
    expect((await call('GET', `/workflows/${id}`)).json).toMatchObject({ id, draft: false, version: 1 });
    const saved = await call('PUT', `/workflows/${id}`, {
      graph: { ...graph('Rest'), description: 'v2' },
      baseVersionId: created.json.versionId,
    });
    expect(saved.json).toMatchObject({ saved: 'version', version: 2 });
    const stale = await call('PUT', `/workflows/${id}`, {
      graph: graph('Rest'),
      baseVersionId: created.json.versionId,
    });
    expect(stale).toMatchObject({ status: 409, json: { error: 'conflict' } });
    expect((await call('PATCH', `/workflows/${id}`, { name: 'Rest renamed' })).json).toMatchObject({ version: 3 });
    expect((await call('POST', `/workflows/${id}/activate`)).json).toMatchObject({ active: true });
    expect((await call('POST', `/workflows/${id}/deactivate`)).json).toMatchObject({ active: false });
    expect(((await call('GET', `/workflows/${id}/versions`)).json.items as unknown[]).length).toBe(3);
    expect((await call('GET', `/workflows/${id}/trigger`)).json).toEqual({ kind: 'manual', nodeId: 'start' });
    const bundle = (await call('GET', `/workflows/${id}/export`)).json;
    expect(bundle).toMatchObject({ apiq: 1, workflows: [{ id, version: 3 }] });
    const imported = await call('POST', '/workflows/import', {
      json: { ...bundle, workflows: [{ graph: graph('Imported') }] },
    });
    expect(imported).toMatchObject({ status: 201, json: { workflows: [{ name: 'Imported', created: true }] } });
    expect((await call('DELETE', `/workflows/${id}`)).json).toEqual({ id, deleted: true });
    expect((await call('GET', `/workflows/${id}`)).status).toBe(404);
  });

  it('serves runs: start, list, get, cancel, retry, pause, resume', async () => {
    const { json: wf } = await call('POST', '/workflows', { name: 'Runs', graph: graph('Runs') });
    const started = await call('POST', '/runs', { workflowId: wf.workflowId, input: { n: 1 } });
    expect(started.status).toBe(201);
    const runId = started.json.runId as string;
    expect((await api.engine.waitFor(runId))?.status).toBe('succeeded');
    expect((await call('GET', `/runs/${runId}`)).json).toMatchObject({ status: 'succeeded', output: { n: 2 } });
    const page = await call('GET', `/runs?workflowId=${wf.workflowId}&status=succeeded,failed&limit=1`);
    expect(page.json).toMatchObject({ items: [{ id: runId }], nextCursor: null });
    const refused = await call('POST', `/runs/${runId}/cancel`);
    expect(refused).toMatchObject({ status: 409, json: { error: 'conflict' } });
    expect(refused.json.message as string).toMatch(/it is succeeded/);
    expect((await call('POST', `/runs/${runId}/retry`)).status).toBe(409);
    expect((await call('POST', `/runs/${runId}/pause`)).status).toBe(409);
    expect((await call('POST', `/runs/${runId}/resume`)).status).toBe(409);

    // A queued run can be paused, resumed and cancelled; a cancelled one retried.
    await api.engine.executors[0]!.stop(1000);
    api.engine.executors.length = 0;
    const queued = (await call('POST', '/runs', { workflowId: wf.workflowId })).json.runId as string;
    expect((await call('POST', `/runs/${queued}/pause`)).json).toMatchObject({ status: 'waiting' });
    expect((await call('POST', `/runs/${queued}/resume`)).json).toMatchObject({ status: 'queued' });
    expect((await call('POST', `/runs/${queued}/cancel`)).json).toMatchObject({ status: 'cancelled' });
    expect((await call('POST', `/runs/${queued}/retry`)).json).toMatchObject({ status: 'queued' });
    await api.engine.startExecutor();
    // The hub still holds the earlier "cancelled" event for a few seconds: wait for success itself.
    const done = await api.engine.hub.waitFor(queued, (e) => e.kind === 'finished' && e.status === 'succeeded', 20_000);
    expect(done?.status).toBe('succeeded');
  });

  it('serves templates and connections (metadata only)', async () => {
    expect((await call('GET', '/templates')).json).toMatchObject({ items: expect.any(Array) });
    const conn = await api.trpc.connections.create.mutate({
      name: 'Bearer',
      kind: 'http_bearer',
      values: { token: 'tok-5e1f' },
    });
    const listed = await call('GET', '/connections');
    expect(listed.json).toMatchObject({ items: [{ id: conn.id, name: 'Bearer', kind: 'http_bearer' }] });
    expect(JSON.stringify(listed.json)).not.toContain('tok-5e1f');
  });

  it('answers bad requests with located issues and the right status', async () => {
    const missing = await call('POST', '/workflows', { graph: {} });
    expect(missing).toMatchObject({
      status: 400,
      json: { error: 'bad_request', issues: [expect.objectContaining({ path: 'body.name' })] },
    });
    expect(await call('GET', '/workflows/not-a-uuid')).toMatchObject({
      status: 400,
      json: { issues: [expect.objectContaining({ path: 'path.id' })] },
    });
    expect(await call('GET', '/runs?limit=9999')).toMatchObject({
      status: 400,
      json: { issues: [expect.objectContaining({ path: 'query.limit' })] },
    });
    expect(await call('GET', '/runs?status=bogus')).toMatchObject({ status: 400 });
    expect(await call('GET', '/workflows/00000000-0000-4000-8000-0000000000ff')).toMatchObject({
      status: 404,
      json: { error: 'not_found' },
    });
    expect(
      await call('POST', '/workflows', 'name=x', { 'content-type': 'application/x-www-form-urlencoded' }),
    ).toMatchObject({
      status: 415,
      json: { error: 'unsupported_media_type' },
    });
    expect(await call('POST', '/workflows', '{"name":')).toMatchObject({
      status: 400,
      json: { message: expect.stringMatching(/not valid JSON/) },
    });
    const huge = await call(
      'POST',
      '/workflows',
      JSON.stringify({ name: 'big', graph: { blob: 'x'.repeat(6 * 1024 * 1024) } }),
    );
    expect(huge).toMatchObject({ status: 413, json: { error: 'payload_too_large' } });
    const wrong = await call('DELETE', '/runs');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST, GET');
    expect(await call('GET', '/nothing-here')).toMatchObject({ status: 404 });
    const empty = await call('POST', '/workflows', { name: 'Empty' });
    const activate = await call('POST', `/workflows/${empty.json.workflowId}/activate`);
    expect(activate).toMatchObject({
      status: 400,
      json: { issues: expect.arrayContaining([expect.objectContaining({ code: 'missing_trigger' })]) },
    });
  });

  it('serves a valid OpenAPI 3.1 document that lists every route, and every route was exercised above', async () => {
    const res = await fetch(`${api.baseUrl}/api/v1/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<string, Record<string, { operationId: string }>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(doc) as never);
    if (!result.valid) throw new Error(compileErrors(result));
    const listed = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(listed.sort()).toEqual(restRoutes.map((r) => `${r.method} ${r.path}`).sort());
    expect(
      new Set(listed.map((l) => doc.paths[l.split(' ')[1]!]![l.split(' ')[0]!.toLowerCase()]!.operationId)).size,
    ).toBe(listed.length);
    expect([...called].sort()).toEqual(listed.sort());
  });
});
