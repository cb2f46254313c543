import { createSafeFetch, type SafeFetch } from '@apiq/http';
import { startLocalServer, type LocalHandler, type LocalServer } from '@apiq/http/testing';
import { FatalError, paramsJsonSchema, RateLimitedError, RetryableError, type Json, type NodeFetch } from '@apiq/sdk';
import { runNode, rejectionOf } from '@apiq/sdk/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { httpRequest } from './index.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(handler: LocalHandler): Promise<LocalServer> {
  const started = await startLocalServer(handler);
  cleanups.push(() => started.close());
  return started;
}

function safeFetch(allow: string[] = ['127.0.0.1/32']): SafeFetch {
  const fetch = createSafeFetch({ allow });
  cleanups.push(() => fetch.close());
  return fetch;
}

async function run(
  params: Record<string, unknown>,
  options: { fetch?: NodeFetch; signal?: AbortSignal; credentials?: Record<string, Record<string, string>> } = {},
) {
  const { result } = await runNode(httpRequest, {
    params,
    fetch: options.fetch ?? safeFetch(),
    signal: options.signal,
    credentials: options.credentials,
    idempotencyKey: 'run-1:call-api:1',
  });
  if (!('output' in result)) throw new Error('expected an output');
  return result.output as { status: number; headers: Record<string, string>; body: Json };
}

const failure = (work: Promise<unknown> | unknown) => rejectionOf<Error>(work);

const echo: LocalHandler = (req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: req.body }));
};

describe('core.http_request definition', () => {
  it('is a side-effecting, non-idempotent network node with a schema the editor can render', () => {
    expect(httpRequest).toMatchObject({
      id: 'core.http_request',
      version: 1,
      category: 'network',
      inputs: ['main'],
      outputs: ['main'],
      idempotent: false,
      sideEffects: true,
    });
    expect(httpRequest.icon).toMatch(/^<svg /);
    const schema = paramsJsonSchema(httpRequest) as {
      required: string[];
      properties: Record<string, { default?: unknown; enum?: unknown[] }>;
    };
    expect(schema.required).toEqual(['url']);
    expect(schema.properties.method).toMatchObject({
      default: 'GET',
      enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'],
    });
    expect(schema.properties.bodyType).toMatchObject({ default: 'json' });
    expect(schema.properties.responseType).toMatchObject({ default: 'auto' });
    expect(schema.properties.failOnStatus).toMatchObject({ default: true });
    expect(schema.properties.followRedirects).toMatchObject({ default: true });
  });

  it('rejects bad params with the offending path', () => {
    const issuesOf = (raw: unknown) => httpRequest.params.safeParse(raw).error?.issues ?? [];
    expect(issuesOf({ url: 'ftp://files.example.com/a' })[0]).toMatchObject({ path: ['url'] });
    expect(issuesOf({ url: 'ftp://files.example.com/a' })[0]?.message).toMatch(/absolute http:\/\/ or https:\/\/ URL/);
    expect(issuesOf({ url: 'https://api.example.com', method: 'GET', body: { a: 1 } })[0]).toMatchObject({
      path: ['body'],
    });
    expect(
      issuesOf({ url: 'https://api.example.com', method: 'POST', bodyType: 'form', body: { a: { nested: 1 } } })[0],
    ).toMatchObject({ path: ['body'] });
    expect(issuesOf({ url: 'https://api.example.com', timeoutMs: 0 })[0]).toMatchObject({ path: ['timeoutMs'] });
    expect(issuesOf({ url: 'https://api.example.com', method: 'TRACE' })[0]).toMatchObject({ path: ['method'] });
  });
});

