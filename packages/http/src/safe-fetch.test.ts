import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BlockedAddressError,
  CircuitOpenError,
  HttpTimeoutError,
  ResponseTooLargeError,
  SafeFetchError,
} from './errors.ts';
import { createSafeFetch, type SafeFetch } from './safe-fetch.ts';
import { startLocalServer, type LocalHandler, type LocalServer } from './testing/local-server.ts';
import { watchOutboundSockets } from './testing/outbound-sockets.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(handler: LocalHandler): Promise<LocalServer> {
  const started = await startLocalServer(handler);
  cleanups.push(() => started.close());
  return started;
}

function client(options: Parameters<typeof createSafeFetch>[0] = { allow: ['127.0.0.1/32'] }): SafeFetch {
  const fetch = createSafeFetch(options);
  cleanups.push(() => fetch.close());
  return fetch;
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the promise to reject');
}

const json: LocalHandler = (req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ method: req.method, url: req.url }));
};

describe('createSafeFetch: reaching an allowed server', () => {
  it('returns a real Response with status, headers, json and the final url', async () => {
    const upstream = await server(json);
    const res = await client()(`${upstream.origin}/items?x=1`);
    expect(res).toBeInstanceOf(Response);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.url).toBe(`${upstream.origin}/items?x=1`);
    expect(res.redirected).toBe(false);
    expect(await res.json()).toEqual({ method: 'GET', url: '/items?x=1' });
    expect(upstream.requests[0]!.headers['user-agent']).toBe('apiq');
    expect(upstream.requests[0]!.headers.host).toBe(new URL(upstream.origin).host);
  });

  it('reuses keep-alive connections across calls', async () => {
    const upstream = await server(json);
    const fetch = client();
    for (let i = 0; i < 5; i++) await (await fetch(`${upstream.origin}/${i}`)).text();
    expect(upstream.requests).toHaveLength(5);
    expect(upstream.connections).toBe(1);
  });

  it('reads APIQ_HTTP_ALLOW when no allow option is given', async () => {
    const upstream = await server(json);
    const saved = process.env.APIQ_HTTP_ALLOW;
    process.env.APIQ_HTTP_ALLOW = '10.0.0.0/8, 127.0.0.1/32';
    try {
      const fetch = client({});
      expect((await fetch(`${upstream.origin}/`)).status).toBe(200);
    } finally {
      if (saved === undefined) delete process.env.APIQ_HTTP_ALLOW;
      else process.env.APIQ_HTTP_ALLOW = saved;
    }
  });

  it('throws at creation on a malformed allow-list entry', () => {
    expect(() => createSafeFetch({ allow: ['127.0.0.1/40'] })).toThrow(/"127\.0\.0\.1\/40"/);
  });

  it('returns a null body for HEAD and 204', async () => {
    const upstream = await server((req, res) => {
      res.statusCode = req.url === '/empty' ? 204 : 200;
      res.end(req.method === 'HEAD' ? undefined : 'body');
    });
    const fetch = client();
    const head = await fetch(`${upstream.origin}/`, { method: 'HEAD' });
    expect(head.body).toBeNull();
    const empty = await fetch(`${upstream.origin}/empty`, { method: 'DELETE' });
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
  });

  it('decodes gzip responses', async () => {
    const upstream = await server((_req, res) => {
      res.setHeader('content-encoding', 'gzip');
      res.end(gzipSync(Buffer.from('hello, compressed world')));
    });
    const res = await client()(`${upstream.origin}/`);
    expect(await res.text()).toBe('hello, compressed world');
    expect(upstream.requests[0]!.headers['accept-encoding']).toContain('gzip');
  });
});

