import { expect } from 'vitest';
import { scenario } from '../testing/scenario.ts';

export default scenario(async (world, workflow) => {
  const prompts: string[] = [];
  world.answer = (body) => {
    prompts.push(body.messages.at(-1)!.content);
    expect(body.response_format?.json_schema?.name).toBe('lead');
    return {
      content: JSON.stringify({
        industry: 'Online retail',
        companySize: '51-200',
        priority: 'high',
        summary: 'Shop on Shopify Plus wants a faster checkout before Black Friday.',
      }),
    };
  };
  const answer = await world.webhook(workflow, {
    body: {
      email: 'Lin@Bikeshop.example',
      name: 'Lin',
      company: 'Bike Shop GmbH',
      website: 'https://bikeshop.example',
      message: 'We need a faster checkout before Black Friday, can we talk this week?',
    },
  });
  expect(answer.status).toBe(202);
  const run = await world.finished((answer.body as { runId: string }).runId);
  expect(run.status).toBe('succeeded');
  expect(prompts).toEqual([
    'Company: Bike Shop GmbH\nWebsite: https://bikeshop.example\nMessage: We need a faster checkout before Black Friday, can we talk this week?',
  ]);
  const contact = world.hubspot.contacts.at(-1)!;
  expect(contact.properties).toMatchObject({
    email: 'lin@bikeshop.example',
    lead_priority: 'high',
    ai_summary: 'Shop on Shopify Plus wants a faster checkout before Black Friday.',
  });
  expect(world.slack.messages.at(-1)).toMatchObject({
    channel: 'C0SALES',
    text: `:fire: Hot lead: Lin at Bike Shop GmbH (Online retail, 51-200 people)\n> Shop on Shopify Plus wants a faster checkout before Black Friday.\nHubSpot contact ${String(contact.id)}`,
  });
});
