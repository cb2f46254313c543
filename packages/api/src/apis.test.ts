import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { TRPCClientError } from '@trpc/client';
import { createSafeFetch, type SafeFetch } from '@apiq/http';
import { startLocalServer, type LocalServer } from '@apiq/http/testing';
import { startMockServer, type MockServer } from '@apiq/openapi/testing';
import { testServers } from '@apiq/db/testing';
import { startApiTestServer, type ApiTestServer } from './test-server.ts';

const server = testServers()[0]!;
const require = createRequire(import.meta.url);
const petstoreFile = require.resolve('@apiq/openapi/specs/petstore.yaml');
const CANARY = 'canary-api-key-5b1e7d';
const TOKEN = 'canary-bearer-token-90c2f4';

async function rejection(promise: Promise<unknown>): Promise<TRPCClientError<never>> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof TRPCClientError)) throw new Error(`expected a tRPC error, got ${String(err)}`);
  return err as TRPCClientError<never>;
}

/** A small API with bearer auth: /echo answers with the request's headers, /big with 300 KiB of JSON. */
const echoSpec = (origin: string) => `
openapi: 3.0.3
info: { title: Echo API, version: '1' }
servers: [{ url: '${origin}' }]
security: [{ bearer: [] }]
components:
  securitySchemes:
    bearer: { type: http, scheme: bearer }
paths:
  /echo:
    get:
      operationId: echoHeaders
      tags: [echo]
      parameters:
        - { name: note, in: query, schema: { type: string } }
      responses: { '200': { description: the headers } }
  /big:
    get:
      operationId: bigList
      tags: [echo]
      responses: { '200': { description: many items } }
  /items/{id}:
    get:
      operationId: getItem
      parameters:
        - { name: itemId, in: path, required: true, schema: { type: string } }
      responses: { '200': { description: never imported } }
`;