describe('createSafeFetch: blocking', () => {
  it('blocks loopback without an allow-list, before any request reaches the server', async () => {
    const upstream = await server(json);
    const err = await rejection(client({ allow: [] })(`${upstream.origin}/`));
    expect(err).toBeInstanceOf(BlockedAddressError);
    expect(err).toMatchObject({
      code: 'APIQ_SSRF_BLOCKED',
      address: '127.0.0.1',
      range: 'loopback',
      host: '127.0.0.1',
    });
    expect(err.message).toBe(
      'blocked: 127.0.0.1 is in loopback range (127.0.0.0/8); set APIQ_HTTP_ALLOW=127.0.0.1/32 to allow it',
    );
    expect(upstream.requests).toHaveLength(0);
    expect(upstream.connections).toBe(0);
  });

  it('checks every address a host name resolves to, and names the host', async () => {
    const fetch = client({
      allow: [],
      resolve: async () => [
        { address: '93.184.215.14', family: 4 },
        { address: '169.254.169.254', family: 4 },
      ],
    });
    const err = await rejection(fetch('http://metadata.example.test/latest'));
    expect(err).toBeInstanceOf(BlockedAddressError);
    expect(err.message).toBe(
      'blocked: metadata.example.test resolves to 169.254.169.254, which is in link-local range (169.254.0.0/16); set APIQ_HTTP_ALLOW=169.254.169.254/32 to allow it',
    );
  });

  it('connects to the address it checked: the resolver is asked once per hop', async () => {
    const upstream = await server(json);
    let lookups = 0;
    const fetch = client({
      allow: ['127.0.0.1/32'],
      resolve: async () => {
        lookups += 1;
        return [{ address: '127.0.0.1', family: 4 }];
      },
    });
    const res = await fetch(`http://api.example.test:${upstream.port}/pinned`);
    expect(await res.json()).toEqual({ method: 'GET', url: '/pinned' });
    expect(lookups).toBe(1);
    expect(upstream.requests[0]!.headers.host).toBe(`api.example.test:${upstream.port}`);
  });

  it('opens a host by name when the allow-list names it', async () => {
    const upstream = await server(json);
    const fetch = client({ allow: ['api.internal'], resolve: async () => [{ address: '127.0.0.1', family: 4 }] });
    expect((await fetch(`http://api.internal:${upstream.port}/`)).status).toBe(200);
    expect(await rejection(fetch(`http://other.internal:${upstream.port}/`))).toBeInstanceOf(BlockedAddressError);
    expect(upstream.requests).toHaveLength(1);
  });

  it('refuses schemes other than http and https', async () => {
    for (const url of ['file:///etc/passwd', 'ftp://example.com/', 'gopher://127.0.0.1:70/', 'data:text/plain,hi']) {
      const err = await rejection(client()(url));
      expect(err).toMatchObject({ code: 'APIQ_HTTP_INVALID_URL' });
      expect(err.message).toMatch(/only http and https are allowed/);
    }
  });

  it('refuses credentials in the URL without echoing the password', async () => {
    const upstream = await server(json);
    const err = await rejection(client()(`http://user:s3cret@127.0.0.1:${upstream.port}/`));
    expect(err).toMatchObject({ code: 'APIQ_HTTP_INVALID_URL' });
    expect(err.message).toContain('credentials');
    expect(err.message).not.toContain('s3cret');
    expect(upstream.requests).toHaveLength(0);
  });

  it('reports resolver failures and refused connections with the host', async () => {
    const dnsFail = client({
      allow: [],
      resolve: async () => {
        throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
      },
    });
    const dnsErr = await rejection(dnsFail('http://nowhere.example.test/'));
    expect(dnsErr).toMatchObject({ code: 'APIQ_HTTP_DNS_FAILED' });
    expect(dnsErr.message).toContain('"nowhere.example.test"');

    const closed = await startLocalServer(json);
    await closed.close();
    const refused = await rejection(client()(`${closed.origin}/`));
    expect(refused).toMatchObject({ code: 'APIQ_HTTP_CONNECTION_FAILED' });
    expect(refused.message).toContain('ECONNREFUSED');
  });
});

