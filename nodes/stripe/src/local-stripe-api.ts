import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { startLocalServer, type RecordedRequest } from '@apiq/http/testing';

/**
 * For tests: a real HTTP server on 127.0.0.1 that speaks the part of the Stripe API the
 * connector uses: Bearer or Basic secret-key auth, form-encoded bodies with `a[b]` nesting,
 * `Idempotency-Key` replay (and conflicts), list objects with `has_more` / `starting_after`,
 * and Stripe's error bodies.
 */
export interface LocalStripeApi {
  origin: string;
  requests: RecordedRequest[];
  charges: Array<Record<string, unknown>>;
  invoices: Array<Record<string, unknown>>;
  customers: Array<Record<string, unknown>>;
  paymentIntents: Array<Record<string, unknown>>;
  /** Answers the next request with this status, body and headers instead. */
  failNext(status: number, body: unknown, headers?: Record<string, string>): void;
  close(): Promise<void>;
}

/** Parses `a=1&b[c]=2&d[0]=x` into `{ a: '1', b: { c: '2' }, d: { '0': 'x' } }`. */
export function parseStripeForm(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const parts = key.split(/\[|\]\[|\]/).filter((p) => p !== '');
    let node = out;
    parts.forEach((p, i) => {
      if (i === parts.length - 1) node[p] = value;
      else node = (node[p] ??= {}) as Record<string, unknown>;
    });
  }
  return out;
}

