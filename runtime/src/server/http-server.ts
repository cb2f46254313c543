import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type pg from 'pg';
import type { Kysely } from 'kysely';
import type { Database } from '@apiq/db';
import type { NodeCatalog } from '@apiq/sdk';
import { RunEventHub } from '../store/run-events.ts';
import { listen, type Unlisten } from '../store/listen.ts';
import { WebhookHandler, handleResume } from '../triggers/webhook.ts';
import type { CredentialResolver } from '../credentials/index.ts';
import { sendJson } from './respond.ts';
import { createLogger, type Log } from '../log.ts';
import { createWebMetrics, type WebMetrics } from '../metrics/web-metrics.ts';
import { checkReadiness, type ReadinessOptions } from '../metrics/readiness.ts';
import { metricsAuthorized } from '../metrics/metrics-auth.ts';
import { webhookRateLimitFromEnv, type WebhookRateLimit } from '../triggers/webhook-rate-limit.ts';
import { HandoffTargets } from '../triggers/handoff-targets.ts';

export type FallbackHandler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

export interface ApiqServerOptions {
  db: Kysely<Database>;
  pool: pg.Pool;
  log?: Log;
  /** Handles everything that is not a webhook or health check (the editor app). */
  fallback?: FallbackHandler;
  webhookResponseTimeoutMs?: number;
  /** Node types, for connectors' app-event triggers. Default: the installed catalog, loaded on first use. */
  catalog?: NodeCatalog;
  /**
   * Decrypts the credentials an app-event trigger references (`{ kindId: credentialId }`) so it
   * can verify deliveries (GitHub, Slack and Stripe signatures). Without it, such triggers answer 503.
   */
  resolveCredentials?: CredentialResolver;
  /** Per-endpoint webhook flood guard; default from `APIQ_WEBHOOK_RATE_LIMIT` (none when unset). */
  webhookRateLimit?: WebhookRateLimit;
  /** `/metrics` (Prometheus). Default: created with the process's own and the cluster's metrics. */
  metrics?: WebMetrics;
  /** Limits of `/api/health/ready`. */
  readiness?: ReadinessOptions;
  /**
   * Hand synchronous webhooks' runs straight to a live executor instead of queueing them
   * (store/handoff.ts). Default true; `false` queues every run.
   */
  handoff?: boolean;
  /**
   * How long a synchronous webhook waits for a run handed over unrecorded before recording it
   * itself (store/handoff.ts). Default `RECORD_HANDED_RUN_AFTER_MS`.
   */
  webhookRecordHandedRunAfterMs?: number;
}

export interface ApiqServer {
  server: Server;
  hub: RunEventHub;
  listen(port: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

/**
 * The web process's HTTP front: webhooks and health on a plain node:http fast path; anything
 * else goes to the fallback (the SvelteKit editor once mounted).
 */
export async function createApiqServer(o: ApiqServerOptions): Promise<ApiqServer> {
  const log = o.log ?? createLogger({ component: 'web' });
  const hub = new RunEventHub(o.db, o.pool);
  await hub.start();
  const rateLimit = o.webhookRateLimit ?? webhookRateLimitFromEnv();
  const handoff =
    o.handoff === false
      ? undefined
      : new HandoffTargets({
          db: o.db,
          onError: (err) => log.warn('reading the live executors failed', { error: err.message }),
        });
  await handoff?.start();
  const webhooks = new WebhookHandler({
    db: o.db,
    pool: o.pool,
    hub,
    ...(o.webhookResponseTimeoutMs ? { responseTimeoutMs: o.webhookResponseTimeoutMs } : {}),
    ...(o.webhookRecordHandedRunAfterMs ? { recordHandedRunAfterMs: o.webhookRecordHandedRunAfterMs } : {}),
    ...(o.catalog ? { catalog: o.catalog } : {}),
    ...(o.resolveCredentials ? { resolveCredentials: o.resolveCredentials } : {}),
    ...(rateLimit ? { rateLimit } : {}),
    ...(handoff ? { handoff } : {}),
  });
  const unlisten: Unlisten = await listen(o.pool, { apiq_workflows: () => webhooks.invalidate() });
  const metrics = o.metrics ?? createWebMetrics({ db: o.db });

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = async () => {
      if (url.pathname.startsWith('/webhook/')) {
        const started = performance.now();
        await webhooks.handle(req, res, url.pathname.slice('/webhook/'.length), url.searchParams);
        metrics.webhookAnswered(res.statusCode, performance.now() - started);
        return;
      }
      const resume = /^\/webhook-resume\/([^/]+)\/([^/]+)$/.exec(url.pathname);
      if (resume && req.method === 'POST') {
        const body = await readJson(req);
        return handleResume(o.db, res, resume[1]!, resume[2]!, body);
      }
      if (url.pathname === '/api/health') return sendJson(res, 200, { status: 'ok' });
      if (url.pathname === '/api/health/ready') {
        const report = await checkReadiness(o.db, o.readiness);
        return sendJson(res, report.status === 'ok' ? 200 : 503, report);
      }
      if (url.pathname === '/metrics') {
        if (!metricsAuthorized(req))
          return sendJson(res, 401, {
            error: 'unauthorized',
            message: 'Send the token set in APIQ_METRICS_TOKEN as "Authorization: Bearer <token>".',
          });
        const text = await metrics.render();
        res.writeHead(200, { 'content-type': metrics.contentType });
        res.end(text);
        return;
      }
      if (o.fallback) return o.fallback(req, res, () => notFound(res, url.pathname));
      if (url.pathname === '/')
        return sendJson(res, 200, { name: 'APIQ', health: '/api/health', webhooks: '/webhook/<path>' });
      notFound(res, url.pathname);
    };
    route().catch((err: Error) => {
      log.error('request failed', { path: url.pathname, error: err.message });
      if (!res.headersSent)
        sendJson(res, 500, {
          error: 'internal',
          message: 'The server failed to handle this request; see the server log.',
        });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 65_000;

  return {
    server,
    hub,
    listen: (port, host = '0.0.0.0') =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const addr = server.address();
          resolve(typeof addr === 'object' && addr ? addr.port : port);
        });
      }),
    async close() {
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      });
      handoff?.stop();
      await unlisten();
      await hub.stop();
    },
  };
}

function notFound(res: ServerResponse, path: string): void {
  sendJson(res, 404, { error: 'not_found', message: `Nothing at ${path}` });
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 1_048_576) return null;
    chunks.push(c as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