describe('createSafeFetch: request bodies', () => {
  const echo: LocalHandler = (req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ method: req.method, type: req.headers['content-type'] ?? null, body: req.body }));
  };

  it.each([
    ['a string', 'plain text', 'text/plain;charset=UTF-8', 'plain text'],
    ['a Buffer', Buffer.from('bytes'), null, 'bytes'],
    ['a Uint8Array', new TextEncoder().encode('u8'), null, 'u8'],
    [
      'URLSearchParams',
      new URLSearchParams({ a: '1', b: 'x y' }),
      'application/x-www-form-urlencoded;charset=UTF-8',
      'a=1&b=x+y',
    ],
    ['a plain object', { hello: 'world', n: [1, 2] }, 'application/json', '{"hello":"world","n":[1,2]}'],
    ['an array', [1, 'two'], 'application/json', '[1,"two"]'],
  ])('sends %s', async (_label, body, type, expected) => {
    const upstream = await server(echo);
    const res = await client()(`${upstream.origin}/`, { method: 'POST', body });
    expect(await res.json()).toEqual({ method: 'POST', type, body: expected });
  });

  it('keeps a content-type the caller set', async () => {
    const upstream = await server(echo);
    const res = await client()(`${upstream.origin}/`, {
      method: 'PUT',
      body: { a: 1 },
      headers: { 'Content-Type': 'application/vnd.api+json' },
    });
    expect(await res.json()).toMatchObject({ type: 'application/vnd.api+json' });
  });

  it('refuses a body on GET', async () => {
    const err = await rejection(client()('http://127.0.0.1:1/', { method: 'GET', body: 'x' }));
    expect(err).toMatchObject({ code: 'APIQ_HTTP_INVALID_REQUEST' });
  });
});

describe('createSafeFetch: redirects', () => {
  it('follows a chain, re-resolving every hop, and reports the final url', async () => {
    const upstream = await server((req, res) => {
      if (req.url === '/a') return void res.writeHead(301, { location: '/b' }).end();
      if (req.url === '/b') return void res.writeHead(302, { location: `${upstream.origin}/c?done=1` }).end();
      json(req, res);
    });
    const res = await client()(`${upstream.origin}/a`);
    expect(res.url).toBe(`${upstream.origin}/c?done=1`);
    expect(res.redirected).toBe(true);
    expect(await res.json()).toEqual({ method: 'GET', url: '/c?done=1' });
    expect(upstream.requests.map((r) => r.url)).toEqual(['/a', '/b', '/c?done=1']);
  });

  it('turns POST into GET without a body on 303, keeps method and body on 307', async () => {
    const upstream = await server((req, res) => {
      if (req.url === '/see-other') return void res.writeHead(303, { location: '/target' }).end();
      if (req.url === '/temporary') return void res.writeHead(307, { location: '/target' }).end();
      res.end(JSON.stringify({ method: req.method, body: req.body, type: req.headers['content-type'] ?? null }));
    });
    const fetch = client();
    const seeOther = await fetch(`${upstream.origin}/see-other`, { method: 'POST', body: { a: 1 } });
    expect(await seeOther.json()).toEqual({ method: 'GET', body: '', type: null });
    const temporary = await fetch(`${upstream.origin}/temporary`, { method: 'POST', body: { a: 1 } });
    expect(await temporary.json()).toEqual({ method: 'POST', body: '{"a":1}', type: 'application/json' });
  });

  it('stops after maxRedirects', async () => {
    const upstream = await server((req, res) => {
      const n = Number(req.url!.slice(1));
      res.writeHead(302, { location: `/${n + 1}` }).end();
    });
    const err = await rejection(client()(`${upstream.origin}/0`, { maxRedirects: 3 }));
    expect(err).toMatchObject({ code: 'APIQ_HTTP_TOO_MANY_REDIRECTS' });
    expect(upstream.requests).toHaveLength(4);

    const defaultLimit = await rejection(client()(`${upstream.origin}/0`));
    expect(defaultLimit.message).toMatch(/more than 5 redirects/);
  });

  it('returns the redirect itself with redirect: manual and throws with redirect: error', async () => {
    const upstream = await server((req, res) => {
      if (req.url === '/go') return void res.writeHead(302, { location: '/there' }).end();
      json(req, res);
    });
    const fetch = client();
    const manual = await fetch(`${upstream.origin}/go`, { redirect: 'manual' });
    expect(manual.status).toBe(302);
    expect(manual.headers.get('location')).toBe('/there');
    const err = await rejection(fetch(`${upstream.origin}/go`, { redirect: 'error' }));
    expect(err).toMatchObject({ code: 'APIQ_HTTP_REDIRECT_REFUSED' });
    expect(upstream.requests.map((r) => r.url)).toEqual(['/go', '/go']);
  });

  it('drops Authorization and Cookie on a cross-origin hop but keeps them on the same origin', async () => {
    const other = await server(json);
    const upstream = await server((req, res) => {
      if (req.url === '/same') return void res.writeHead(302, { location: '/landing' }).end();
      if (req.url === '/cross') return void res.writeHead(302, { location: `${other.origin}/landing` }).end();
      json(req, res);
    });
    const fetch = client();
    const headers = { authorization: 'Bearer secret-token', cookie: 'session=abc', 'x-trace': 'kept' };
    await (await fetch(`${upstream.origin}/same`, { headers })).text();
    const sameOrigin = upstream.requests.find((r) => r.url === '/landing')!;
    expect(sameOrigin.headers.authorization).toBe('Bearer secret-token');
    expect(sameOrigin.headers.cookie).toBe('session=abc');

    await (await fetch(`${upstream.origin}/cross`, { headers })).text();
    const crossOrigin = other.requests[0]!;
    expect(crossOrigin.headers.authorization).toBeUndefined();
    expect(crossOrigin.headers.cookie).toBeUndefined();
    expect(crossOrigin.headers['x-trace']).toBe('kept');
  });

  it('blocks a hop to a blocked address and names where the redirect came from', async () => {
    const upstream = await server(
      (_req, res) => void res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end(),
    );
    const err = await rejection(client()(`${upstream.origin}/start`));
    expect(err).toBeInstanceOf(BlockedAddressError);
    expect(err.message).toContain(`redirect from ${upstream.origin}/start to http://169.254.169.254/latest/meta-data/`);
  });
});

