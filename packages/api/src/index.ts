import type { ApiDeps, NodeHandler } from './deps.ts';
import { ApiError } from './errors.ts';
import { createContext } from './context.ts';
import { sendError, sendJson } from './http/body.ts';
import { handleTrpc, TRPC_PREFIX } from './http/trpc-endpoint.ts';
import { RunStreams } from './http/run-streams.ts';
import { streamRunEvents } from './http/run-events-endpoint.ts';
import { streamRuns } from './http/runs-stream-endpoint.ts';
import { handleRest, REST_PREFIX } from './rest/endpoint.ts';
import { denial, tokenRateKey } from './access.ts';
import { authDb, hitRateLimit, rateLimitHeaders } from '@apiq/auth';

export type { ApiDeps, NodeHandler } from './deps.ts';
export type { AppRouter } from './router.ts';
export type { ApiContext } from './trpc.ts';
export { appRouter } from './router.ts';
export { ApiError, type ApiIssue, type ApiErrorCode } from './errors.ts';
export { resolveAccess, denial, PROCEDURE_ACTIONS, type Access } from './access.ts';
export { openApiDocument } from './rest/openapi.ts';
export { routes as restRoutes, type RestRoute } from './rest/routes.ts';
export { importWorkflows, exportWorkflow } from './services/transfer.ts';

export interface ApiHandler extends NodeHandler {
  /** Open SSE streams and whether the step-event listener connection is held (tests, metrics). */
  streams(): { open: number; listening: boolean };
  /** Ends the shared subscriptions (open streams end when the server closes their connections). */
  close(): Promise<void>;
}

export interface ApiHandlerOptions {
  /** Requests per minute allowed for one personal API token (default 600). */
  tokenRequestsPerMinute?: number;
  /** Keep-alive comment interval of SSE streams (default 15 s). */
  keepAliveMs?: number;
  /** Step polling interval for runs that publish no step events (default 500 ms). */
  stepPollMs?: number;
  /** How often the monitoring stream looks for runs that started (default 1 s). */
  startedPollMs?: number;
}

const RUN_EVENTS = /^\/api\/runs\/([^/]+)\/events$/;

/**
 * Serves `/api/trpc/*` (the app's tRPC API), `/api/v1/*` (the public REST API and its OpenAPI
 * document at `/api/v1/openapi.json`) and the run event streams (`/api/runs/<id>/events`,
 * `/api/runs/stream`); everything else goes to `next`.
 *
 * @example
 * const server = await createApiqServer({ db, pool, fallback: (req, res, next) => api(req, res, next) });
 * const api = createApiHandler({ db, pool, hub: server.hub, catalog, log });
 */
export function createApiHandler(deps: ApiDeps, options: ApiHandlerOptions = {}): ApiHandler {
  const streams = new RunStreams(deps);
  const handler = (req: Parameters<NodeHandler>[0], res: Parameters<NodeHandler>[1], next: () => void) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const context = () => createContext(deps, req);
    const route = async () => {
      if (!(await withinTokenLimit(deps, req, res, options))) return;
      if (path === TRPC_PREFIX || path.startsWith(`${TRPC_PREFIX}/`))
        return handleTrpc(req, res, context, (procedure, error) =>
          deps.log.error('api procedure failed', { procedure: procedure ?? '?', error: error.stack ?? error.message }),
        );
      if (path === REST_PREFIX || path.startsWith(`${REST_PREFIX}/`)) return handleRest(req, res, context);
      const guarded = async (procedure: string) => {
        const ctx = await context();
        const denied = denial(ctx.access, procedure);
        if (denied) throw new ApiError(denied.code, denied.message);
        return ctx;
      };
      const runEvents = RUN_EVENTS.exec(path);
      if (runEvents && req.method === 'GET')
        return streamRunEvents(await guarded('runs.events'), streams, decodeURIComponent(runEvents[1]!), req, res, {
          ...(options.keepAliveMs ? { keepAliveMs: options.keepAliveMs } : {}),
          ...(options.stepPollMs ? { pollMs: options.stepPollMs } : {}),
        });
      if (path === '/api/runs/stream' && req.method === 'GET') {
        const workflowId = url.searchParams.get('workflowId');
        return streamRuns(await guarded('runs.stream'), streams, req, res, {
          ...(options.keepAliveMs ? { keepAliveMs: options.keepAliveMs } : {}),
          ...(options.startedPollMs ? { pollMs: options.startedPollMs } : {}),
          ...(workflowId ? { workflowId } : {}),
        });
      }
      next();
    };
    route().catch((err: unknown) => {
      if (res.headersSent) {
        if (!res.writableEnded) res.end();
        return;
      }
      if (err instanceof ApiError) return sendError(res, err);
      deps.log.error('api request failed', { path, error: (err as Error).stack ?? String(err) });
      sendJson(res, 500, {
        error: 'internal',
        message: 'The server failed to handle this request; see the server log.',
      });
    });
  };
  return Object.assign(handler, {
    streams: () => ({ open: streams.open, listening: streams.listening }),
    close: () => streams.close(),
  });
}

/**
 * Rate-limits requests that carry a bearer token (per token, shared by every web process) and
 * sets the standard RateLimit headers; answers 429 with Retry-After when the budget is spent.
 */
async function withinTokenLimit(
  deps: ApiDeps,
  req: Parameters<NodeHandler>[0],
  res: Parameters<NodeHandler>[1],
  options: ApiHandlerOptions,
): Promise<boolean> {
  const auth = req.headers.authorization;
  if (!auth?.startsWith('Bearer ')) return true;
  const r = await hitRateLimit(authDb(deps.db), tokenRateKey(auth), {
    limit: options.tokenRequestsPerMinute ?? 600,
    windowMs: 60_000,
  });
  for (const [name, value] of Object.entries(rateLimitHeaders(r))) res.setHeader(name, value);
  if (r.allowed) return true;
  sendJson(res, 429, {
    error: 'too_many_requests',
    message: `This API token made more than ${r.limit} requests this minute; retry in ${r.resetSeconds} s.`,
  });
  return false;
}
