import { expect } from 'vitest';
import { scenario } from '../testing/scenario.ts';

export default scenario(async (world, workflow) => {
  const first = world.github.addIssue('acme/shop', { title: 'Add Apple Pay', pullRequest: true });
  const second = world.github.addIssue('acme/shop', { title: 'Fix rounding in invoices', pullRequest: true });
  const run = await world.run(workflow, {
    scheduledAt: '2026-01-05T08:00:00.000Z',
    firedAt: '2026-01-05T08:00:00.050Z',
  });
  expect(run.status).toBe('succeeded');
  const text = String(world.slack.messages.at(-1)!.text);
  expect(text).toMatch(/^:eyes: \d+ open pull request\(s\) waiting for review:\n/);
  expect(text).toContain(`• <${first.html_url}|#${first.number} Add Apple Pay> by octocat`);
  expect(text).toContain(`• <${second.html_url}|#${second.number} Fix rounding in invoices> by octocat`);
  expect(text.indexOf('Add Apple Pay')).toBeLessThan(text.indexOf('Fix rounding'));
});
