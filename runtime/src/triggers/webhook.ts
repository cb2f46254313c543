import type { IncomingMessage, ServerResponse } from 'node:http';
import { verifyWebhookSignature, type Json, type NodeCatalog } from '@apiq/sdk';
import { discoverNodes, findProjectRoot } from '@apiq/catalog';
import type { Kysely } from 'kysely';
import type pg from 'pg';
import type { Database } from '@apiq/db';
import type { WorkflowIR } from '@apiq/graph';
import { EnqueueBatcher, recordHandedRun, resumeWaitingRun, type EnqueueRequest } from '../store/runs.ts';
import { RECORD_HANDED_RUN_AFTER_MS } from '../store/handoff.ts';
import { loadVersionIR, normalizeWebhookPath } from '../store/workflows.ts';
import type { RunEvent, RunEventHub } from '../store/run-events.ts';
import { sendJson } from '../server/respond.ts';
import { WebhookRateLimiter, type WebhookRateLimit } from './webhook-rate-limit.ts';
import { decideAppDelivery, prepareAppTrigger, type AppTrigger } from './app-webhook.ts';
import type { CredentialResolver } from '../credentials/index.ts';
import type { HandoffTargets } from './handoff-targets.ts';

interface Endpoint {
  workflowId: string;
  workspaceId: string;
  versionId: string;
  method: string;
  respond: 'immediately' | 'respond_node' | 'last_node';
  signature?: { secret: string; header: string; toleranceSeconds: number };
  idempotencyHeader: string;
  maxBodyBytes: number;
  /** Runs may be handed over unrecorded (no concurrency limit to count them against). */
  deferInsert: boolean;
  /** Set when the trigger is a connector's app-event node rather than `core.webhook_trigger`. */
  app?: AppTrigger;
  /** Why this endpoint cannot take deliveries right now (answered with 503). */
  problem?: string;
}

export interface WebhookOptions {
  db: Kysely<Database>;
  pool?: pg.Pool;
  hub: RunEventHub;
  /** How long a synchronous webhook waits for its response before answering 202. */
  responseTimeoutMs?: number;
  /** Node types, for app-event triggers' webhook hooks. Default: the installed catalog, loaded on first use. */
  catalog?: NodeCatalog;
  /** Decrypts the credentials an app-event trigger references, so it can verify deliveries. */
  resolveCredentials?: CredentialResolver;
  /** A per-endpoint flood guard (429 with Retry-After); none by default. */
  rateLimit?: WebhookRateLimit;
  /** Live executors that synchronous webhooks' runs are handed to directly (store/handoff.ts). */
  handoff?: HandoffTargets;
  /** How long to wait for a run handed over unrecorded before recording it here. Default: RECORD_HANDED_RUN_AFTER_MS. */
  recordHandedRunAfterMs?: number;
}

const DROP_HEADERS = new Set(['cookie', 'authorization', 'proxy-authorization']);
/** GitHub caps deliveries at 25 MB; Slack and Stripe send far less. */
const APP_MAX_BODY_BYTES = 25 * 1024 * 1024;

/**
 * Webhook trigger endpoint: `/webhook/<path>`. The run is committed (durable) before any 2xx
 * is sent; a synchronous webhook answers once the workflow's response is committed too.
 */
export class WebhookHandler {
  private readonly cache = new Map<string, Endpoint | null>();
  private readonly runs: EnqueueBatcher;
  private catalog?: Promise<NodeCatalog>;

  private readonly limiter: WebhookRateLimiter | undefined;

  constructor(private readonly o: WebhookOptions) {
    const handoff = o.handoff;
    this.runs = new EnqueueBatcher(o.db, o.pool, handoff ? { pickExecutor: () => handoff.pick() } : {});
    this.limiter = o.rateLimit ? new WebhookRateLimiter(o.rateLimit) : undefined;
  }

  /** Drops cached endpoint lookups (called when workflows are activated or deactivated). */
  invalidate(): void {
    this.cache.clear();
  }

