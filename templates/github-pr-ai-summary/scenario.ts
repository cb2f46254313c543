import { expect } from 'vitest';
import { scenario } from '../testing/scenario.ts';

export default scenario(async (world, workflow) => {
  const pr = world.github.addIssue('acme/shop', { title: 'Cache product pages', pullRequest: true });
  const prompts: string[] = [];
  world.answer = (body) => {
    prompts.push(body.messages.at(-1)!.content);
    return { content: '- Caches product pages for 60 s\n\nRisks: stale prices after edits.' };
  };
  const delivery = await world.github_event(workflow, 'pull_request', {
    action: 'opened',
    number: pr.number,
    pull_request: { ...pr, body: 'Adds a 60 s cache in front of /products.', user: { login: 'octocat' } },
    repository: { full_name: 'acme/shop' },
    sender: { login: 'octocat' },
  });
  expect(delivery.status).toBe(200);
  const run = await world.finished((delivery.body as { runId: string }).runId);
  expect(run.status).toBe('succeeded');
  expect(prompts).toEqual([
    `Title: Cache product pages\nAuthor: octocat\nBranch: feature-${pr.number} → main\n\nAdds a 60 s cache in front of /products.`,
  ]);
  const comment = world.github.repos.get('acme/shop')!.comments.at(-1)!;
  expect(comment.issue_url).toBe(pr.url);
  expect(comment.body).toBe(
    '### Summary\n\n- Caches product pages for 60 s\n\nRisks: stale prices after edits.\n\n_Written by a language model through APIQ; check before relying on it._',
  );
});
