import { expect } from 'vitest';
import { scenario } from '../testing/scenario.ts';

export default scenario(async (world, workflow) => {
  // The stand-in holds four successful EUR charges of 10.00–10.03 made on 31 December 2025.
  const run = await world.run(workflow, {
    scheduledAt: '2026-01-05T08:00:00.000Z',
    firedAt: '2026-01-05T08:00:00.200Z',
  });
  expect(run.status).toBe('succeeded');
  const list = world.stripe.requests.find((r) => r.url.startsWith('/v1/charges'))!;
  const query = new URL(list.url, 'http://stripe.test').searchParams;
  expect(query.get('created[gte]')).toBe(String(Date.parse('2025-12-29T08:00:00Z') / 1000));
  expect(query.get('created[lte]')).toBe(String(Date.parse('2026-01-05T08:00:00Z') / 1000));

  const mail = world.smtp.received.find((m) => m.envelope.to.includes('finance@acme.example'))!;
  expect(mail.parsed.subject).toBe('Stripe revenue for the week before 2026-01-05');
  expect(mail.parsed.text).toBe('Successful payments in the last 7 days: 4\n\n40.06 EUR\n\nSent by APIQ.\n');
});