describe('createSafeFetch: limits', () => {
  it('refuses a response whose Content-Length is over the cap before reading it', async () => {
    const upstream = await server((_req, res) => {
      res.setHeader('content-length', 2048);
      res.end(Buffer.alloc(2048));
    });
    const err = await rejection(client({ allow: ['127.0.0.1/32'], maxResponseBytes: 1024 })(`${upstream.origin}/`));
    expect(err).toBeInstanceOf(ResponseTooLargeError);
    expect(err.message).toMatch(/larger than the 1024-byte limit/);
  });

  it('fails the body stream when a chunked body grows past the cap', async () => {
    const upstream = await server((_req, res) => {
      for (let i = 0; i < 10; i++) res.write(Buffer.alloc(512, 97));
      res.end();
    });
    const res = await client()(`${upstream.origin}/`, { maxResponseBytes: 2000 });
    expect(res.status).toBe(200);
    const err = await rejection(res.text());
    expect(err).toBeInstanceOf(ResponseTooLargeError);
  });

  it('counts decoded bytes, so a small gzip bomb is still refused', async () => {
    const bomb = gzipSync(Buffer.alloc(4 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(64 * 1024);
    const upstream = await server((_req, res) => {
      res.setHeader('content-encoding', 'gzip');
      res.end(bomb);
    });
    const res = await client({ allow: ['127.0.0.1/32'], maxResponseBytes: 1024 * 1024 })(`${upstream.origin}/`);
    expect(await rejection(res.arrayBuffer())).toBeInstanceOf(ResponseTooLargeError);
  });

  it('times out a server that never answers', async () => {
    const upstream = await server(() => {});
    const err = await rejection(client()(`${upstream.origin}/`, { timeoutMs: 200 }));
    expect(err).toBeInstanceOf(HttpTimeoutError);
    expect(err).toMatchObject({ code: 'APIQ_HTTP_TIMEOUT', phase: 'total', timeoutMs: 200 });
    expect(err.message).toBe(`request to ${upstream.origin}/ timed out after 200 ms`);
  });

  it('times out a body that stalls after the headers', async () => {
    const upstream = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('partial');
    });
    const res = await client({ allow: ['127.0.0.1/32'], timeoutMs: 300 })(`${upstream.origin}/`);
    expect(res.status).toBe(200);
    expect(await rejection(res.text())).toBeInstanceOf(HttpTimeoutError);
  });

  it('stops when the caller aborts, with the caller’s reason', async () => {
    const upstream = await server(() => {});
    const controller = new AbortController();
    const pending = client()(`${upstream.origin}/`, { signal: controller.signal });
    while (upstream.requests.length === 0) await new Promise((resolve) => setImmediate(resolve));
    controller.abort(new Error('step cancelled'));
    const err = await rejection(pending);
    expect(err.message).toBe('step cancelled');
    expect(err).not.toBeInstanceOf(SafeFetchError);
  });
});

