import { describe, expect, it } from 'vitest';
import { placeProposal } from './place-proposal.ts';
import { issuesProposal, onlyBugsProposal } from './test-fixtures.ts';
import { removeElements } from '../canvas/graph-edits.ts';

describe('placeProposal', () => {
  it('keeps the workflow layout when the proposal only changes settings', () => {
    const workflow = issuesProposal();
    workflow.nodes[1] = { ...workflow.nodes[1]!, position: { x: 333, y: 77 } };
    const proposed = issuesProposal();
    proposed.nodes[1] = { ...proposed.nodes[1]!, params: { channel: '#ops' } };
    const placed = placeProposal(workflow, proposed);
    expect(placed.graph.nodes[1]!.position).toEqual({ x: 333, y: 77 });
    expect(placed.graph.nodes[1]!.params).toEqual({ channel: '#ops' });
    expect(placed.ghostPositions).toEqual({});
  });

  it('lays out a rewired proposal left to right, in flow order', () => {
    const placed = placeProposal(issuesProposal(), onlyBugsProposal());
    const x = Object.fromEntries(placed.graph.nodes.map((n) => [n.id, n.position!.x]));
    expect(x.new_github_issue).toBeLessThan(x.if_bug!);
    expect(x.if_bug).toBeLessThan(x.post_to_slack!);
    expect(x.post_to_slack).toBeLessThan(x.create_trello_card!);
  });

  it('places removed steps where they were in the flow', () => {
    const workflow = onlyBugsProposal();
    const proposed = removeElements(workflow, { nodeIds: ['create_trello_card'] });
    const placed = placeProposal(workflow, proposed);
    const slack = placed.graph.nodes.find((n) => n.id === 'post_to_slack')!.position!;
    expect(placed.ghostPositions.create_trello_card!.x).toBeGreaterThan(slack.x);
  });
});
