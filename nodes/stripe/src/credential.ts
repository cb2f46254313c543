import { defineCredentialKind, z } from '@apiq/sdk';

/** A Stripe secret (or restricted) key for API calls, and the signing secret of a webhook endpoint. */
export const stripeCredential = defineCredentialKind({
  id: 'stripe',
  title: 'Stripe',
  description:
    'A Stripe secret or restricted API key ("sk_…" / "rk_…") for API calls, and the signing secret ("whsec_…") of the webhook endpoint the Stripe event trigger receives.',
  fields: z.object({
    secretKey: z
      .string({ error: 'secretKey is required: a Stripe secret key such as "sk_test_…" or a restricted key "rk_…"' })
      .regex(
        /^(sk|rk)_(test|live)_\S+$/,
        'secretKey must be a Stripe secret key "sk_test_…"/"sk_live_…" or a restricted key "rk_…"',
      )
      .describe('Secret key (Developers → API keys)'),
    webhookSigningSecret: z
      .string()
      .regex(/^whsec_\S+$/, 'webhookSigningSecret must be the endpoint\'s signing secret, starting with "whsec_"')
      .optional()
      .describe('Webhook signing secret (Developers → Webhooks → your endpoint; needed by the Stripe event trigger)'),
    baseUrl: z
      .string()
      .url('baseUrl must be a URL such as "https://api.stripe.com"')
      .optional()
      .describe('API base URL (default https://api.stripe.com)'),
  }),
  secret: ['secretKey', 'webhookSigningSecret'],
  auth: { type: 'headers', headers: { Authorization: 'Bearer {secretKey}' } },
  baseUrl: 'https://api.stripe.com',
  test: { method: 'GET', path: '/v1/balance' },
});
