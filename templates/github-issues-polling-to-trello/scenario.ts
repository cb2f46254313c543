import { expect } from 'vitest';
import { scenario } from '../testing/scenario.ts';

export default scenario(async (world, workflow) => {
  // The first poll after activation only records what exists.
  expect(await world.poll(workflow)).toEqual([]);
  const issue = world.github.addIssue('acme/shop', { title: 'Newsletter signup shows a blank page' });
  const runIds = await world.poll(workflow);
  expect(runIds).toHaveLength(1);
  const run = await world.finished(runIds[0]!);
  expect(run.status).toBe('succeeded');
  const card = [...world.trello.cards.values()].find((c) => c.name === 'Newsletter signup shows a blank page')!;
  expect(card.desc).toBe(`GitHub issue #${issue.number} by octocat: ${issue.html_url}`);
  expect(await world.poll(workflow)).toEqual([]);
});
