import { createSafeFetch } from '@apiq/http';
import {
  checkDefinition,
  FatalError,
  RateLimitedError,
  RetryableError,
  signWebhookBody,
  type Json,
  type NodeDefinition,
  type WebhookDelivery,
} from '@apiq/sdk';
import { rejectionOf, runNode } from '@apiq/sdk/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createCustomer,
  createPaymentIntent,
  listCharges,
  listInvoices,
  matchesEventType,
  stripeApiCall,
  stripeCredential,
  stripeFormEncode,
  stripeOnEvent,
} from './index.ts';
import { parseStripeForm, startLocalStripeApi, type LocalStripeApi } from './local-stripe-api.ts';

const KEY = 'sk_test_51MtwAPIQ0123456789';
let api: LocalStripeApi;
const fetch = createSafeFetch({ allow: ['127.0.0.1/32'] });

beforeAll(async () => {
  api = await startLocalStripeApi({ secretKey: KEY, charges: 25, invoices: 9 });
});
afterAll(async () => {
  await api.close();
  fetch.close();
});
beforeEach(() => {
  api.requests.length = 0;
});

const credentials = () => ({ stripe: { secretKey: KEY, baseUrl: api.origin } });
async function output(
  def: NodeDefinition,
  params: unknown,
  idempotencyKey = 'run-1:step-1:',
): Promise<Record<string, Json>> {
  const { result } = await runNode(def, { params, fetch, credentials: credentials(), idempotencyKey });
  if (!('output' in result)) throw new Error('expected an output');
  return result.output as Record<string, Json>;
}
const failure = (def: NodeDefinition, params: unknown) =>
  rejectionOf(runNode(def, { params, fetch, credentials: credentials() }));

describe('Stripe definitions', () => {
  it('are valid and declare the stripe credential', () => {
    for (const def of [listCharges, listInvoices, createCustomer, createPaymentIntent, stripeApiCall, stripeOnEvent]) {
      expect(checkDefinition(def)).toEqual([]);
      expect(def.credentials[0]?.kind).toBe('stripe');
    }
    expect(stripeCredential.fields.safeParse({ secretKey: 'pk_test_123' }).error?.issues[0]?.message).toMatch(
      /must be a Stripe secret key/,
    );
  });

  it('form-encodes nested objects and arrays the Stripe way', () => {
    const text = stripeFormEncode({
      amount: 2000,
      metadata: { order: '42' },
      expand: ['customer', 'latest_charge'],
      off: false,
      description: null,
      skipped: undefined,
    });
    expect(decodeURIComponent(text)).toBe(
      'amount=2000&metadata[order]=42&expand[0]=customer&expand[1]=latest_charge&off=false&description=',
    );
  });
});

