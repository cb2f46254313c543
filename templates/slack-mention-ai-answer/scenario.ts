import { expect } from 'vitest';
import { scenario } from '../testing/scenario.ts';

export default scenario(async (world, workflow) => {
  const asked: string[] = [];
  world.answer = (body) => {
    asked.push(body.messages.at(-1)!.content);
    return { content: 'Refunds are possible within *30 days* of purchase.' };
  };
  const delivery = await world.slack_event(workflow, {
    type: 'app_mention',
    user: 'U0ALICE',
    text: '<@U0APIQBOT> what is our refund policy?',
    ts: '1767603600.000100',
    channel: 'C0ASK',
    event_ts: '1767603600.000100',
  });
  expect(delivery.status).toBe(200);
  const run = await world.finished((delivery.body as { runId: string }).runId);
  expect(run.status).toBe('succeeded');
  expect(asked).toEqual(['what is our refund policy?']);
  expect(world.slack.messages.at(-1)).toMatchObject({
    channel: 'C0ASK',
    thread_ts: '1767603600.000100',
    text: 'Refunds are possible within *30 days* of purchase.',
  });
});