describe('createSafeFetch: circuit breaker', () => {
  const fakeClock = () => {
    let now = 1_000_000;
    return { now: () => now, advance: (ms: number) => void (now += ms) };
  };
  /** 503 for the first `failures` requests, then 200; a new connection per request. */
  const failingThenOk = (failures: number): LocalHandler => {
    let served = 0;
    return (_req, res) => {
      served += 1;
      res.setHeader('connection', 'close');
      res.writeHead(served <= failures ? 503 : 200, { 'content-type': 'text/plain' });
      res.end(served <= failures ? 'busy' : 'ok');
    };
  };
  const watchSockets = () => {
    const sockets = watchOutboundSockets();
    cleanups.push(() => sockets.stop());
    return sockets;
  };

  it('opens after consecutive 5xx, fails fast without a socket, then closes after a good trial', async () => {
    const upstream = await server(failingThenOk(4));
    const clock = fakeClock();
    const fetch = client({
      allow: ['127.0.0.1/32'],
      circuitBreaker: { failureThreshold: 3, cooldownMs: 10_000 },
      clock: clock.now,
    });
    const host = `127.0.0.1:${upstream.port}`;

    for (let i = 0; i < 3; i++) expect((await fetch(`${upstream.origin}/items`)).status).toBe(503);
    expect(fetch.breaker.state(host)).toMatchObject({ state: 'open', failures: 3, openedAt: clock.now() });

    clock.advance(1_500);
    const sockets = watchSockets();
    const refused = await rejection(fetch(`${upstream.origin}/items?page=2`));
    expect(refused).toBeInstanceOf(CircuitOpenError);
    expect(refused).toMatchObject({ code: 'APIQ_CIRCUIT_OPEN', host, failures: 3, retryAfterMs: 8_500 });
    expect(refused.message).toBe(`circuit open for ${host} after 3 consecutive failures; next try in 9 s`);
    expect(sockets.created).toBe(0);
    expect(upstream.requests).toHaveLength(3);
    expect(upstream.connections).toBe(3);

    // Half-open: one trial goes through; it still fails, so the circuit opens for another cooldown.
    clock.advance(8_500);
    expect(fetch.breaker.snapshot()).toEqual([
      { host, state: 'half_open', failures: 3, openedAt: clock.now() - 10_000, nextTryAt: clock.now() },
    ]);
    expect((await fetch(`${upstream.origin}/items`)).status).toBe(503);
    expect(sockets.created).toBe(1);
    expect(fetch.breaker.state(host)).toMatchObject({ state: 'open', failures: 4, openedAt: clock.now() });
    await expect(fetch(`${upstream.origin}/items`)).rejects.toThrow(CircuitOpenError);
    expect(sockets.created).toBe(1);

    clock.advance(10_000);
    const recovered = await fetch(`${upstream.origin}/items`);
    expect(recovered.status).toBe(200);
    expect(await recovered.text()).toBe('ok');
    expect(fetch.breaker.state(host)).toMatchObject({ state: 'closed', failures: 0 });
    expect(fetch.breaker.snapshot()).toEqual([]);
    expect((await fetch(`${upstream.origin}/items`)).status).toBe(200);
    expect(upstream.requests).toHaveLength(6);
  });

  it('counts refused connections and timeouts, and never tries to connect while open', async () => {
    const closed = await startLocalServer(json);
    await closed.close();
    const fetch = client({ allow: ['127.0.0.1/32'], circuitBreaker: { failureThreshold: 2 } });
    for (let i = 0; i < 2; i++)
      expect(await rejection(fetch(`${closed.origin}/`))).toMatchObject({ code: 'APIQ_HTTP_CONNECTION_FAILED' });
    const sockets = watchSockets();
    expect(await rejection(fetch(`${closed.origin}/`))).toBeInstanceOf(CircuitOpenError);
    expect(sockets.attempts).toEqual([]);

    const silent = await server(() => {});
    for (let i = 0; i < 2; i++) {
      expect(await rejection(fetch(`${silent.origin}/`, { timeoutMs: 100 }))).toBeInstanceOf(HttpTimeoutError);
    }
    expect(await rejection(fetch(`${silent.origin}/`))).toBeInstanceOf(CircuitOpenError);
    expect(silent.requests).toHaveLength(2);
    expect(fetch.breaker.snapshot().map(({ host, state }) => [host, state])).toEqual(
      [
        [`127.0.0.1:${closed.port}`, 'open'],
        [`127.0.0.1:${silent.port}`, 'open'],
      ].sort(),
    );
  });

  it('does not count 4xx, 429, blocked addresses or the caller’s own aborts', async () => {
    const upstream = await server((req, res) => {
      res.writeHead(req.url === '/limited' ? 429 : 404, { 'retry-after': '1' }).end();
    });
    const fetch = client({ allow: ['127.0.0.1/32'], circuitBreaker: { failureThreshold: 2 } });
    for (let i = 0; i < 3; i++) {
      expect((await fetch(`${upstream.origin}/missing`)).status).toBe(404);
      expect((await fetch(`${upstream.origin}/limited`)).status).toBe(429);
    }
    const aborted = AbortSignal.abort(new Error('step cancelled'));
    for (let i = 0; i < 3; i++)
      expect((await rejection(fetch(`${upstream.origin}/`, { signal: aborted }))).message).toBe('step cancelled');
    expect(fetch.breaker.snapshot()).toEqual([]);
    expect(upstream.requests).toHaveLength(6);

    const strict = client({ allow: [], circuitBreaker: { failureThreshold: 2 } });
    for (let i = 0; i < 3; i++)
      expect(await rejection(strict(`${upstream.origin}/`))).toBeInstanceOf(BlockedAddressError);
    expect(strict.breaker.snapshot()).toEqual([]);
  });

  it('judges each redirect hop by its own host', async () => {
    const broken = await server(failingThenOk(Infinity));
    const front = await server((_req, res) => void res.writeHead(302, { location: `${broken.origin}/target` }).end());
    const fetch = client({ allow: ['127.0.0.1/32'], circuitBreaker: { failureThreshold: 2 } });
    for (let i = 0; i < 2; i++) expect((await fetch(`${front.origin}/start`)).status).toBe(503);
    const err = await rejection(fetch(`${front.origin}/start`));
    expect(err).toMatchObject({
      code: 'APIQ_CIRCUIT_OPEN',
      host: `127.0.0.1:${broken.port}`,
      url: `${broken.origin}/target`,
    });
    expect(fetch.breaker.snapshot().map(({ host }) => host)).toEqual([`127.0.0.1:${broken.port}`]);
    expect(front.requests).toHaveLength(3);
    expect(broken.requests).toHaveLength(2);
  });

  it('is off with circuitBreaker: false or APIQ_HTTP_BREAKER=off, and on by default after 5 failures', async () => {
    const upstream = await server(failingThenOk(Infinity));
    const optedOut = client({ allow: ['127.0.0.1/32'], circuitBreaker: false });
    const previous = process.env.APIQ_HTTP_BREAKER;
    process.env.APIQ_HTTP_BREAKER = 'off';
    let switchedOff: SafeFetch;
    try {
      switchedOff = client({ allow: ['127.0.0.1/32'], circuitBreaker: { failureThreshold: 1 } });
    } finally {
      if (previous === undefined) delete process.env.APIQ_HTTP_BREAKER;
      else process.env.APIQ_HTTP_BREAKER = previous;
    }
    const byDefault = client();
    for (let i = 0; i < 6; i++) {
      expect((await optedOut(`${upstream.origin}/`)).status).toBe(503);
      expect((await switchedOff(`${upstream.origin}/`)).status).toBe(503);
    }
    expect([optedOut.breaker.enabled, switchedOff.breaker.enabled, byDefault.breaker.enabled]).toEqual([
      false,
      false,
      true,
    ]);
    expect(optedOut.breaker.snapshot()).toEqual([]);

    for (let i = 0; i < 5; i++) expect((await byDefault(`${upstream.origin}/`)).status).toBe(503);
    const err = await rejection(byDefault(`${upstream.origin}/`));
    expect(err).toBeInstanceOf(CircuitOpenError);
    expect(err.message).toMatch(/after 5 consecutive failures; next try in 30 s$/);
    expect(upstream.requests).toHaveLength(17);
  });
});