describe('stripe.create_customer and stripe.create_payment_intent', () => {
  it('posts a form body with the key and the step’s Idempotency-Key', async () => {
    const customer = await output(
      createCustomer,
      { email: 'jenny@example.com', name: 'Jenny Rosen', metadata: { orderId: '42' } },
      'run-7:create-customer:',
    );
    const req = api.requests[0]!;
    expect(req).toMatchObject({ method: 'POST', url: '/v1/customers' });
    expect(req.headers).toMatchObject({
      authorization: `Bearer ${KEY}`,
      'content-type': 'application/x-www-form-urlencoded',
      'idempotency-key': 'run-7:create-customer:',
    });
    expect(parseStripeForm(req.body)).toEqual({
      email: 'jenny@example.com',
      name: 'Jenny Rosen',
      metadata: { orderId: '42' },
    });
    expect(customer).toMatchObject({ object: 'customer', email: 'jenny@example.com', metadata: { orderId: '42' } });
    expect(customer.id).toMatch(/^cus_/);
  });

  it('a retried step (same key) gets the same object back instead of a second one', async () => {
    const params = { amount: 2000, currency: 'EUR', customer: 'cus_Even', metadata: { order: '7' } };
    const before = api.paymentIntents.length;
    const first = await output(createPaymentIntent, params, 'run-8:charge:');
    const second = await output(createPaymentIntent, params, 'run-8:charge:');
    expect(second.id).toBe(first.id);
    expect(api.paymentIntents.length).toBe(before + 1);
    expect(parseStripeForm(api.requests[0]!.body)).toEqual({
      amount: '2000',
      currency: 'eur',
      customer: 'cus_Even',
      capture_method: 'automatic',
      automatic_payment_methods: { enabled: 'true' },
      metadata: { order: '7' },
    });
    expect(first).toMatchObject({ object: 'payment_intent', amount: 2000, status: 'requires_payment_method' });
  });

  it('reports Stripe’s error type, code, message and param', async () => {
    api.failNext(402, {
      error: {
        type: 'card_error',
        code: 'card_declined',
        decline_code: 'insufficient_funds',
        message: 'Your card has insufficient funds.',
      },
    });
    const declined = await failure(createPaymentIntent, { amount: 100, currency: 'usd' });
    expect(declined).toBeInstanceOf(FatalError);
    expect(declined.message).toBe(
      'Stripe POST /v1/payment_intents answered 402 card_error card_declined insufficient_funds: Your card has insufficient funds.',
    );
    const conflict = await rejectionOf(
      runNode(createCustomer, {
        params: { email: 'other@example.com' },
        fetch,
        credentials: credentials(),
        idempotencyKey: 'run-7:create-customer:',
      }),
    );
    expect(conflict).toBeInstanceOf(FatalError);
    expect(conflict.message).toMatch(/answered 400 idempotency_error: Keys for idempotent requests/);
    const badKey = await rejectionOf(
      runNode(createCustomer, {
        params: {},
        fetch,
        credentials: { stripe: { secretKey: 'sk_test_wrong', baseUrl: api.origin } },
      }),
    );
    expect(badKey.message).toMatch(
      /answered 401 invalid_request_error: Invalid API Key provided: sk_test_\*\*\*\*; check the secret key/,
    );
  });

  it('maps 429 to RateLimitedError and 5xx or Stripe-Should-Retry to RetryableError', async () => {
    api.failNext(
      429,
      { error: { type: 'invalid_request_error', code: 'rate_limit', message: 'Too many requests' } },
      {
        'retry-after': '2',
      },
    );
    const limited = await failure(createCustomer, {});
    expect(limited).toBeInstanceOf(RateLimitedError);
    expect((limited as RateLimitedError).retryAfterMs).toBe(2000);
    api.failNext(500, { error: { type: 'api_error', message: 'Something went wrong on Stripe’s end.' } });
    expect(await failure(createCustomer, {})).toBeInstanceOf(RetryableError);
    api.failNext(
      409,
      { error: { type: 'invalid_request_error', code: 'lock_timeout', message: 'busy' } },
      {
        'stripe-should-retry': 'true',
      },
    );
    expect(await failure(createCustomer, {})).toBeInstanceOf(RetryableError);
  });
});

describe('stripe.list_charges and stripe.list_invoices', () => {
  it('follows has_more/starting_after up to the limit and resumes from nextCursor', async () => {
    const first = await output(listCharges, { limit: 12 });
    expect(api.requests.map((r) => r.url)).toEqual(['/v1/charges?limit=12']);
    expect(first).toMatchObject({ count: 12, hasMore: true });
    const items = first.items as Array<{ id: string }>;
    expect(first.nextCursor).toBe(items.at(-1)!.id);
    api.requests.length = 0;
    const rest = await output(listCharges, { limit: 1000, cursor: first.nextCursor });
    expect(api.requests.map((r) => r.url)).toEqual([
      `/v1/charges?limit=100&starting_after=${String(first.nextCursor)}`,
    ]);
    expect(rest).toMatchObject({ count: 13, hasMore: false, nextCursor: null });
    const all = [...items, ...(rest.items as Array<{ id: string }>)].map((c) => c.id);
    expect(new Set(all).size).toBe(25);
  });

  it('asks for more pages while has_more and passes filters', async () => {
    const api2 = await startLocalStripeApi({ secretKey: KEY, charges: 230 });
    try {
      const { result } = await runNode(listCharges, {
        params: { limit: 1000, customer: 'cus_Even' },
        fetch,
        credentials: { stripe: { secretKey: KEY, baseUrl: api2.origin } },
      });
      const out = (result as { output: { count: number; hasMore: boolean } }).output;
      expect(out).toMatchObject({ count: 115, hasMore: false });
      expect(api2.requests).toHaveLength(2);
      expect(api2.requests[1]!.url).toMatch(/^\/v1\/charges\?customer=cus_Even&limit=100&starting_after=ch_/);
    } finally {
      await api2.close();
    }
    const open = await output(listInvoices, { status: 'open', createdAfter: '2025-12-31T23:00:00Z' });
    expect(decodeURIComponent(api.requests[0]!.url)).toBe('/v1/invoices?status=open&created[gte]=1767222000&limit=10');
    expect((open.items as Array<{ status: string }>).every((i) => i.status === 'open')).toBe(true);
    expect(open.count).toBe(3);
  });
});