describe('core.http_request against a local server', () => {
  it('GETs with query and headers and returns status, headers and the parsed body', async () => {
    const upstream = await server(echo);
    const output = await run({
      url: `${upstream.origin}/items?fixed=1`,
      query: { page: 2, active: true, q: 'a b' },
      headers: { 'X-Api-Version': '3' },
    });
    expect(output.status).toBe(200);
    expect(output.headers['content-type']).toBe('application/json');
    expect(output.body).toMatchObject({ method: 'GET', url: '/items?fixed=1&page=2&active=true&q=a+b' });
    expect(upstream.requests[0]!.headers['x-api-version']).toBe('3');
    expect(upstream.requests[0]!.headers['idempotency-key']).toBeUndefined();
  });

  it('POSTs JSON and sends the step idempotency key when asked', async () => {
    const upstream = await server(echo);
    const output = await run({
      method: 'POST',
      url: `${upstream.origin}/orders`,
      body: { sku: 'A-1', qty: 2 },
      sendIdempotencyKey: true,
    });
    expect(output.body).toMatchObject({ method: 'POST', body: '{"sku":"A-1","qty":2}' });
    expect(upstream.requests[0]!.headers['content-type']).toBe('application/json');
    expect(upstream.requests[0]!.headers['idempotency-key']).toBe('run-1:call-api:1');
  });

  it('sends form and text bodies', async () => {
    const upstream = await server(echo);
    await run({
      method: 'POST',
      url: `${upstream.origin}/form`,
      bodyType: 'form',
      body: { name: 'Ada L', tags: ['x', 'y'], n: 1 },
    });
    expect(upstream.requests[0]!.body).toBe('name=Ada+L&tags=x&tags=y&n=1');
    expect(upstream.requests[0]!.headers['content-type']).toBe('application/x-www-form-urlencoded;charset=UTF-8');
    await run({ method: 'PUT', url: `${upstream.origin}/text`, bodyType: 'text', body: 'hello' });
    expect(upstream.requests[1]!.body).toBe('hello');
    expect(upstream.requests[1]!.headers['content-type']).toBe('text/plain;charset=UTF-8');
  });

  it('reads responses as asked: auto, text, json, binary and empty', async () => {
    const upstream = await server((req, res) => {
      if (req.url === '/html') return void res.setHeader('content-type', 'text/html').end('<p>hi</p>');
      if (req.url === '/png')
        return void res.setHeader('content-type', 'image/png').end(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
      if (req.url === '/empty') return void res.setHeader('content-type', 'application/json').end();
      res.setHeader('content-type', 'application/problem+json');
      res.end('{"ok":true}');
    });
    expect((await run({ url: `${upstream.origin}/json` })).body).toEqual({ ok: true });
    expect((await run({ url: `${upstream.origin}/json`, responseType: 'text' })).body).toBe('{"ok":true}');
    expect((await run({ url: `${upstream.origin}/html` })).body).toBe('<p>hi</p>');
    expect((await run({ url: `${upstream.origin}/png` })).body).toBe(
      Buffer.from([0x89, 0x50, 0x4e, 0x47]).toString('base64'),
    );
    expect((await run({ url: `${upstream.origin}/empty` })).body).toBeNull();
    expect((await run({ url: `${upstream.origin}/json`, method: 'HEAD' })).body).toBeNull();

    const notJson = await failure(run({ url: `${upstream.origin}/html`, responseType: 'json' }));
    expect(notJson).toBeInstanceOf(FatalError);
    expect(notJson.message).toMatch(
      /GET http:\/\/127\.0\.0\.1:\d+\/html returned a body that is not JSON \(content-type text\/html\): "<p>hi<\/p>"/,
    );
  });

  it('maps failed statuses to fatal, retryable and rate-limited errors', async () => {
    const upstream = await server((req, res) => {
      const status = Number(new URL(req.url!, 'http://x').pathname.slice(1));
      if (status === 429) res.setHeader('retry-after', '7');
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: `status ${status}` }));
    });
    const notFound = await failure(run({ url: `${upstream.origin}/404?api_key=secret` }));
    expect(notFound).toBeInstanceOf(FatalError);
    expect(notFound.message).toBe(
      `GET ${upstream.origin}/404 returned 404 Not Found: "{\\"error\\":\\"status 404\\"}"`,
    );
    expect(notFound.message).not.toContain('secret');
    expect(await failure(run({ url: `${upstream.origin}/500` }))).toBeInstanceOf(RetryableError);
    expect(await failure(run({ url: `${upstream.origin}/408` }))).toBeInstanceOf(RetryableError);
    const limited = await failure(run({ url: `${upstream.origin}/429` }));
    expect(limited).toBeInstanceOf(RateLimitedError);
    expect((limited as RateLimitedError).retryAfterMs).toBe(7000);

    const tolerated = await run({ url: `${upstream.origin}/500`, failOnStatus: false });
    expect(tolerated).toMatchObject({ status: 500, body: { error: 'status 500' } });
  });

  it('takes Retry-After as an HTTP date too, and treats a 503 with Retry-After as a rate limit', async () => {
    const retryAt = new Date(Date.now() + 30_000).toUTCString();
    const upstream = await server((req, res) => {
      const status = Number(new URL(req.url!, 'http://x').pathname.slice(1));
      res.writeHead(status, { 'content-type': 'application/json', 'retry-after': retryAt }).end('{}');
    });
    for (const status of [429, 503]) {
      const limited = await failure(run({ url: `${upstream.origin}/${status}` }));
      expect(limited).toBeInstanceOf(RateLimitedError);
      expect((limited as RateLimitedError).retryAfterMs).toBeGreaterThan(28_000);
      expect((limited as RateLimitedError).retryAfterMs).toBeLessThanOrEqual(30_000);
    }
  });

  it('returns the redirect itself when followRedirects is false', async () => {
    const upstream = await server((req, res) => {
      if (req.url === '/old') return void res.writeHead(301, { location: '/new' }).end();
      echo(req, res);
    });
    expect(await run({ url: `${upstream.origin}/old`, followRedirects: false })).toMatchObject({
      status: 301,
      headers: { location: '/new' },
    });
    expect(await run({ url: `${upstream.origin}/old` })).toMatchObject({ status: 200, body: { url: '/new' } });
  });

  it('fails fatally, without a request, when the safe client blocks the address', async () => {
    const upstream = await server(echo);
    const err = await failure(run({ url: `${upstream.origin}/` }, { fetch: safeFetch([]) }));
    expect(err).toBeInstanceOf(FatalError);
    expect(err.message).toBe(
      `GET ${upstream.origin}/: blocked: 127.0.0.1 is in loopback range (127.0.0.0/8); set APIQ_HTTP_ALLOW=127.0.0.1/32 to allow it`,
    );
    expect(upstream.requests).toHaveLength(0);
  });

  it('times out as a retryable error, and passes cancellation through untouched', async () => {
    const upstream = await server(() => {});
    const slow = await failure(run({ url: `${upstream.origin}/slow`, timeoutMs: 200 }));
    expect(slow).toBeInstanceOf(RetryableError);
    expect(slow.message).toBe(`GET ${upstream.origin}/slow timed out after 200 ms`);

    const controller = new AbortController();
    const pending = run({ url: `${upstream.origin}/slow` }, { signal: controller.signal });
    while (upstream.requests.length < 2) await new Promise((resolve) => setImmediate(resolve));
    const reason = new Error('run cancelled');
    controller.abort(reason);
    expect(await failure(pending)).toBe(reason);
  });

  it('turns an open circuit into a rate limit that waits until the half-open trial', async () => {
    const upstream = await server((_req, res) => void res.writeHead(503).end('down for maintenance'));
    let now = 5_000_000;
    const fetch = createSafeFetch({
      allow: ['127.0.0.1/32'],
      circuitBreaker: { failureThreshold: 2, cooldownMs: 20_000 },
      clock: () => now,
    });
    cleanups.push(() => fetch.close());
    for (let i = 0; i < 2; i++) {
      expect(await failure(run({ url: `${upstream.origin}/orders?api_key=secret` }, { fetch }))).toBeInstanceOf(
        RetryableError,
      );
    }
    now += 5_000;
    const open = await failure(run({ url: `${upstream.origin}/orders?api_key=secret` }, { fetch }));
    expect(open).toBeInstanceOf(RateLimitedError);
    expect((open as RateLimitedError).retryAfterMs).toBe(15_000);
    expect(open.message).toBe(
      `GET ${upstream.origin}/orders: circuit open for 127.0.0.1:${upstream.port} after 2 consecutive failures; next try in 15 s`,
    );
    expect(open.message).not.toContain('secret');
    expect(upstream.requests).toHaveLength(2);
  });

  it('retries a refused connection', async () => {
    const gone = await startLocalServer(echo);
    await gone.close();
    const err = await failure(run({ url: `${gone.origin}/` }));
    expect(err).toBeInstanceOf(RetryableError);
    expect(err.message).toMatch(/ECONNREFUSED/);
  });
});

