import { defineNode, z, type Json } from '@apiq/sdk';
import { stripeIcon } from './icon.ts';
import { callStripe } from './request.ts';

const jsonValue: z.ZodType<Json> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonValue), z.record(z.string(), jsonValue)]),
);

/** Any Stripe API endpoint, with the Stripe credential's key. */
export const stripeApiCall = defineNode({
  id: 'stripe.api_call',
  title: 'Custom API call (Stripe)',
  description:
    'Calls any Stripe API endpoint (e.g. POST /v1/refunds, GET /v1/subscriptions) with the Stripe credential; parameters are form-encoded the Stripe way and POSTs carry the step’s Idempotency-Key.',
  keywords: ['stripe', 'api', 'custom', 'request', 'endpoint', 'refund', 'subscription', 'raw', 'any'],
  category: 'app',
  icon: stripeIcon,
  credentials: [{ kind: 'stripe', required: true }],
  params: z.strictObject({
    method: z.enum(['GET', 'POST', 'DELETE']).default('GET'),
    path: z
      .string({ error: 'path is required, e.g. "/v1/refunds"' })
      .regex(/^\/v\d+\/[^\s#?]*$/, 'path must start with the API version, e.g. "/v1/refunds" (no query: use params)')
      .describe('Path, e.g. "/v1/refunds"'),
    params: z
      .record(z.string(), jsonValue)
      .default({})
      .describe('Parameters (query for GET/DELETE, form body for POST), e.g. { "charge": "ch_…", "amount": 500 }'),
    failOnStatus: z.boolean().default(true).describe('Fail the step on a 4xx or 5xx answer'),
  }),
  idempotent: true,
  sideEffects: true,
  async run(ctx) {
    const { method, path, params, failOnStatus } = ctx.params;
    const res = await callStripe(ctx, { method, path, params, failOnStatus });
    return { output: { status: res.status, headers: Object.fromEntries(res.headers), body: res.body } };
  },
});