export async function startLocalStripeApi(o: {
  secretKey: string;
  charges?: number;
  invoices?: number;
}): Promise<LocalStripeApi> {
  let failure: { status: number; body: unknown; headers: Record<string, string> } | undefined;
  const idempotent = new Map<string, { hash: string; status: number; body: unknown }>();
  let seq = 0;
  const id = (prefix: string) => `${prefix}_3Mtw${String(++seq).padStart(8, '0')}`;
  const created = 1767225600;
  const charges = Array.from({ length: o.charges ?? 0 }, (_, i) => ({
    id: id('ch'),
    object: 'charge',
    amount: 1000 + i,
    currency: 'eur',
    customer: i % 2 === 0 ? 'cus_Even' : 'cus_Odd',
    paid: true,
    status: 'succeeded',
    created: created - i * 60,
    livemode: false,
  }));
  const invoices = Array.from({ length: o.invoices ?? 0 }, (_, i) => ({
    id: id('in'),
    object: 'invoice',
    customer: 'cus_Even',
    status: i % 3 === 0 ? 'open' : 'paid',
    amount_due: 5000,
    currency: 'eur',
    created: created - i * 60,
  }));
  const customers: Array<Record<string, unknown>> = [];
  const paymentIntents: Array<Record<string, unknown>> = [];

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${seq}`, ...headers });
    res.end(JSON.stringify(body));
  };
  const invalid = (res: ServerResponse, message: string, param?: string, code = 'parameter_invalid') =>
    send(res, 400, { error: { type: 'invalid_request_error', code, message, ...(param ? { param } : {}) } });

  const authorised = (header: string | undefined) => {
    if (header === `Bearer ${o.secretKey}`) return true;
    if (header?.startsWith('Basic '))
      return Buffer.from(header.slice(6), 'base64').toString().split(':')[0] === o.secretKey;
    return false;
  };

  const list = (res: ServerResponse, path: string, all: Array<Record<string, unknown>>, q: Record<string, unknown>) => {
    const limit = Number(q.limit ?? 10);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100)
      return invalid(res, 'Invalid integer: limit must be between 1 and 100', 'limit');
    let rows = all.filter(
      (r) =>
        (q.customer === undefined || r.customer === q.customer) && (q.status === undefined || r.status === q.status),
    );
    const range = q.created as { gte?: string; lte?: string } | undefined;
    if (range?.gte) rows = rows.filter((r) => Number(r.created) >= Number(range.gte));
    if (range?.lte) rows = rows.filter((r) => Number(r.created) <= Number(range.lte));
    let start = 0;
    if (q.starting_after !== undefined) {
      start = rows.findIndex((r) => r.id === q.starting_after) + 1;
      if (start === 0)
        return invalid(res, `No such object: '${String(q.starting_after)}'`, 'starting_after', 'resource_missing');
    }
    const data = rows.slice(start, start + limit);
    return send(res, 200, { object: 'list', url: path, has_more: start + limit < rows.length, data });
  };

  const server = await startLocalServer((req, res) => {
    if (failure) {
      const f = failure;
      failure = undefined;
      return send(res, f.status, f.body, f.headers);
    }
    if (!authorised(req.headers.authorization))
      return send(res, 401, {
        error: { type: 'invalid_request_error', message: 'Invalid API Key provided: sk_test_****' },
      });
    const url = new URL(req.url, 'http://localhost');
    if (req.method === 'GET') {
      const q = parseStripeForm(url.search.slice(1));
      if (url.pathname === '/v1/charges') return list(res, url.pathname, charges, q);
      if (url.pathname === '/v1/invoices') return list(res, url.pathname, invoices, q);
    }
    if (req.method !== 'POST')
      return send(res, 404, {
        error: { type: 'invalid_request_error', message: `Unrecognized request URL (${req.method}: ${url.pathname}).` },
      });
    if (req.headers['content-type'] !== 'application/x-www-form-urlencoded')
      return invalid(res, 'Invalid request: bodies must be application/x-www-form-urlencoded');
    const key = req.headers['idempotency-key'];
    const hash = createHash('sha256').update(`${url.pathname}\n${req.body}`).digest('hex');
    if (typeof key === 'string') {
      const prior = idempotent.get(key);
      if (prior && prior.hash !== hash)
        return send(res, 400, {
          error: {
            type: 'idempotency_error',
            message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
          },
        });
      if (prior) return send(res, prior.status, prior.body, { 'idempotent-replayed': 'true', 'idempotency-key': key });
    }
    const p = parseStripeForm(req.body);
    let status = 200;
    let body: Record<string, unknown>;
    if (url.pathname === '/v1/customers') {
      body = {
        id: id('cus'),
        object: 'customer',
        email: p.email ?? null,
        name: p.name ?? null,
        phone: p.phone ?? null,
        description: p.description ?? null,
        metadata: p.metadata ?? {},
        created,
        livemode: false,
      };
      customers.push(body);
    } else if (url.pathname === '/v1/payment_intents') {
      if (p.amount === undefined) return invalid(res, 'Missing required param: amount.', 'amount', 'parameter_missing');
      if (!/^[a-z]{3}$/.test(String(p.currency))) return invalid(res, 'Invalid currency', 'currency');
      const pid = id('pi');
      body = {
        id: pid,
        object: 'payment_intent',
        amount: Number(p.amount),
        currency: p.currency,
        customer: p.customer ?? null,
        description: p.description ?? null,
        receipt_email: p.receipt_email ?? null,
        capture_method: p.capture_method ?? 'automatic',
        automatic_payment_methods: p.automatic_payment_methods
          ? { enabled: (p.automatic_payment_methods as { enabled: string }).enabled === 'true' }
          : null,
        metadata: p.metadata ?? {},
        status: 'requires_payment_method',
        client_secret: `${pid}_secret_abc`,
        created,
        livemode: false,
      };
      paymentIntents.push(body);
    } else {
      status = 404;
      body = { error: { type: 'invalid_request_error', message: `Unrecognized request URL (POST: ${url.pathname}).` } };
    }
    if (typeof key === 'string') idempotent.set(key, { hash, status, body });
    return send(res, status, body, typeof key === 'string' ? { 'idempotency-key': key } : {});
  });
  return {
    origin: server.origin,
    requests: server.requests,
    charges,
    invoices,
    customers,
    paymentIntents,
    failNext: (status, body, headers = {}) => void (failure = { status, body, headers }),
    close: () => server.close(),
  };
}
