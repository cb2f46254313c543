import { expect } from 'vitest';
import { scenario } from '../testing/scenario.ts';

export default scenario(async (world, workflow) => {
  const ok = await world.webhook(workflow, {
    body: { name: ' Ada Lovelace ', email: 'ADA@Example.com ', phone: '+44 (20) 7946-0018', tags: ['VIP', 'Beta'] },
  });
  expect(ok.status).toBe(200);
  expect(ok.body).toEqual({
    ok: true,
    contact: {
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      phone: '+442079460018',
      tags: ['vip', 'beta'],
      receivedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    },
  });

  const bad = await world.webhook(workflow, { body: { name: 'Ada', email: 'not-an-email' } });
  expect(bad).toEqual({
    status: 422,
    body: {
      ok: false,
      error: 'name and a valid email are required',
      example: { name: 'Ada Lovelace', email: 'ada@example.com' },
    },
  });
  const run = await world.latestRun(workflow);
  expect(run.status).toBe('succeeded');
  expect(run.byStep.normalise?.status).toBe('skipped');
});
