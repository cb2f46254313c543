import { expect } from 'vitest';
import { scenario } from '../testing/scenario.ts';

export default scenario(async (world, workflow) => {
  const release = {
    tag_name: 'v2.4.0',
    name: 'v2.4.0: faster checkout',
    body: '- One-click checkout\n- 30% faster product pages',
    html_url: 'https://github.com/acme/shop/releases/tag/v2.4.0',
  };
  const ignored = await world.github_event(workflow, 'release', {
    action: 'created',
    release,
    repository: { full_name: 'acme/shop' },
  });
  expect(ignored.status).toBe(200);
  expect(ignored.body).not.toHaveProperty('runId');

  const delivery = await world.github_event(workflow, 'release', {
    action: 'published',
    release,
    repository: { full_name: 'acme/shop' },
    sender: { login: 'octocat' },
  });
  const run = await world.finished((delivery.body as { runId: string }).runId);
  expect(run.status).toBe('succeeded');
  expect(world.slack.messages.at(-1)).toMatchObject({
    channel: 'C0ANNOUNCE',
    text: ':rocket: acme/shop v2.4.0 is out: https://github.com/acme/shop/releases/tag/v2.4.0',
  });
  const mail = world.smtp.received.find((m) => m.envelope.to.includes('customers@lists.acme.example'))!;
  expect(mail.envelope.to).toEqual(['updates@acme.example', 'customers@lists.acme.example']);
  expect(mail.parsed.subject).toBe('Released: v2.4.0: faster checkout');
  expect(mail.parsed.text).toContain('- One-click checkout');
});
