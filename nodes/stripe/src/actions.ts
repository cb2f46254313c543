import { defineNode, z } from '@apiq/sdk';
import { stripeIcon } from './icon.ts';
import { createdFilter, listStripe } from './list.ts';
import { cursorParam, customerParam, isoDate, limitParam, metadataParam } from './params.ts';
import { callStripe } from './request.ts';

const credentials = [{ kind: 'stripe', required: true, description: 'A secret or restricted key' }];

/** Lists charges. */
export const listCharges = defineNode({
  id: 'stripe.list_charges',
  title: 'List charges (Stripe)',
  description:
    'Lists Stripe charges (payments), newest first, optionally for one customer or a date range, following pages up to a limit.',
  keywords: ['stripe', 'charges', 'payments', 'list', 'transactions', 'sales', 'revenue', 'card'],
  category: 'app',
  icon: stripeIcon,
  credentials,
  params: z.strictObject({
    customer: customerParam,
    createdAfter: isoDate('createdAfter').describe('Only charges created at or after this date'),
    createdBefore: isoDate('createdBefore').describe('Only charges created at or before this date'),
    limit: limitParam(10),
    cursor: cursorParam,
  }),
  idempotent: true,
  sideEffects: true,
  async run(ctx) {
    const { customer, createdAfter, createdBefore, limit, cursor } = ctx.params;
    const filters = { customer, created: createdFilter(createdAfter, createdBefore) };
    return { output: { ...(await listStripe(ctx, '/v1/charges', filters, limit, cursor)) } };
  },
});

/** Lists invoices. */
export const listInvoices = defineNode({
  id: 'stripe.list_invoices',
  title: 'List invoices (Stripe)',
  description:
    'Lists Stripe invoices, newest first, optionally by customer, status (draft, open, paid, uncollectible, void), subscription or date range, following pages up to a limit.',
  keywords: ['stripe', 'invoices', 'invoice', 'billing', 'list', 'unpaid', 'paid', 'subscription'],
  category: 'app',
  icon: stripeIcon,
  credentials,
  params: z.strictObject({
    customer: customerParam,
    status: z.enum(['draft', 'open', 'paid', 'uncollectible', 'void']).optional(),
    subscription: z
      .string()
      .regex(/^sub_[A-Za-z0-9]+$/, 'subscription must be an id such as "sub_1MowQV…"')
      .optional(),
    createdAfter: isoDate('createdAfter').describe('Only invoices created at or after this date'),
    createdBefore: isoDate('createdBefore').describe('Only invoices created at or before this date'),
    limit: limitParam(10),
    cursor: cursorParam,
  }),
  idempotent: true,
  sideEffects: true,
  async run(ctx) {
    const { customer, status, subscription, createdAfter, createdBefore, limit, cursor } = ctx.params;
    const filters = { customer, status, subscription, created: createdFilter(createdAfter, createdBefore) };
    return { output: { ...(await listStripe(ctx, '/v1/invoices', filters, limit, cursor)) } };
  },
});

/** Creates a customer. */
export const createCustomer = defineNode({
  id: 'stripe.create_customer',
  title: 'Create customer (Stripe)',
  description:
    'Creates a Stripe customer with email, name, phone, description and metadata; returns the customer with its id (cus_…). Retries never create duplicates.',
  keywords: ['stripe', 'customer', 'create', 'new customer', 'billing', 'signup', 'account', 'payer'],
  category: 'app',
  icon: stripeIcon,
  credentials,
  params: z.strictObject({
    email: z.email('email must be an email address such as "jenny@example.com"').optional(),
    name: z.string().min(1).optional().describe('Full name or business name'),
    phone: z.string().min(1).optional(),
    description: z.string().optional(),
    metadata: metadataParam,
  }),
  idempotent: true,
  sideEffects: true,
  async run(ctx) {
    const res = await callStripe(ctx, { method: 'POST', path: '/v1/customers', params: { ...ctx.params } });
    return { output: res.body };
  },
});

/** Creates a payment intent. */
export const createPaymentIntent = defineNode({
  id: 'stripe.create_payment_intent',
  title: 'Create payment intent (Stripe)',
  description:
    'Creates a Stripe PaymentIntent to collect a payment of an amount in a currency (optionally for a customer); returns it with its id and client_secret. Retries never charge twice.',
  keywords: ['stripe', 'payment', 'payment intent', 'charge', 'collect', 'checkout', 'pay', 'amount', 'card'],
  category: 'app',
  icon: stripeIcon,
  credentials,
  params: z.strictObject({
    amount: z
      .number({ error: 'amount is required: in the smallest currency unit, e.g. 2000 for 20.00 EUR' })
      .int('amount must be whole: in the smallest currency unit, e.g. 2000 for 20.00 EUR')
      .positive('amount must be positive')
      .describe('Amount in the smallest currency unit (cents), e.g. 2000 for 20.00'),
    currency: z
      .string({ error: 'currency is required: a three-letter ISO code such as "eur" or "usd"' })
      .regex(/^[A-Za-z]{3}$/, 'currency must be a three-letter ISO code such as "eur" or "usd"')
      .transform((c) => c.toLowerCase()),
    customer: customerParam,
    description: z.string().optional(),
    receiptEmail: z.email('receiptEmail must be an email address').optional(),
    captureMethod: z
      .enum(['automatic', 'manual'])
      .default('automatic')
      .describe('manual: authorise now, capture later'),
    automaticPaymentMethods: z
      .boolean()
      .default(true)
      .describe('Let Stripe offer the payment methods enabled in the Dashboard'),
    metadata: metadataParam,
  }),
  idempotent: true,
  sideEffects: true,
  async run(ctx) {
    const p = ctx.params;
    const res = await callStripe(ctx, {
      method: 'POST',
      path: '/v1/payment_intents',
      params: {
        amount: p.amount,
        currency: p.currency,
        customer: p.customer,
        description: p.description,
        receipt_email: p.receiptEmail,
        capture_method: p.captureMethod,
        automatic_payment_methods: p.automaticPaymentMethods ? { enabled: true } : undefined,
        metadata: p.metadata,
      },
    });
    return { output: res.body };
  },
});
