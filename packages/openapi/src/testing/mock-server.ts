import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInstance, getHttpOperationsFromSpec, ProblemJsonError, type IHttpRequest } from '@stoplight/prism-http';
import { readDocument } from '../read-document.ts';

/** What the mock received and what Prism found wrong with it. */
export interface MockRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  status: number;
  /** Contract violations of the request (empty when it follows the spec). */
  violations: Array<{ location: string; message: string }>;
}

export interface MockServer {
  /** Origin plus the base path of the spec's first server, e.g. `http://127.0.0.1:40123/api/v3`: use it as the server URL. */
  serverUrl: string;
  origin: string;
  requests: MockRequest[];
  close(): Promise<void>;
}

type Logger = Parameters<typeof createInstance>[1]['logger'];

/**
 * Starts a contract-checking mock of an API on 127.0.0.1 from its OpenAPI / Swagger document,
 * with Stoplight Prism: every request is validated against the spec (parameters, body,
 * security) and answered with the spec's example responses. A request that breaks the contract
 * gets a 4xx (the spec's own 400/422 response, or a problem+json) and its violations are
 * recorded and sent in the `sl-violations` header. For tests only.
 *
 * @example
 * const mock = await startMockServer(await readFile('specs/petstore.yaml', 'utf8'));
 * await fetch(`${mock.serverUrl}/pet/10`, { headers: { api_key: 'k' } }); // 200, an example Pet
 * mock.requests[0].violations; // → []
 */
export async function startMockServer(spec: string | object): Promise<MockServer> {
  const doc = typeof spec === 'string' ? readDocument(spec) : spec;
  const operations = await getHttpOperationsFromSpec(structuredClone(doc));
  const basePath = specBasePath(doc as Record<string, unknown>);
  const prism = createInstance(
    {
      mock: { dynamic: false },
      validateRequest: true,
      validateResponse: false,
      checkSecurity: true,
      errors: true,
      upstreamProxy: undefined,
      isProxy: false,
    },
    { logger: silentLogger() },
  );
  const requests: MockRequest[] = [];

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const record: MockRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body,
        status: 0,
        violations: [],
      };
      requests.push(record);
      void answer(req, body, record)
        .then(({ status, headers, payload }) => {
          record.status = status;
          if (record.violations.length) headers['sl-violations'] = JSON.stringify(record.violations);
          res.writeHead(status, headers).end(payload);
        })
        .catch((err: unknown) => {
          record.status = 500;
          res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err));
        });
    });
  });

  async function answer(req: http.IncomingMessage, body: string, record: MockRequest) {
    const url = new URL(req.url ?? '/', 'http://mock');
    if (!url.pathname.startsWith(basePath)) {
      return {
        status: 404,
        headers: { 'content-type': 'text/plain' } as Record<string, string>,
        payload: 'outside the API',
      };
    }
    const query: Record<string, string | string[]> = {};
    for (const key of new Set(url.searchParams.keys())) {
      const values = url.searchParams.getAll(key);
      query[key] = values.length === 1 ? values[0]! : values;
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const request: IHttpRequest = {
      method: (req.method ?? 'get').toLowerCase() as IHttpRequest['method'],
      url: { path: url.pathname.slice(basePath.length) || '/', query },
      headers,
      ...(body ? { body: parseBody(body, headers['content-type']) } : {}),
    };
    const result = await prism.request(request, operations)();
    if (result._tag === 'Left') {
      const problem = ProblemJsonError.toProblemJson(result.left as Error & { status?: number });
      const extra = (result.left as { additional?: { validation?: Array<{ location: string[]; message: string }> } })
        .additional?.validation;
      record.violations = (extra ?? [{ location: [], message: problem.detail || problem.title }]).map((v) => ({
        location: v.location.join('.'),
        message: v.message,
      }));
      return {
        status: problem.status,
        headers: { 'content-type': 'application/problem+json' } as Record<string, string>,
        payload: JSON.stringify(problem),
      };
    }
    const { output, validations } = result.right;
    record.violations = validations.input.map((v) => ({ location: v.path?.join('.') ?? '', message: v.message }));
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(output.headers ?? {})) out[name.toLowerCase()] = String(value);
    const payload =
      output.body === undefined ? '' : typeof output.body === 'string' ? output.body : JSON.stringify(output.body);
    return { status: output.statusCode, headers: out, payload };
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    serverUrl: `${origin}${basePath}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The path part of the spec's first server (`/api/v3`), or of Swagger's basePath. */
function specBasePath(doc: Record<string, unknown>): string {
  let url = '/';
  if (typeof doc.basePath === 'string') url = doc.basePath;
  else if (Array.isArray(doc.servers) && typeof doc.servers[0]?.url === 'string') url = doc.servers[0].url;
  const path = new URL(url, 'http://mock').pathname;
  return path.endsWith('/') ? path.slice(0, -1) : path;
}

function parseBody(body: string, contentType: string | undefined): unknown {
  if (contentType && /json/i.test(contentType)) {
    try {
      return JSON.parse(body);
    } catch {
      return body;
    }
  }
  if (contentType && /x-www-form-urlencoded/i.test(contentType)) return Object.fromEntries(new URLSearchParams(body));
  return body;
}

/** Prism logs through pino with an extra `success` level; tests want silence. */
function silentLogger(): Logger {
  const noop = () => undefined;
  const logger: Record<string, unknown> = {};
  for (const level of ['trace', 'debug', 'info', 'success', 'warn', 'error', 'fatal']) logger[level] = noop;
  logger.child = () => logger;
  return logger as unknown as Logger;
}
