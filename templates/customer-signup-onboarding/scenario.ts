import { expect } from 'vitest';
import { scenario } from '../testing/scenario.ts';

export default scenario(async (world, workflow) => {
  const answer = await world.webhook(workflow, {
    body: { email: ' Ada@Example.com ', firstName: 'Ada', lastName: 'Lovelace', company: 'Analytical Engines Ltd' },
  });
  const contact = world.hubspot.contacts.at(-1)!;
  expect(contact.properties).toEqual({
    email: 'ada@example.com',
    firstname: 'Ada',
    lastname: 'Lovelace',
    company: 'Analytical Engines Ltd',
    lifecyclestage: 'customer',
  });
  const customer = world.stripe.customers.at(-1)!;
  expect(customer).toMatchObject({
    email: 'ada@example.com',
    name: 'Ada Lovelace',
    metadata: { hubspotContactId: contact.id, source: 'signup-form' },
  });
  expect(answer).toEqual({ status: 201, body: { contactId: contact.id, customerId: customer.id } });

  const mail = world.smtp.received.find((m) => m.envelope.to.includes('ada@example.com'))!;
  expect(mail.parsed.subject).toBe('Welcome to Acme, Ada!');
  expect(mail.parsed.text).toContain('Your account is ready');
  expect((await world.latestRun(workflow)).status).toBe('succeeded');
});