  async handle(req: IncomingMessage, res: ServerResponse, rawPath: string, query: URLSearchParams): Promise<void> {
    const path = normalizeWebhookPath(decodeURIComponent(rawPath));
    const method = (req.method ?? 'GET').toUpperCase();
    const endpoint = await this.lookup(path, method);
    if (!endpoint) {
      sendJson(res, 404, { error: 'not_found', message: `No active workflow listens on ${method} /webhook/${path}` });
      req.resume();
      return;
    }
    if (this.limiter) {
      const decision = this.limiter.take(`${method} ${path}`);
      if (!decision.allowed) {
        sendJson(
          res,
          429,
          { error: 'rate_limited', message: `Too many requests to /webhook/${path}; retry later.` },
          decision.headers,
        );
        req.resume();
        return;
      }
    }
    if (endpoint.problem) {
      sendJson(res, 503, { error: 'trigger_unavailable', message: endpoint.problem });
      req.resume();
      return;
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > endpoint.maxBodyBytes) {
      sendJson(res, 413, {
        error: 'payload_too_large',
        message: `Body is ${declared} bytes; this webhook accepts at most ${endpoint.maxBodyBytes}`,
      });
      req.resume();
      return;
    }
    const raw = await readBody(req, endpoint.maxBodyBytes);
    if (raw === undefined) {
      sendJson(res, 413, { error: 'payload_too_large', message: `Body exceeds ${endpoint.maxBodyBytes} bytes` });
      return;
    }
    if (endpoint.app) return this.handleApp(req, res, endpoint, endpoint.app, { method, path, query, raw });
    if (endpoint.signature) {
      const header = req.headers[endpoint.signature.header.toLowerCase()];
      const check = verifyWebhookSignature({
        secret: endpoint.signature.secret,
        header: typeof header === 'string' ? header : undefined,
        body: raw,
        toleranceSeconds: endpoint.signature.toleranceSeconds,
      });
      if (!check.ok) {
        sendJson(res, 401, { error: 'bad_signature', reason: check.reason, message: check.message });
        return;
      }
    }
    const parsed = parseBody(raw, String(req.headers['content-type'] ?? ''));
    if (!parsed.ok) {
      sendJson(res, 400, { error: 'invalid_body', message: parsed.message });
      return;
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers))
      if (!DROP_HEADERS.has(k) && v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    const keyHeader = req.headers[endpoint.idempotencyHeader];
    const idempotencyKey = typeof keyHeader === 'string' && keyHeader.length > 0 ? keyHeader.slice(0, 200) : null;
    const awaited = endpoint.respond !== 'immediately';
    const request: EnqueueRequest = {
      workflowId: endpoint.workflowId,
      versionId: endpoint.versionId,
      workspaceId: endpoint.workspaceId,
      triggerKind: 'webhook',
      triggerPayload: { method, path, query: Object.fromEntries(query), headers, body: parsed.value },
      idempotencyKey,
      // The client is answered only after the run's response is committed (see answer()).
      awaited,
      deferInsert: endpoint.deferInsert,
    };
    const { runId, created, handedTo, unrecorded } = await this.runs.enqueue(request);
    if (!created) res.setHeader('idempotent-replayed', 'true');
    if (!awaited) {
      sendJson(res, 202, { runId, status: 'queued' });
      return;
    }
    if (handedTo) this.o.handoff?.started(handedTo);
    try {
      await this.answer(res, runId, created, unrecorded ? request : undefined);
    } finally {
      if (handedTo) this.o.handoff?.finished(handedTo);
    }
  }

  /**
   * Waits for a run's event. A run handed over `unrecorded` (store/handoff.ts) that has not been
   * heard of in time is recorded (queued) here first, so it runs even if its executor is gone.
   */
  private async eventOf(runId: string, unrecorded: EnqueueRequest | undefined): Promise<RunEvent | undefined> {
    const accept = (e: RunEvent) => e.kind === 'response' || e.kind === 'finished' || e.kind === 'waiting';
    const timeoutMs = this.o.responseTimeoutMs ?? 30_000;
    if (!unrecorded) return this.o.hub.waitFor(runId, accept, timeoutMs);
    const startedAt = Date.now();
    const soon = await this.o.hub.waitFor(
      runId,
      accept,
      Math.min(timeoutMs, this.o.recordHandedRunAfterMs ?? RECORD_HANDED_RUN_AFTER_MS),
    );
    if (soon) return soon;
    await recordHandedRun(this.o.db, runId, unrecorded);
    return this.o.hub.waitFor(runId, accept, Math.max(0, timeoutMs - (Date.now() - startedAt)));
  }