describe('stripe.api_call', () => {
  it('sends GET params as a query and POSTs as a form with the Idempotency-Key', async () => {
    const got = await output(stripeApiCall, { path: '/v1/invoices', params: { limit: 2 } });
    expect(api.requests[0]!.url).toBe('/v1/invoices?limit=2');
    expect((got.body as { data: Json[] }).data).toHaveLength(2);
    const posted = await output(
      stripeApiCall,
      {
        method: 'POST',
        path: '/v1/customers',
        params: { email: 'raw@example.com', metadata: { source: 'api_call' } },
      },
      'run-9:raw:',
    );
    expect(api.requests[1]!.headers['idempotency-key']).toBe('run-9:raw:');
    expect(posted).toMatchObject({ status: 200, body: { email: 'raw@example.com', metadata: { source: 'api_call' } } });
    expect(stripeApiCall.params.safeParse({ path: 'https://evil.example/v1' }).success).toBe(false);
  });
});

describe('stripe.on_event webhook', () => {
  const secret = 'whsec_test_secret_0123456789abcdef';
  const hooks = stripeOnEvent.webhook!;
  const event = {
    id: 'evt_1NG8Du2eZvKYlo2CUI79vXWy',
    object: 'event',
    api_version: '2024-06-20',
    created: 1767225600,
    type: 'payment_intent.succeeded',
    livemode: false,
    data: { object: { id: 'pi_1', object: 'payment_intent', amount: 2000, currency: 'eur' } },
  };
  const delivery = <P>(body: Json, params: P, header?: string): WebhookDelivery<P> => {
    const raw = Buffer.from(JSON.stringify(body));
    return {
      method: 'POST',
      path: 'stripe/events',
      query: {},
      headers: { 'content-type': 'application/json', 'stripe-signature': header ?? signWebhookBody(secret, raw) },
      rawBody: raw,
      body,
      params,
    };
  };
  const params = stripeOnEvent.params.parse({});
  const creds = { stripe: { secretKey: KEY, webhookSigningSecret: secret } };

  it('verifies the Stripe-Signature scheme with its tolerance', () => {
    expect(hooks.verify!(delivery(event, params), creds)).toEqual({ ok: true });
    const raw = Buffer.from(JSON.stringify(event));
    const stale = signWebhookBody(secret, raw, Math.floor(Date.now() / 1000) - 301);
    expect(hooks.verify!(delivery(event, params, stale), creds)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^Stripe-Signature: the signature timestamp is 30\ds old/),
    });
    const forged = signWebhookBody('whsec_someone_else_entirely', raw);
    expect(hooks.verify!(delivery(event, params, forged), creds)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/does not match/),
    });
    expect(hooks.verify!(delivery(event, params), { stripe: { secretKey: KEY } })).toMatchObject({
      ok: false,
      message: expect.stringMatching(/no webhook signing secret/),
    });
  });

  it('filters by event type (with families), keys by event id and outputs the event', () => {
    expect(matchesEventType([], 'invoice.paid')).toBe(true);
    expect(matchesEventType(['invoice.*'], 'invoice.paid')).toBe(true);
    expect(matchesEventType(['invoice.*'], 'invoiceitem.created')).toBe(false);
    const only = stripeOnEvent.params.parse({ eventTypes: ['charge.succeeded'] });
    expect(hooks.accept!(delivery(event, only))).toBe(false);
    expect(hooks.accept!(delivery(event, params))).toBe(true);
    expect(hooks.deliveryId!(delivery(event, params))).toBe('evt_1NG8Du2eZvKYlo2CUI79vXWy');
    expect(hooks.output!(delivery(event, params))).toEqual(event);
  });
});
