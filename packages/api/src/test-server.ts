import type { NodeFetch } from '@apiq/sdk';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import { createApiqServer, createLogger, type ApiqServer } from '@apiq/runtime';
import { startTestEngine, type TestEngine } from '@apiq/runtime/testing';
import { generateMasterKey, openVault } from '@apiq/vault';
import { createApiHandler, type ApiHandler, type ApiHandlerOptions } from './index.ts';
import type { AppRouter } from './router.ts';

export interface ApiTestServer {
  engine: TestEngine;
  server: ApiqServer;
  handler: ApiHandler;
  /** `http://127.0.0.1:<port>` */
  baseUrl: string;
  /** A typed tRPC client, batching like the editor's. */
  trpc: ReturnType<typeof createTRPCClient<AppRouter>>;
  close(): Promise<void>;
}

/**
 * A real web front (createApiqServer with the API handler as fallback) on 127.0.0.1, over a fresh
 * database with a real executor (`startTestEngine`). For tests of the API.
 *
 * @example
 * const api = await startApiTestServer(url);
 * try { await api.trpc.workflows.list.query(); } finally { await api.close(); }
 */
export async function startApiTestServer(
  serverUrl: string,
  options: { executor?: boolean; handler?: ApiHandlerOptions; vault?: boolean; fetch?: NodeFetch } = {},
): Promise<ApiTestServer> {
  const engine = await startTestEngine(serverUrl, { executor: options.executor ?? true });
  const log = createLogger({ component: 'api-test' }, 'silent');
  const handler = { current: undefined as ApiHandler | undefined };
  const server = await createApiqServer({
    db: engine.db,
    pool: engine.opened.pool,
    log,
    fallback: (req, res, next) => (handler.current ? handler.current(req, res, next) : next()),
  });
  const vault =
    options.vault === false
      ? undefined
      : await openVault({ db: engine.db, env: { APIQ_MASTER_KEY: generateMasterKey().key.toString('base64') } });
  const api = createApiHandler(
    {
      db: engine.db,
      pool: engine.opened.pool,
      hub: server.hub,
      catalog: engine.catalog,
      log,
      ...(vault ? { vault } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    },
    options.handler,
  );
  handler.current = api;
  const port = await server.listen(0, '127.0.0.1');
  const baseUrl = `http://127.0.0.1:${port}`;
  const url = `${baseUrl}/api/trpc`;
  const trpc = createTRPCClient<AppRouter>({
    links: [httpBatchLink({ url })],
  });
  return {
    engine,
    server,
    handler: api,
    baseUrl,
    trpc,
    async close() {
      await server.close();
      await api.close();
      await engine.close();
    },
  };
}

export interface SseEvent {
  event: string;
  data: unknown;
}

export interface EventStreamClient {
  status: number;
  headers: Headers;
  events: SseEvent[];
  /** Comment lines received (`: keep-alive`). */
  comments: string[];
  /** Resolves with the first event (already received or to come) that `accept` takes. */
  next(accept: (e: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

/** Opens a server-sent events stream with fetch and parses its frames as they arrive. */
export async function openEventStream(url: string): Promise<EventStreamClient> {
  const abort = new AbortController();
  const res = await fetch(url, { signal: abort.signal, headers: { accept: 'text/event-stream' } });
  const events: SseEvent[] = [];
  const comments: string[] = [];
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const w of [...waiters]) w();
  };
  const ended = (async () => {
    if (!res.body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = 'message';
          const data: string[] = [];
          for (const line of frame.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (data.length > 0) events.push({ event, data: JSON.parse(data.join('\n')) });
          notify();
        }
      }
    } catch {
      // aborted by close()
    }
    notify();
  })();
  let done = false;
  void ended.then(() => {
    done = true;
    notify();
  });
  return {
    status: res.status,
    headers: res.headers,
    events,
    comments,
    ended,
    close: () => abort.abort(),
    next(accept, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = events.find(accept);
          if (hit) {
            cleanup();
            resolve(hit);
          } else if (done) {
            cleanup();
            reject(new Error(`stream ended without the event; got ${events.map((e) => e.event).join(', ')}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no such event within ${timeoutMs} ms; got ${events.map((e) => e.event).join(', ')}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
  };
}
