import { defineNode, verifyWebhookSignature, z, type Json, type WebhookDelivery } from '@apiq/sdk';
import { stripeIcon } from './icon.ts';

const PATH_HELP = 'e.g. "stripe/events"';

function eventOf(d: WebhookDelivery): { [key: string]: Json } {
  if (!d.body || typeof d.body !== 'object' || Array.isArray(d.body) || d.body.object !== 'event')
    throw new Error('a Stripe webhook delivery is a JSON event object ("object": "event")');
  return d.body;
}

/** Whether `type` matches one of the patterns (`invoice.paid`, or `invoice.*` for a whole family). */
export function matchesEventType(patterns: string[], type: string): boolean {
  return (
    patterns.length === 0 ||
    patterns.some((p) => p === '*' || p === type || (p.endsWith('.*') && type.startsWith(p.slice(0, -1))))
  );
}

/** Stripe webhook events: payments, invoices, subscriptions, customers… */
export const stripeOnEvent = defineNode({
  id: 'stripe.on_event',
  title: 'On Stripe event',
  description:
    'Starts the workflow when Stripe sends a webhook event: a payment succeeded or failed, an invoice was paid, a subscription changed, a customer was created, a dispute opened, … Checks the Stripe-Signature header.',
  keywords: [
    'stripe',
    'event',
    'webhook',
    'trigger',
    'payment succeeded',
    'payment failed',
    'invoice paid',
    'subscription',
    'charge',
    'checkout completed',
    'dispute',
    'when',
  ],
  category: 'trigger',
  icon: stripeIcon,
  trigger: 'app_event',
  credentials: [
    {
      kind: 'stripe',
      required: true,
      description: 'Its webhook signing secret checks that deliveries come from Stripe',
    },
  ],
  params: z.strictObject({
    path: z
      .string({ error: `path must be the webhook URL path, ${PATH_HELP}` })
      .min(1, `path must not be empty, ${PATH_HELP}`)
      .max(200, 'path is too long (max 200 characters)')
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9_.-]*(\/[A-Za-z0-9_.-]*[A-Za-z0-9_-])*$/,
        `path must use letters, digits and / _ . - with no leading slash, empty or "." segments, ${PATH_HELP}`,
      )
      .default('stripe/events')
      .describe('The webhook URL path: the endpoint URL in Stripe is <APIQ URL>/webhook/<path>'),
    eventTypes: z
      .array(
        z
          .string()
          .regex(
            /^(\*|[a-z_]+(\.[a-z_]+)*(\.\*)?)$/,
            'event types look like "payment_intent.succeeded", or "invoice.*" for a family',
          ),
      )
      .default([])
      .describe('Only these event types, e.g. ["payment_intent.succeeded", "invoice.*"]. Empty: every event sent'),
    toleranceSeconds: z
      .number()
      .int()
      .min(1)
      .max(3600)
      .default(300)
      .describe('How old a signed delivery may be, in seconds (replay protection)'),
  }),
  idempotent: true,
  sideEffects: false,
  webhook: {
    verify(d, creds) {
      const secret = creds.stripe?.webhookSigningSecret;
      if (!secret)
        return {
          ok: false,
          message:
            'this Stripe trigger has no webhook signing secret: select a Stripe credential with the endpoint’s signing secret ("whsec_…")',
        };
      // Stripe's scheme is the platform's: `t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`.
      const check = verifyWebhookSignature({
        secret,
        header: d.headers['stripe-signature'],
        body: d.rawBody,
        toleranceSeconds: (d.params as { toleranceSeconds: number }).toleranceSeconds,
      });
      return check.ok ? check : { ok: false, message: `Stripe-Signature: ${check.message}` };
    },
    accept: (d) => matchesEventType((d.params as { eventTypes: string[] }).eventTypes, String(eventOf(d).type)),
    deliveryId(d) {
      const id = eventOf(d).id;
      return typeof id === 'string' ? id : undefined;
    },
    output: (d) => eventOf(d),
  },
  run: (ctx) => ({ output: ctx.trigger }),
});
