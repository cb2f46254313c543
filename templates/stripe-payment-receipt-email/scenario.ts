import { expect } from 'vitest';
import { scenario } from '../testing/scenario.ts';

export default scenario(async (world, workflow) => {
  const delivery = await world.stripe_event(workflow, {
    id: 'evt_3QpReceipt0001',
    type: 'payment_intent.succeeded',
    created: 1767603600,
    data: {
      object: {
        id: 'pi_3QpReceipt0001',
        object: 'payment_intent',
        amount: 4990,
        amount_received: 4990,
        currency: 'eur',
        description: 'Annual plan',
        receipt_email: 'customer@example.com',
        created: 1767603590,
        status: 'succeeded',
      },
    },
  });
  expect(delivery.status).toBe(200);
  const run = await world.finished((delivery.body as { runId: string }).runId);
  expect(run.status).toBe('succeeded');
  const mail = world.smtp.received.find((m) => m.envelope.to.includes('customer@example.com'))!;
  expect(mail.parsed.subject).toBe('Your receipt from Acme: 49.90 EUR');
  expect(mail.parsed.text).toContain(
    'Amount: 49.90 EUR\nFor: Annual plan\nDate: 2026-01-05\nReference: pi_3QpReceipt0001',
  );
});
