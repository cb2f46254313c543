import { expect } from 'vitest';
import { scenario } from '../testing/scenario.ts';

export default scenario(async (world, workflow) => {
  const issue = world.github.addIssue('acme/shop', { title: 'Checkout fails on Safari' });
  const delivery = await world.github_event(workflow, 'issues', {
    action: 'opened',
    issue: { ...issue, body: 'Clicking "Pay" does nothing on Safari 17.', user: { login: 'octocat' } },
    repository: { full_name: 'acme/shop' },
    sender: { login: 'octocat' },
  });
  expect(delivery.status).toBe(200);
  const run = await world.finished((delivery.body as { runId: string }).runId);
  expect(run.status).toBe('succeeded');

  const message = world.slack.messages.at(-1)!;
  expect(message.channel).toBe('C0ENG');
  expect(message.text).toBe(
    `:new: New issue in *acme/shop*: <${issue.html_url}|#${issue.number} Checkout fails on Safari> by octocat`,
  );
  const card = [...world.trello.cards.values()].find((c) => c.name === `#${issue.number} Checkout fails on Safari`);
  expect(card?.desc).toBe(`${issue.html_url}\n\nClicking "Pay" does nothing on Safari 17.`);
  const comment = world.github.repos.get('acme/shop')!.comments.at(-1)!;
  expect(comment.body).toBe(`Tracked on Trello: ${card!.url}`);
  expect(comment.issue_url).toBe(issue.url);
});
