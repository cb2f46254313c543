import { auditCall } from '../audit.ts';
import { denial } from '../access.ts';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { ApiContext } from '../trpc.ts';
import { ApiError, zodIssues } from '../errors.ts';
import { readBody, sendJson } from '../http/body.ts';
import { routes, type RestRoute } from './routes.ts';
import { openApiDocument } from './openapi.ts';

export const REST_PREFIX = '/api/v1';

const compiled = routes.map((route) => ({
  route,
  pattern: new RegExp(`^${route.path.replace(/\{(\w+)\}/g, (_, name: string) => `(?<${name}>[^/]+)`)}$`),
}));

/**
 * Serves the public REST API under `/api/v1`: finds the route, validates path, query and body
 * with the route's zod schemas (400 with located issues), calls the same service function tRPC
 * uses, and answers JSON. Errors are `{ error, message, issues? }` with 400, 404, 405, 409, 413
 * or 415.
 */
export async function handleRest(
  req: IncomingMessage,
  res: ServerResponse,
  createContext: () => Promise<ApiContext>,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = url.pathname.slice(REST_PREFIX.length) || '/';
  if (path === '/openapi.json' && req.method === 'GET') return sendJson(res, 200, openApiDocument());
  const matches = compiled
    .map((c) => ({ route: c.route, match: c.pattern.exec(path) }))
    .filter((m): m is { route: RestRoute; match: RegExpExecArray } => m.match !== null);
  if (matches.length === 0)
    throw new ApiError('not_found', `No API route ${path}; see ${REST_PREFIX}/openapi.json for the routes.`);
  const hit = matches.find((m) => m.route.method === req.method);
  if (!hit) {
    const allowed = [...new Set(matches.map((m) => m.route.method))];
    res.setHeader('allow', allowed.join(', '));
    throw new ApiError('method_not_allowed', `${req.method} is not allowed on ${path}; use ${allowed.join(' or ')}.`);
  }
  const { route, match } = hit;
  const ctx = await createContext();
  const denied = denial(ctx.access, `rest:${route.operationId}`);
  if (denied) throw new ApiError(denied.code, denied.message);
  const params = parse(route.params, { ...match.groups }, 'path');
  const query = parse(route.query, queryObject(url.searchParams), 'query');
  const body = route.body ? parse(route.body, await readJsonBody(req), 'body') : undefined;
  const result = await route.handle(ctx, { params, query, body });
  await auditCall(
    ctx,
    `rest:${route.operationId}`,
    { ...(params as object), ...(body !== null && typeof body === 'object' ? (body as object) : {}) },
    result,
  );
  sendJson(res, route.status, result);
}

function parse(schema: z.ZodType | undefined, value: unknown, where: string): unknown {
  if (!schema) return {};
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = zodIssues(parsed.error, where);
  throw new ApiError(
    'bad_request',
    `Invalid ${where}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    issues,
  );
}

function queryObject(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const all = params.getAll(key);
    out[key] = all.length === 1 ? all[0]! : all;
  }
  return out;
}

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const raw = await readBody(req);
  if (raw.length === 0) return {};
  if (type !== 'application/json')
    throw new ApiError(
      'unsupported_media_type',
      `Send the body as JSON with "Content-Type: application/json" (got ${type ? `"${type}"` : 'no content type'}).`,
    );
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new ApiError('bad_request', `The body is not valid JSON: ${(err as Error).message}`, [
      { path: 'body', message: (err as Error).message },
    ]);
  }
}
