import { expect } from 'vitest';
import { scenario } from '../testing/scenario.ts';

export default scenario(async (world, workflow) => {
  const run = await world.run(workflow, {
    scheduledAt: '2026-01-05T10:00:00.000Z',
    firedAt: '2026-01-05T10:00:00.120Z',
  });
  expect(run.status).toBe('succeeded');

  const search = world.hubspot.requests.find((r) => r.path === '/crm/v3/objects/contacts/search')!;
  expect(search.json).toMatchObject({
    filterGroups: [{ filters: [{ propertyName: 'lastmodifieddate', operator: 'GTE', value: '1767603600000' }] }],
  });
  const upsert = world.mailchimp.requests.find((r) => r.method === 'POST')!;
  expect(upsert.path).toBe('/3.0/lists/a1b2c3d4e5');
  expect(upsert.json).toEqual({
    members: [
      {
        email_address: 'ada@example.com',
        status_if_new: 'subscribed',
        merge_fields: { FNAME: 'Ada', LNAME: 'Lovelace' },
      },
      {
        email_address: 'alan@example.com',
        status_if_new: 'subscribed',
        merge_fields: { FNAME: 'Alan', LNAME: 'Turing' },
      },
    ],
    update_existing: true,
  });
  const list = world.mailchimp.requests.find((r) => r.method === 'GET')!;
  expect(list.query).toMatchObject({ status: 'unsubscribed', since_last_changed: '2026-01-05T09:00:00.000Z' });

  const patch = world.hubspot.requests.find((r) => r.method === 'PATCH')!;
  expect(patch.path).toBe('/crm/v3/objects/contacts/grace%40example.com');
  expect(patch.query).toEqual({ idProperty: 'email' });
  expect(patch.json).toEqual({ properties: { mailchimp_status: 'unsubscribed' } });
  expect(run.output).toEqual({ pushedToMailchimp: 2, markedUnsubscribedInHubSpot: 1 });
});