  /** Answers a synchronous webhook with its run's response, once committed. */
  private async answer(
    res: ServerResponse,
    runId: string,
    created: boolean,
    unrecorded: EnqueueRequest | undefined,
  ): Promise<void> {
    if (!created) {
      const prior = await this.o.db
        .selectFrom('runs')
        .select(['status', 'response'])
        .where('id', '=', runId)
        .executeTakeFirst();
      if (prior?.response) return sendResponse(res, prior.response as never);
      if (prior && ['succeeded', 'failed', 'cancelled', 'dead'].includes(prior.status)) {
        sendJson(res, prior.status === 'succeeded' ? 200 : 500, { runId, status: prior.status });
        return;
      }
    }
    const event = await this.eventOf(runId, unrecorded);
    if (event?.response) return sendResponse(res, event.response);
    if (!event) {
      // The run was inserted without waiting for its WAL flush (an awaited run, see enqueueRuns);
      // it is flushed by now, unless the database restarted meanwhile and lost it: check first.
      const stored = await this.o.db.selectFrom('runs').select('id').where('id', '=', runId).executeTakeFirst();
      if (!stored) {
        sendJson(res, 503, { error: 'not_recorded', message: 'The delivery could not be recorded; send it again.' });
        return;
      }
    }
    if (!event || event.kind === 'waiting') {
      sendJson(res, 202, {
        runId,
        status: event ? 'waiting' : 'running',
        message: 'The run continues; no response was produced in time.',
      });
      return;
    }
    if (event.status === 'succeeded') sendJson(res, 200, { runId, status: 'succeeded' });
    else {
      const row = await this.o.db.selectFrom('runs').select('error').where('id', '=', runId).executeTakeFirst();
      sendJson(res, 500, { runId, status: event.status, error: row?.error ?? null });
    }
  }

