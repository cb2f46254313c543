import { describe, expect, it } from 'vitest';
import { stepNumbers } from './step-order.ts';
import { issuesProposal, onlyBugsProposal } from './test-fixtures.ts';

describe('stepNumbers', () => {
  it('numbers steps in the order data flows, not the order they are listed', () => {
    expect([...stepNumbers(issuesProposal())]).toEqual([
      ['new_github_issue', 1],
      ['post_to_slack', 2],
      ['create_trello_card', 3],
    ]);
    // The If is listed last but runs second.
    expect(Object.fromEntries(stepNumbers(onlyBugsProposal()))).toEqual({
      new_github_issue: 1,
      if_bug: 2,
      post_to_slack: 3,
      create_trello_card: 4,
    });
  });

  it('still numbers every node of a graph with a cycle or a dangling edge', () => {
    const g = issuesProposal();
    g.edges.push({ source: 'create_trello_card', sourcePort: 'main', target: 'post_to_slack', targetPort: 'main' });
    g.edges.push({ source: 'gone', sourcePort: 'main', target: 'new_github_issue', targetPort: 'main' });
    const steps = stepNumbers(g);
    expect(steps.get('new_github_issue')).toBe(1);
    expect([...steps.values()].sort()).toEqual([1, 2, 3]);
  });
});
