import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createSafeFetch, type SafeFetch } from '@apiq/http';
import { startLocalServer, type LocalHandler } from '@apiq/http/testing';
import { operationNodeParams, parseSpec, type ApiSpec } from '@apiq/openapi';
import { startMockServer, type MockServer } from '@apiq/openapi/testing';
import { FatalError, paramsJsonSchema, RateLimitedError, RetryableError, type Json } from '@apiq/sdk';
import { rejectionOf, runNode } from '@apiq/sdk/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { apiOperation } from './index.ts';

const require = createRequire(import.meta.url);
const petstoreFile = require.resolve('@apiq/openapi/specs/petstore.yaml');

let spec: ApiSpec;
let mock: MockServer;
let fetch: SafeFetch;
const cleanups: Array<() => unknown> = [];

beforeAll(async () => {
  const text = await readFile(petstoreFile, 'utf8');
  spec = await parseSpec(text);
  mock = await startMockServer(text);
  fetch = createSafeFetch({ allow: ['127.0.0.1/32'] });
});
afterAll(async () => {
  fetch.close();
  await mock.close();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Node params for a Petstore operation, pointed at the mock, with the given arguments. */
function paramsFor(operationId: string, args: Record<string, unknown> = {}, serverUrl = mock.serverUrl) {
  return { ...operationNodeParams(spec, operationId, serverUrl), args };
}

async function call(params: unknown, credentials: Record<string, Record<string, string>> = {}) {
  const { result } = await runNode(apiOperation, { params, fetch, credentials, idempotencyKey: 'run-1:step:1' });
  if (!('output' in result)) throw new Error('expected an output');
  return result.output as { status: number; headers: Record<string, string>; body: Json };
}

describe('api.operation definition', () => {
  it('accepts every generic credential kind and has a schema the editor can render', () => {
    expect(apiOperation).toMatchObject({ id: 'api.operation', version: 1, category: 'network', sideEffects: true });
    expect(apiOperation.credentials.map((c) => c.kind)).toEqual([
      'api_key_header',
      'api_key_query',
      'http_bearer',
      'http_basic',
      'oauth2_authorization_code',
      'oauth2_client_credentials',
    ]);
    const schema = paramsJsonSchema(apiOperation) as { required: string[]; properties: Record<string, unknown> };
    expect(schema.required).toEqual(['operation']);
    expect(Object.keys(schema.properties)).toEqual([
      'operation',
      'args',
      'timeoutMs',
      'failOnStatus',
      'sendIdempotencyKey',
    ]);
  });

  it('takes what operationNodeParams builds, and checks the arguments against the parameter schemas', () => {
    const ok = apiOperation.params.safeParse(paramsFor('getPetById', { path: { petId: 10 } }));
    expect(ok.success).toBe(true);
    for (const op of spec.operations) {
      // Arguments are still to be filled in: only the operation's shape is checked here.
      const parsed = apiOperation.params.safeParse(paramsFor(op.operationId));
      expect(
        (parsed.error?.issues ?? []).filter((i) => i.path[0] !== 'args'),
        op.operationId,
      ).toEqual([]);
    }
    const issues = (args: unknown, operationId = 'getPetById') =>
      (apiOperation.params.safeParse(paramsFor(operationId, args as Record<string, unknown>)).error?.issues ?? []).map(
        (i) => [i.path.join('.'), i.message],
      );
    expect(issues({})).toEqual([['args.path.petId', 'getPetById needs path parameter "petId" (integer)']]);
    expect(issues({ path: { petId: 'ten' } })).toEqual([
      ['args.path.petId', 'path parameter "petId" of getPetById: Invalid input: expected number, received string'],
    ]);
    expect(issues({ path: { petId: 10 }, query: { limt: 5 } })).toEqual([
      ['args.query.limt', '"limt" is not a query parameter of getPetById (it has: none)'],
    ]);
    expect(issues({ path: { petId: 10 }, body: { a: 1 } })).toEqual([
      ['args.body', 'getPetById (GET /pet/{petId}) takes no request body'],
    ]);
    expect(issues({}, 'addPet')).toEqual([['args.body', 'addPet needs a request body (application/json)']]);
    expect(issues({ body: { name: 'Rex', photoUrls: [], status: 'lost' } }, 'addPet')).toEqual([
      [
        'args.body.status',
        'request body of addPet at status: Invalid option: expected one of "available"|"pending"|"sold"',
      ],
    ]);
    // Expressions are resolved before the run; the editor's check leaves them alone.
    expect(issues({ path: { petId: { kind: 'expr', src: '$input.id' } } })).toEqual([]);
    // Path values typed as text (from a webhook, a form) count as numbers when they are numbers.
    expect(issues({ path: { petId: '10' } })).toEqual([]);
  });
});

describe('api.operation against a Prism mock of the Petstore spec', () => {
  it('calls an operation with its credential; the mock finds the request valid', async () => {
    const before = mock.requests.length;
    const output = await call(paramsFor('getPetById', { path: { petId: '10' } }), {
      api_key_header: { headerName: 'X-API-Key', apiKey: 'secret-key' },
    });
    expect(output.status).toBe(200);
    expect(output.body).toMatchObject({ id: 10, name: 'doggie', photoUrls: expect.any(Array) });
    const seen = mock.requests[before]!;
    expect(seen).toMatchObject({ method: 'GET', url: '/api/v3/pet/10', status: 200, violations: [] });
    // The spec names the header: api_key, whatever the credential's default says.
    expect(seen.headers.api_key).toBe('secret-key');
    expect(seen.headers['x-api-key']).toBeUndefined();
  });

  it('sends JSON bodies and exploded array queries the way the spec describes them', async () => {
    const before = mock.requests.length;
    const order = await call(
      paramsFor('placeOrder', { body: { id: 7, petId: 10, quantity: 2, status: 'placed', complete: false } }),
    );
    // Prism answers with the spec's examples.
    expect(order).toMatchObject({ status: 200, body: { id: 10, petId: 198772, quantity: 7 } });
    expect(mock.requests[before]).toMatchObject({ status: 200, violations: [] });
    expect(JSON.parse(mock.requests[before]!.body)).toEqual({
      id: 7,
      petId: 10,
      quantity: 2,
      status: 'placed',
      complete: false,
    });
    expect(mock.requests[before]!.headers['content-type']).toBe('application/json');

    const found = await call(paramsFor('findPetsByTags', { query: { tags: ['tag1', 'tag 2'] } }), {
      http_bearer: { token: 'access-token' },
    });
    expect(found.status).toBe(200);
    expect(mock.requests[before + 1]).toMatchObject({
      url: '/api/v3/pet/findByTags?tags=tag1&tags=tag%202',
      violations: [],
    });
    expect(mock.requests[before + 1]!.headers.authorization).toBe('Bearer access-token');
  });

  it('is checked by the mock, not only by itself: a request that breaks the contract is rejected', async () => {
    // Tampered operation data: petId typed as a string, so the node's own check lets "abc" through.
    const params = paramsFor('getPetById', { path: { petId: 'abc' } });
    params.operation.parameters = [{ ...params.operation.parameters[0]!, schema: { type: 'string' } }];
    const before = mock.requests.length;
    const err = await rejectionOf<Error>(call(params, { api_key_header: { apiKey: 'k' } }));
    expect(err).toBeInstanceOf(FatalError);
    expect(err.message).toMatch(/^getPetById \(GET http:\/\/127\.0\.0\.1:\d+\/api\/v3\/pet\/\{petId\}\) returned 400/);
    expect(mock.requests[before]!.violations).toEqual([
      { location: 'path.petid', message: 'Request path parameter petid must be integer' },
    ]);

    // Tampered auth: the node believes no credential is needed; the mock enforces the spec's security.
    const open = paramsFor('getPetById', { path: { petId: 10 } });
    open.operation.auth = { required: false, options: [] };
    const unauthorised = await rejectionOf<Error>(call(open));
    expect(unauthorised).toBeInstanceOf(FatalError);
    expect(unauthorised.message).toMatch(/returned 401 Unauthorized: .*security requirements/);
  });

  it('refuses to call an operation that needs credentials when none is attached, naming the choices', async () => {
    const before = mock.requests.length;
    const err = await rejectionOf<Error>(call(paramsFor('getPetById', { path: { petId: 10 } })));
    expect(err).toBeInstanceOf(FatalError);
    expect(err.message).toBe(
      'getPetById needs credentials: attach one of api_key_header (scheme api_key), http_bearer (scheme petstore_auth) to this node',
    );
    expect(mock.requests.length).toBe(before);
  });
});

describe('api.operation against a local server', () => {
  async function server(handler: LocalHandler) {
    const started = await startLocalServer(handler);
    cleanups.push(() => started.close());
    return started;
  }
  const echo: LocalHandler = (req, res) =>
    void res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ url: req.url, body: req.body }));

  const op = (extra: Record<string, unknown>, serverUrl: string) => ({
    operation: {
      operationId: 'doThing',
      method: 'POST',
      path: '/things/{id}',
      serverUrl,
      parameters: [
        { name: 'id', in: 'path', required: true, schema: { type: 'array', items: { type: 'integer' } } },
        { name: 'filter', in: 'query', style: 'deepObject', explode: true, schema: { type: 'object' } },
        { name: 'ids', in: 'query', explode: false, schema: { type: 'array', items: { type: 'integer' } } },
        { name: 'X-Trace', in: 'header', schema: { type: 'string' } },
      ],
      requestBody: { contentType: 'application/x-www-form-urlencoded', required: false, schema: { type: 'object' } },
      ...extra,
    },
    args: {
      path: { id: [1, 2] },
      query: { filter: { color: 'red' }, ids: [3, 4] },
      headers: { 'X-Trace': 'abc' },
      body: { name: 'Ada L', tags: ['x', 'y'] },
    },
  });

  it('serializes path, query, header and form body per OpenAPI styles, and applies query credentials', async () => {
    const upstream = await server(echo);
    const output = await call(op({}, `${upstream.origin}/v1/`), { api_key_query: { paramName: 'key', apiKey: 'k 1' } });
    expect(output.body).toEqual({
      url: '/v1/things/1,2?filter%5Bcolor%5D=red&ids=3,4&key=k%201',
      body: 'name=Ada+L&tags=x&tags=y',
    });
    expect(upstream.requests[0]!.headers['x-trace']).toBe('abc');
    expect(upstream.requests[0]!.headers['content-type']).toBe('application/x-www-form-urlencoded;charset=UTF-8');
  });

  it('uses the credential base URL instead of the spec server when it has one', async () => {
    const upstream = await server(echo);
    const output = await call(op({}, 'https://api.example.com'), {
      http_basic: { username: 'ada', password: 'pw', baseUrl: `${upstream.origin}/self-hosted` },
    });
    expect((output.body as { url: string }).url).toMatch(/^\/self-hosted\/things\/1,2\?/);
    expect(upstream.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from('ada:pw').toString('base64')}`);
  });

  it('maps failed statuses to fatal, retryable and rate-limited errors with the status and body', async () => {
    const upstream = await server((req, res) => {
      const status = Number(req.url.split('/')[2]?.split('?')[0]);
      if (status === 429) res.setHeader('retry-after', '9');
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ message: `nope ${status}` }));
    });
    const statusOp = (code: number) => ({
      operation: {
        operationId: 'getStatus',
        method: 'GET',
        path: `/status/${code}`,
        serverUrl: upstream.origin,
      },
      args: { query: {} },
    });
    const notFound = await rejectionOf<Error>(call(statusOp(404)));
    expect(notFound).toBeInstanceOf(FatalError);
    expect(notFound.message).toBe(
      `getStatus (GET ${upstream.origin}/status/404) returned 404 Not Found: "{\\"message\\":\\"nope 404\\"}"`,
    );
    expect(await rejectionOf(call(statusOp(503)))).toBeInstanceOf(RetryableError);
    const limited = await rejectionOf<RateLimitedError>(call(statusOp(429)));
    expect(limited).toBeInstanceOf(RateLimitedError);
    expect(limited.retryAfterMs).toBe(9000);
    const tolerated = await call({ ...statusOp(500), failOnStatus: false });
    expect(tolerated).toMatchObject({ status: 500, body: { message: 'nope 500' } });
  });

  it('takes Retry-After as an HTTP date too, and treats a 503 with Retry-After as a rate limit', async () => {
    const retryAt = new Date(Date.now() + 30_000).toUTCString();
    const upstream = await server((req, res) => {
      const status = Number(req.url.split('/')[2]?.split('?')[0]);
      res.writeHead(status, { 'content-type': 'application/json', 'retry-after': retryAt }).end('{}');
    });
    for (const status of [429, 503]) {
      const limited = await rejectionOf<RateLimitedError>(
        call({
          operation: { operationId: 'getStatus', method: 'GET', path: `/status/${status}`, serverUrl: upstream.origin },
          args: { query: {} },
        }),
      );
      expect(limited).toBeInstanceOf(RateLimitedError);
      expect(limited.retryAfterMs).toBeGreaterThan(28_000);
      expect(limited.retryAfterMs).toBeLessThanOrEqual(30_000);
    }
  });

  it('fails fatally, without a request, when the safe client blocks the address', async () => {
    const upstream = await server(echo);
    const strict = createSafeFetch({ allow: [] });
    cleanups.push(() => strict.close());
    const { operation } = op({}, upstream.origin);
    const err = await rejectionOf<Error>(
      runNode(apiOperation, { params: { operation, args: { path: { id: [1] } } }, fetch: strict }),
    );
    expect(err).toBeInstanceOf(FatalError);
    expect(err.message).toMatch(
      /^POST http:\/\/127\.0\.0\.1:\d+\/things\/\{id\}: blocked: 127\.0\.0\.1 is in loopback range/,
    );
    expect(upstream.requests).toHaveLength(0);
  });
});

describe('api.operation against Prism mocks of the other ready connections', () => {
  it('creates a JSONPlaceholder post (OpenAPI 3.0) and calls an HTTPBin basic-auth route (Swagger 2.0)', async () => {
    for (const [file, operationId, args, credentials] of [
      ['jsonplaceholder.yaml', 'createPost', { body: { userId: 1, title: 'Hello', body: 'World' } }, {}],
      [
        'httpbin.yaml',
        'basicAuth',
        { path: { user: 'ada', passwd: 'pw' } },
        { http_basic: { username: 'ada', password: 'pw' } },
      ],
    ] as const) {
      const text = await readFile(require.resolve(`@apiq/openapi/specs/${file}`), 'utf8');
      const other = await startMockServer(text);
      cleanups.push(() => other.close());
      const params = { ...operationNodeParams(await parseSpec(text), operationId, other.serverUrl), args };
      const output = await call(params, credentials as Record<string, Record<string, string>>);
      expect(output.status, file).toBeLessThan(300);
      expect(other.requests[0]!.violations, file).toEqual([]);
    }
  });
});
