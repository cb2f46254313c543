import { expect } from 'vitest';
import { scenario } from '../testing/scenario.ts';

export default scenario(async (world, workflow) => {
  const delivery = await world.stripe_event(workflow, {
    id: 'evt_1QpFailed0001',
    type: 'invoice.payment_failed',
    created: 1767603600,
    data: {
      object: {
        id: 'in_1QpFailed0001',
        object: 'invoice',
        number: 'ACME-0042',
        customer: 'cus_Even',
        customer_email: 'billing@client.example',
        amount_due: 19900,
        currency: 'usd',
        attempt_count: 2,
        hosted_invoice_url: 'https://invoice.stripe.com/i/acct_1/test_42',
      },
    },
  });
  expect(delivery.status).toBe(200);
  const run = await world.finished((delivery.body as { runId: string }).runId);
  expect(run.status).toBe('succeeded');
  expect(world.slack.messages.at(-1)).toMatchObject({
    channel: 'C0BILLING',
    text: ':warning: Payment failed for billing@client.example: 199.00 USD (attempt 2) https://invoice.stripe.com/i/acct_1/test_42',
  });
  const mail = world.smtp.received.find((m) => m.envelope.to.includes('billing@client.example'))!;
  expect(mail.parsed.subject).toBe('Action needed: your payment did not go through');
  expect(mail.parsed.text).toContain('we could not collect 199.00 USD for invoice ACME-0042');
});