describe('apis procedures (imported specs and the API explorer)', () => {
  let api: ApiTestServer;
  let fetch: SafeFetch;
  let petstoreText: string;
  let mock: MockServer;
  let local: LocalServer;

  beforeAll(async () => {
    fetch = createSafeFetch({ allow: ['127.0.0.1/32'] });
    api = await startApiTestServer(server.url, { executor: false, fetch });
    petstoreText = await readFile(petstoreFile, 'utf8');
    mock = await startMockServer(petstoreText);
    local = await startLocalServer((req, res) => {
      if (req.url === '/petstore.yaml') {
        if (req.headers['if-none-match'] === '"v1"') return void res.writeHead(304).end();
        return void res.writeHead(200, { 'content-type': 'application/yaml', etag: '"v1"' }).end(petstoreText);
      }
      if (req.url === '/big') {
        const items = Array.from({ length: 6000 }, (_, i) => ({ id: i, text: 'x'.repeat(40) }));
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(items));
      }
      res.writeHead(200, { 'content-type': 'application/json', 'x-seen-auth': String(req.headers.authorization) });
      res.end(JSON.stringify({ url: req.url, authorization: req.headers.authorization ?? null }));
    });
  });
  afterAll(async () => {
    await api?.close();
    fetch?.close();
    await mock?.close();
    await local?.close();
  });

  it('installs a ready connection and lists and searches its operations by tag', async () => {
    const ready = await api.trpc.apis.ready.query();
    expect(ready.map((r) => r.id)).toEqual(['jsonplaceholder', 'httpbin', 'petstore']);
    expect(ready.find((r) => r.id === 'petstore')).toMatchObject({ authKind: 'api_key_header', specId: null });
    expect(JSON.stringify(ready)).not.toMatch(/specs\/|\.yaml/);

    const installed = await api.trpc.apis.installReady.mutate({ id: 'petstore' });
    expect(installed).toMatchObject({ operations: 19, skipped: [], spec: { slug: 'petstore', readyId: 'petstore' } });
    const specId = installed.spec.id;
    expect((await api.trpc.apis.ready.query()).find((r) => r.id === 'petstore')?.specId).toBe(specId);
    expect(await api.trpc.apis.list.query()).toEqual([expect.objectContaining({ id: specId, operations: 19 })]);

    const detail = await api.trpc.apis.get.query({ id: specId });
    expect(detail.tags).toEqual([
      { tag: 'pet', count: 8 },
      { tag: 'store', count: 4 },
      { tag: 'user', count: 7 },
    ]);
    expect(detail.securitySchemes).toContainEqual(
      expect.objectContaining({ name: 'api_key', kind: 'api_key_header', preset: { headerName: 'api_key' } }),
    );

    const all = await api.trpc.apis.operations.query({ specId });
    expect(all.groups.map((g) => g.tag)).toEqual(['pet', 'store', 'user']);
    expect(all.groups.flatMap((g) => g.operations)).toHaveLength(19);

    const found = await api.trpc.apis.operations.query({ specId, search: 'find pet' });
    expect(found.groups[0]!.operations.map((o) => o.operationId)).toContain('getPetById');
    expect(found.matched).toBeLessThan(19);
    const byPath = await api.trpc.apis.operations.query({ specId, search: '/store/order' });
    expect(byPath.groups.flatMap((g) => g.operations.map((o) => o.operationId)).sort()).toEqual([
      'deleteOrder',
      'getOrderById',
      'placeOrder',
    ]);
    const store = await api.trpc.apis.operations.query({ specId, tag: 'store' });
    expect(store.groups).toEqual([expect.objectContaining({ tag: 'store' })]);
    expect(store.matched).toBe(4);

    const op = await api.trpc.apis.operation.query({ specId, operationId: 'getPetById' });
    expect(op.argsSchema.path).toMatchObject({
      type: 'object',
      properties: { petId: { type: 'integer', description: 'ID of pet to return' } },
      required: ['petId'],
    });
    expect(op.body).toBeNull();
    expect(op.auth.options.map((o) => o.kind)).toEqual(['api_key_header', 'http_bearer']);
    const addPet = await api.trpc.apis.operation.query({ specId, operationId: 'addPet' });
    expect(addPet.body).toMatchObject({ contentType: 'application/json', required: true, schema: { type: 'object' } });

    const params = await api.trpc.apis.nodeParams.query({
      specId,
      operationId: 'getPetById',
      serverUrl: mock.serverUrl,
    });
    expect(params).toMatchObject({
      operation: { operationId: 'getPetById', method: 'GET', path: '/pet/{petId}', serverUrl: mock.serverUrl, specId },
      args: {},
    });
    const missing = await rejection(api.trpc.apis.operation.query({ specId, operationId: 'getPetByColour' }));
    expect(missing.data).toMatchObject({ code: 'NOT_FOUND', issues: [{ path: 'input.operationId' }] });
  });

  it('sends a test request through the api.operation code path with the connection applied and masked', async () => {
    const { spec } = await api.trpc.apis.installReady.mutate({ id: 'petstore' });
    const connection = await api.trpc.connections.create.mutate({
      name: 'Petstore key',
      kind: 'api_key_header',
      values: { apiKey: CANARY },
    });
    const before = mock.requests.length;
    const sent = await api.trpc.apis.send.mutate({
      specId: spec.id,
      operationId: 'getPetById',
      connectionId: connection.id,
      serverUrl: mock.serverUrl,
      args: { path: { petId: '10' } },
    });
    expect(sent).toMatchObject({ ok: true, status: 200, truncated: false, body: { name: expect.any(String) } });
    if (!sent.ok) throw new Error('expected a response');
    expect(sent.timingMs).toBeGreaterThanOrEqual(0);
    expect(sent.headers['content-type']).toMatch(/json/);
    expect(sent.request).toEqual({
      method: 'GET',
      url: `${mock.serverUrl}/pet/10`,
      headers: expect.objectContaining({ api_key: '••••••', accept: expect.any(String) }),
    });
    // The mock (which checks security against the spec) got the real key in the spec's header.
    const received = mock.requests.slice(before);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ url: '/api/v3/pet/10', status: 200, violations: [] });
    expect(received[0]!.headers.api_key).toBe(CANARY);
    expect(JSON.stringify(sent)).not.toContain(CANARY);

    // Without the connection the operation (which requires auth) fails before anything is sent.
    const unauthenticated = await api.trpc.apis.send.mutate({
      specId: spec.id,
      operationId: 'getPetById',
      serverUrl: mock.serverUrl,
      args: { path: { petId: 10 } },
    });
    expect(unauthenticated).toMatchObject({
      ok: false,
      request: null,
      error: { kind: 'fatal', message: expect.stringMatching(/needs credentials: attach one of api_key_header/) },
    });
    expect(mock.requests.length).toBe(before + 1);
  });

  it('refuses arguments that do not fit the operation, and expressions, naming the argument', async () => {
    const { spec } = await api.trpc.apis.installReady.mutate({ id: 'petstore' });
    const base = { specId: spec.id, serverUrl: mock.serverUrl };
    const noId = await rejection(api.trpc.apis.send.mutate({ ...base, operationId: 'getPetById', args: {} }));
    expect(noId.data).toMatchObject({ code: 'BAD_REQUEST' });
    expect((noId.data as unknown as { issues: { path: string; message: string }[] }).issues).toContainEqual({
      path: 'input.args.path.petId',
      message: 'getPetById needs path parameter "petId" (integer)',
      code: 'custom',
    });
    const wrongType = await rejection(
      api.trpc.apis.send.mutate({ ...base, operationId: 'getPetById', args: { path: { petId: 'ten' } } }),
    );
    expect(wrongType.message).toMatch(/args\.path\.petId/);

    const expr = await rejection(
      api.trpc.apis.send.mutate({
        ...base,
        operationId: 'getPetById',
        args: { path: { petId: { kind: 'expr', src: '$input.id' } } },
      }),
    );
    expect(expr.data).toMatchObject({ code: 'BAD_REQUEST', issues: [{ path: 'input.args.path.petId' }] });
    expect(expr.message).toMatch(/plain values/);

    const ftp = await rejection(
      api.trpc.apis.send.mutate({ ...base, operationId: 'getPetById', serverUrl: 'ftp://x', args: {} }),
    );
    expect(ftp.data).toMatchObject({
      code: 'BAD_REQUEST',
      issues: [expect.objectContaining({ path: 'input.serverUrl' })],
    });
  });

  it('redacts the secret from responses that echo it, and cuts large bodies', async () => {
    const imported = await api.trpc.apis.import.mutate({ text: echoSpec(local.origin), name: 'Echo' });
    expect(imported.operations).toBe(2);
    expect(imported.skipped).toEqual([
      expect.objectContaining({ operation: 'GET /items/{id}', reason: expect.stringMatching(/"id"/) }),
    ]);
    const specId = imported.spec.id;
    const bearer = await api.trpc.connections.create.mutate({
      name: 'Echo token',
      kind: 'http_bearer',
      values: { token: TOKEN },
    });

    const echoed = await api.trpc.apis.send.mutate({
      specId,
      operationId: 'echoHeaders',
      connectionId: bearer.id,
      args: { query: { note: 'hi there' } },
    });
    expect(local.requests.at(-1)!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(echoed).toMatchObject({
      ok: true,
      status: 200,
      body: { url: '/echo?note=hi%20there', authorization: 'Bearer [redacted]' },
      headers: { 'x-seen-auth': 'Bearer [redacted]' },
      request: { method: 'GET', url: `${local.origin}/echo?note=hi%20there`, headers: { authorization: '••••••' } },
    });
    expect(JSON.stringify(echoed)).not.toContain(TOKEN);

    const big = await api.trpc.apis.send.mutate({ specId, operationId: 'bigList', connectionId: bearer.id, args: {} });
    if (!big.ok) throw new Error(big.error.message);
    expect(big.truncated).toBe(true);
    expect(big.bodyBytes).toBeGreaterThan(256 * 1024);
    expect(typeof big.body).toBe('string');
    expect((big.body as string).length).toBeLessThanOrEqual(256 * 1024);

    // Any generic kind authenticates (Basic here, masked too); a connector's own kind is refused up front.
    const basicConnection = await api.trpc.connections.create.mutate({
      name: 'Echo basic',
      kind: 'http_basic',
      values: { username: 'someone', password: 'pass-word-77' },
    });
    const basic = await api.trpc.apis.send.mutate({
      specId,
      operationId: 'echoHeaders',
      connectionId: basicConnection.id,
      args: {},
    });
    expect(basic).toMatchObject({ ok: true, request: { headers: { authorization: '••••••' } } });
    expect(JSON.stringify(basic)).not.toContain(Buffer.from('someone:pass-word-77').toString('base64'));
    const github = await api.trpc.connections.create.mutate({
      name: 'GitHub',
      kind: 'github',
      values: { token: 'ghp_123456789' },
    });
    const refused = await rejection(
      api.trpc.apis.send.mutate({ specId, operationId: 'echoHeaders', connectionId: github.id, args: {} }),
    );
    expect(refused.data).toMatchObject({
      code: 'BAD_REQUEST',
      issues: [expect.objectContaining({ path: 'input.connectionId' })],
    });
    expect(refused.message).toMatch(/github connection; API operations authenticate with api_key_header/);
  });

  it('imports by URL with ETag refreshes, and explains documents that are not specs', async () => {
    const url = `${local.origin}/petstore.yaml`;
    const first = await api.trpc.apis.import.mutate({ url, name: 'Petstore from URL' });
    expect(first).toMatchObject({ operations: 19, notModified: false, spec: { sourceUrl: url, readyId: null } });
    expect(first.spec.fetchedAt).not.toBeNull();
    const refreshed = await api.trpc.apis.refresh.mutate({ id: first.spec.id });
    expect(refreshed).toMatchObject({ notModified: true, operations: 19 });
    expect(local.requests.filter((r) => r.url === '/petstore.yaml').at(-1)!.headers['if-none-match']).toBe('"v1"');

    // The shipped Petstore uploaded under the ready API's slug is the user's import, not the ready API.
    const uploaded = await api.trpc.apis.import.mutate({ text: petstoreText, name: 'Petstore' });
    expect(uploaded.spec).toMatchObject({ slug: 'petstore', readyId: null });
    expect((await api.trpc.apis.ready.query()).find((r) => r.id === 'petstore')?.specId).toBeNull();
    const reinstalled = await api.trpc.apis.installReady.mutate({ id: 'petstore' });
    expect(reinstalled.spec).toMatchObject({ id: uploaded.spec.id, name: 'Swagger Petstore', readyId: 'petstore' });

    const pasted = await api.trpc.apis.import.mutate({ text: echoSpec(local.origin), name: 'Echo pasted' });
    const notRefreshable = await rejection(api.trpc.apis.refresh.mutate({ id: pasted.spec.id }));
    expect(notRefreshable.message).toMatch(/nothing to re-fetch/);

    const yaml = await rejection(api.trpc.apis.import.mutate({ text: 'openapi: 3.0.0\ninfo: [unclosed\n' }));
    expect(yaml.data).toMatchObject({
      code: 'BAD_REQUEST',
      issues: [{ path: expect.stringMatching(/line \d+/), code: 'spec_error' }],
    });
    const notSpec = await rejection(api.trpc.apis.import.mutate({ text: '{"hello": "world"}' }));
    expect(notSpec.message).toMatch(/cannot be imported/);
    const both = await rejection(api.trpc.apis.import.mutate({ url, text: 'x' }));
    expect(both.data).toMatchObject({ code: 'BAD_REQUEST', issues: [expect.objectContaining({ path: 'input.text' })] });
    const unreachable = await rejection(
      api.trpc.apis.import.mutate({ url: `${local.origin.replace(/:\d+$/, ':1')}/x.json` }),
    );
    expect(unreachable.message).toMatch(/cannot be downloaded/);

    await api.trpc.apis.delete.mutate({ id: pasted.spec.id });
    expect((await api.trpc.apis.list.query()).some((s) => s.id === pasted.spec.id)).toBe(false);
    const gone = await rejection(api.trpc.apis.get.query({ id: pasted.spec.id }));
    expect(gone.data).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('names the workflows that use a connection, and refuses to delete it meanwhile', async () => {
    const { spec } = await api.trpc.apis.installReady.mutate({ id: 'petstore' });
    const connection = await api.trpc.connections.create.mutate({
      name: 'Used key',
      kind: 'api_key_header',
      values: { apiKey: 'abcdef123456' },
    });
    expect(await api.trpc.connections.usage.query({ id: connection.id })).toEqual({ workflows: [] });
    const params = await api.trpc.apis.nodeParams.query({ specId: spec.id, operationId: 'getPetById' });
    const { workflowId, versionId } = await api.trpc.workflows.create.mutate({
      name: 'Pet lookup',
      graph: {
        name: 'Pet lookup',
        nodes: [
          { id: 'start', type: 'core.manual_trigger' },
          {
            id: 'get_pet',
            type: 'api.operation',
            params: { ...params, args: { path: { petId: 10 } } },
            credentials: { api_key_header: connection.id },
          },
        ],
        edges: [{ source: 'start', target: 'get_pet' }],
      },
    });
    expect(versionId).not.toBeNull();
    expect(await api.trpc.connections.usage.query({ id: connection.id })).toEqual({
      workflows: [{ id: workflowId, name: 'Pet lookup' }],
    });
    const refused = await rejection(api.trpc.connections.delete.mutate({ id: connection.id }));
    expect(refused.data).toMatchObject({ code: 'CONFLICT' });
    expect(refused.message).toMatch(/used by workflow "Pet lookup"/);
    const unknown = await rejection(api.trpc.connections.usage.query({ id: '00000000-0000-4000-8000-000000000000' }));
    expect(unknown.data).toMatchObject({ code: 'NOT_FOUND' });
  });
});
