import type { IncomingMessage, ServerResponse } from 'node:http';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { appRouter } from '../router.ts';
import type { ApiContext } from '../trpc.ts';
import { readBody } from './body.ts';

export const TRPC_PREFIX = '/api/trpc';

/**
 * Serves `/api/trpc/*` with tRPC's fetch adapter: the node request becomes a fetch Request (body
 * read up front, size-limited) and the Response is written back (headers, cookies, body).
 */
export async function handleTrpc(
  req: IncomingMessage,
  res: ServerResponse,
  createContext: () => Promise<ApiContext>,
  onError: (path: string | undefined, error: Error) => void,
): Promise<void> {
  const method = req.method ?? 'GET';
  const body = method === 'GET' || method === 'HEAD' ? undefined : await readBody(req);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  const request = new Request(new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`), {
    method,
    headers,
    ...(body ? { body: new Uint8Array(body) } : {}),
  });
  const response = await fetchRequestHandler({
    endpoint: TRPC_PREFIX,
    req: request,
    router: appRouter,
    createContext,
    // Queries may come as POST: a large graph to validate does not fit in a URL.
    allowMethodOverride: true,
    onError: ({ path, error }) => {
      if (error.code === 'INTERNAL_SERVER_ERROR') onError(path, error);
    },
  });
  const out: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') out[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) out['set-cookie'] = cookies;
  const payload = Buffer.from(await response.arrayBuffer());
  out['content-length'] = String(payload.length);
  res.writeHead(response.status, out);
  res.end(payload);
}