describe('core.http_request with a credential', () => {
  it('declares every generic credential kind, none required', () => {
    expect(httpRequest.credentials.map((c) => c.kind)).toEqual([
      'api_key_header',
      'api_key_query',
      'http_bearer',
      'http_basic',
      'oauth2_authorization_code',
      'oauth2_client_credentials',
    ]);
    expect(httpRequest.credentials.every((c) => c.required === false)).toBe(true);
  });

  it('sends a bearer token, an API key header or query parameter, Basic and an OAuth2 access token', async () => {
    const upstream = await server(echo);
    await run({ url: `${upstream.origin}/a` }, { credentials: { http_bearer: { token: 'tok-123456' } } });
    expect(upstream.requests[0]!.headers.authorization).toBe('Bearer tok-123456');

    await run(
      { url: `${upstream.origin}/b`, headers: { 'X-Key': 'from-params' } },
      { credentials: { api_key_header: { headerName: 'X-Key', apiKey: 'key-abcdef' } } },
    );
    expect(upstream.requests[1]!.headers['x-key']).toBe('key-abcdef');

    await run(
      { url: `${upstream.origin}/c?page=2` },
      { credentials: { api_key_query: { paramName: 'api_key', apiKey: 'key q&1' } } },
    );
    expect(upstream.requests[2]!.url).toBe('/c?page=2&api_key=key+q%261');

    await run({ url: `${upstream.origin}/d` }, { credentials: { http_basic: { username: 'ann', password: 'pw:1' } } });
    expect(upstream.requests[3]!.headers.authorization).toBe(`Basic ${Buffer.from('ann:pw:1').toString('base64')}`);

    await run(
      { url: `${upstream.origin}/e` },
      {
        credentials: {
          oauth2_client_credentials: { clientId: 'c', tokenUrl: 'https://x.test/t', accessToken: 'at-999999' },
        },
      },
    );
    expect(upstream.requests[4]!.headers.authorization).toBe('Bearer at-999999');
  });

  it('fails fatally, naming the kind and field, when the credential lacks a value, and sends nothing', async () => {
    const upstream = await server(echo);
    const err = await failure(run({ url: `${upstream.origin}/` }, { credentials: { oauth2_authorization_code: {} } }));
    expect(err).toBeInstanceOf(FatalError);
    expect(err.message).toBe(
      'the oauth2_authorization_code credential cannot be applied: credential field "accessToken" is empty',
    );
    expect(upstream.requests).toHaveLength(0);
  });
});
