import type { IncomingHttpHeaders } from 'node:http';
import { createSafeFetch } from '@apiq/http';
import { startLocalServer } from '@apiq/http/testing';
import type { Json, NodeFetch } from './types.ts';

/** A request the test API received. */
export interface TestApiRequest {
  method: string;
  /** The path without the query string, e.g. `/1/cards`. */
  path: string;
  /** Query parameters (the last value wins when one repeats). */
  query: Record<string, string>;
  /** Values of `:name` segments of the route that matched. */
  params: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** The raw body. */
  body: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: Json | undefined;
}

/** What a route answers. `json` is sent as `application/json`; `body` as is. */
export interface TestApiReply {
  status?: number;
  headers?: Record<string, string>;
  json?: unknown;
  body?: string;
}

export type TestApiRoute = TestApiReply | ((req: TestApiRequest) => TestApiReply | Promise<TestApiReply>);

/** Routes by `'METHOD /path'`; segments written `:name` match anything and land in `req.params`. */
export type TestApiRoutes = Record<string, TestApiRoute>;

export interface TestApi {
  /** e.g. `http://127.0.0.1:40123` — use it as the node's base URL. */
  url: string;
  /** Every request received, in order (unmatched ones too, answered 404). */
  requests: TestApiRequest[];
  /** The platform's safe client, opened to loopback only: what `runNode(def, { api })` gives the node. */
  fetch: NodeFetch;
  close(): Promise<void>;
}

interface CompiledRoute {
  key: string;
  method: string;
  pattern: RegExp;
  names: string[];
  route: TestApiRoute;
}

/**
 * Starts a real HTTP server on 127.0.0.1 that stands in for the API a node calls: it answers the
 * given routes and records every request, so a test can assert on what the node sent.
 *
 * @example
 * const api = await startTestApi({
 *   'GET /boards/:board/cards': (req) => ({ json: [{ id: 'c1', idBoard: req.params.board }] }),
 *   'POST /cards': { status: 429, headers: { 'retry-after': '2' }, json: { error: 'slow down' } },
 * });
 * await runNode(listCards, { params: { boardId: 'b1' }, credentials: { trello: { ... baseUrl: api.url } }, api });
 * expect(api.requests[0]).toMatchObject({ method: 'GET', path: '/boards/b1/cards' });
 * await api.close();
 */
export async function startTestApi(routes: TestApiRoutes): Promise<TestApi> {
  const compiled = Object.entries(routes).map(([key, route]) => compileRoute(key, route));
  const requests: TestApiRequest[] = [];
  const server = await startLocalServer(async (raw, res) => {
    const url = new URL(raw.url, 'http://test.invalid');
    const req: TestApiRequest = {
      method: raw.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      params: {},
      headers: raw.headers,
      body: raw.body,
      json: parseJson(raw.body),
    };
    requests.push(req);
    const match = findRoute(compiled, req);
    const reply: TestApiReply = match
      ? await (typeof match.route === 'function' ? match.route(req) : match.route)
      : {
          status: 404,
          json: {
            error: `no test route for ${req.method} ${req.path}`,
            routes: compiled.map((r) => r.key),
          },
        };
    res.statusCode = reply.status ?? 200;
    for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
    if (reply.json !== undefined) {
      if (!res.hasHeader('content-type')) res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(reply.json));
    } else res.end(reply.body ?? '');
  });
  const fetch = createSafeFetch({ allow: ['127.0.0.1/32'], circuitBreaker: false });
  return {
    url: server.origin,
    requests,
    fetch,
    async close() {
      fetch.close();
      await server.close();
    },
  };
}

function compileRoute(key: string, route: TestApiRoute): CompiledRoute {
  const m = /^([A-Z]+)\s+(\/\S*)$/.exec(key.trim());
  if (!m) throw new Error(`test route ${JSON.stringify(key)} must look like "GET /path/:id"`);
  const names: string[] = [];
  const source = m[2]!
    .split('/')
    .map((segment) => {
      if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(segment.slice(1));
      return '([^/]+)';
    })
    .join('/');
  return { key: `${m[1]} ${m[2]}`, method: m[1]!, pattern: new RegExp(`^${source}/?$`), names, route };
}

function findRoute(routes: CompiledRoute[], req: TestApiRequest): CompiledRoute | undefined {
  for (const r of routes) {
    if (r.method !== req.method) continue;
    const m = r.pattern.exec(req.path);
    if (!m) continue;
    r.names.forEach((name, i) => (req.params[name] = decodeURIComponent(m[i + 1]!)));
    return r;
  }
  return undefined;
}

function parseJson(body: string): Json | undefined {
  if (body === '') return undefined;
  try {
    return JSON.parse(body) as Json;
  } catch {
    return undefined;
  }
}
