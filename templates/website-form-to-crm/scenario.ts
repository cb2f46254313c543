import { expect } from 'vitest';
import { scenario } from '../testing/scenario.ts';

export default scenario(async (world, workflow) => {
  const answer = await world.webhook(workflow, {
    body: {
      email: 'Jo@Example.org',
      firstName: 'Jo',
      lastName: 'Doe',
      company: 'Doe Bikes',
      message: 'Do you integrate with Shopware?',
    },
  });
  expect(answer).toEqual({
    status: 201,
    body: { ok: true, message: 'Thanks! We will get back to you within one business day.' },
  });
  const contact = world.hubspot.contacts.at(-1)!;
  expect(contact.properties).toEqual({
    email: 'jo@example.org',
    firstname: 'Jo',
    lastname: 'Doe',
    company: 'Doe Bikes',
    message: 'Do you integrate with Shopware?',
  });
  expect(world.slack.messages.at(-1)).toMatchObject({
    channel: 'C0SALES',
    text: `:wave: Jo Doe (Doe Bikes, Jo@Example.org) wrote:\n> Do you integrate with Shopware?\nHubSpot contact ${String(contact.id)}`,
  });
  expect((await world.latestRun(workflow)).status).toBe('succeeded');
});
