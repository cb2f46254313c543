import { expect } from 'vitest';
import { scenario } from '../testing/scenario.ts';

export default scenario(async (world, workflow) => {
  // The stand-in health endpoint answers 503.
  const run = await world.run(workflow, {
    scheduledAt: '2026-01-05T10:05:00.000Z',
    firedAt: '2026-01-05T10:05:00.010Z',
  });
  expect(run.status).toBe('succeeded');
  expect(world.site.requests.at(-1)).toMatchObject({ method: 'GET', path: '/health' });
  expect(world.slack.messages.at(-1)).toMatchObject({
    channel: 'C0INCIDENTS',
    text: ':red_circle: Health check failed at 2026-01-05T10:05:00.000Z: HTTP 503 {"status":"unavailable","database":"timeout"}',
  });
});