  /**
   * A delivery to a connector's app-event trigger: the trigger's hooks verify it (with its
   * decrypted credentials), answer handshakes, filter and shape it; the provider's delivery id
   * is the idempotency key, so a redelivery starts no second run.
   */
  private async handleApp(
    req: IncomingMessage,
    res: ServerResponse,
    endpoint: Endpoint,
    app: AppTrigger,
    d: { method: string; path: string; query: URLSearchParams; raw: Buffer },
  ): Promise<void> {
    let credentials: Record<string, Record<string, string>> = {};
    if (app.hooks.verify && Object.keys(app.credentialRefs).length > 0) {
      if (!this.o.resolveCredentials) {
        sendJson(res, 503, {
          error: 'credentials_unavailable',
          message: `trigger "${app.nodeId}" needs its credentials to verify deliveries, but this web server has no credential resolver configured`,
        });
        return;
      }
      try {
        credentials = await this.o.resolveCredentials(endpoint.workspaceId, app.credentialRefs);
      } catch (err) {
        sendJson(res, 503, {
          error: 'credentials_unavailable',
          message: `trigger "${app.nodeId}" cannot read its credentials (${(err as Error).message}); check the credentials selected on the trigger`,
        });
        return;
      }
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers))
      if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    const parsed = parseBody(d.raw, headers['content-type'] ?? '');
    const decision = decideAppDelivery(
      app,
      {
        method: d.method,
        path: d.path,
        headers,
        query: Object.fromEntries(d.query),
        rawBody: d.raw,
        body: parsed.ok ? (parsed.value as Json) : null,
        params: app.params,
      },
      credentials,
      parsed.ok ? undefined : parsed.message,
    );
    switch (decision.action) {
      case 'reject':
        return sendJson(res, decision.status, decision.body);
      case 'reply':
        return sendResponse(res, decision.reply);
      case 'ignore':
        return sendJson(res, 200, decision.body);
      case 'start': {
        const { runId, created } = await this.runs.enqueue({
          workflowId: endpoint.workflowId,
          versionId: endpoint.versionId,
          workspaceId: endpoint.workspaceId,
          triggerKind: 'webhook',
          triggerPayload: decision.output,
          idempotencyKey: decision.deliveryId,
        });
        sendJson(res, 200, { runId, status: 'queued' }, created ? {} : { 'idempotent-replayed': 'true' });
      }
    }
  }

  private loadCatalog(): Promise<NodeCatalog> {
    this.catalog ??= this.o.catalog ? Promise.resolve(this.o.catalog) : discoverNodes(findProjectRoot());
    return this.catalog;
  }

  private async lookup(path: string, method: string): Promise<Endpoint | undefined> {
    const cacheKey = `${method} ${path}`;
    if (this.cache.has(cacheKey)) return this.cache.get(cacheKey) ?? undefined;
    const row = await this.o.db
      .selectFrom('webhook_endpoints as e')
      .innerJoin('workflows as w', 'w.id', 'e.workflow_id')
      .select(['e.workflow_id', 'e.version_id', 'e.method', 'w.workspace_id'])
      .where('e.path', '=', path)
      .where((eb) => eb.or([eb('e.method', '=', method), eb('e.method', '=', 'ANY')]))
      .where('w.active', '=', true)
      .executeTakeFirst();
    if (!row) return undefined;
    const ir: WorkflowIR = await loadVersionIR(this.o.db, row.version_id);
    const step = ir.steps[ir.trigger]!;
    if (step.type !== 'core.webhook_trigger') {
      const app = await prepareAppTrigger(await this.loadCatalog(), step, row.workflow_id);
      const endpoint: Endpoint = {
        workflowId: row.workflow_id,
        workspaceId: row.workspace_id,
        versionId: row.version_id,
        method: row.method,
        respond: 'immediately',
        idempotencyHeader: '',
        maxBodyBytes: APP_MAX_BODY_BYTES,
        deferInsert: false,
        ...('problem' in app ? { problem: app.problem } : { app }),
      };
      this.cache.set(cacheKey, endpoint);
      return endpoint;
    }
    const p = step.params as Record<string, unknown>;
    const sig = p.signature as { secret?: string; header?: string; toleranceSeconds?: number } | undefined;
    const endpoint: Endpoint = {
      workflowId: row.workflow_id,
      workspaceId: row.workspace_id,
      versionId: row.version_id,
      method: row.method,
      respond: (p.respond as Endpoint['respond']) ?? 'immediately',
      ...(sig?.secret
        ? {
            signature: {
              secret: sig.secret,
              header: sig.header ?? 'x-apiq-signature',
              toleranceSeconds: sig.toleranceSeconds ?? 300,
            },
          }
        : {}),
      idempotencyHeader: String(p.idempotencyHeader ?? 'idempotency-key').toLowerCase(),
      maxBodyBytes: Number(p.maxBodyBytes ?? 1_048_576),
      deferInsert: !ir.settings.concurrency,
    };
    this.cache.set(cacheKey, endpoint);
    return endpoint;
  }
}

function sendResponse(
  res: ServerResponse,
  r: { status: number; headers?: Record<string, string>; body: unknown },
): void {
  const headers = { ...(r.headers ?? {}) };
  const hasType = Object.keys(headers).some((h) => h.toLowerCase() === 'content-type');
  const body = typeof r.body === 'string' && hasType ? r.body : JSON.stringify(r.body ?? null);
  if (!hasType) headers['content-type'] = 'application/json';
  res.writeHead(r.status, headers);
  res.end(body);
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        over = true;
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(over ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseBody(raw: Buffer, contentType: string): { ok: true; value: unknown } | { ok: false; message: string } {
  if (raw.length === 0) return { ok: true, value: null };
  const text = raw.toString('utf8');
  if (contentType.includes('json')) {
    try {
      return { ok: true, value: JSON.parse(text) };
    } catch (err) {
      return { ok: false, message: `Body is not valid JSON: ${(err as Error).message}` };
    }
  }
  if (contentType.includes('application/x-www-form-urlencoded'))
    return { ok: true, value: Object.fromEntries(new URLSearchParams(text)) };
  return { ok: true, value: text };
}

/** Resume URL for a run parked on a Wait node in webhook mode. */
export async function handleResume(
  db: Kysely<Database>,
  res: ServerResponse,
  runId: string,
  token: string,
  body: unknown,
): Promise<void> {
  const ok = /^[0-9a-f-]{36}$/.test(runId) && (await resumeWaitingRun(db, runId, token, body));
  if (!ok) {
    sendJson(res, 404, {
      error: 'not_found',
      message: 'No run is waiting on this resume URL (wrong token, already resumed, or timed out)',
    });
    return;
  }
  sendJson(res, 202, { runId, status: 'queued' });
}
