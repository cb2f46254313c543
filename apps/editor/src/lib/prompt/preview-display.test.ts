import { describe, expect, it } from 'vitest';
import { moveElements, removeElements } from '../canvas/graph-edits.ts';
import { previewDisplay, withoutGhosts } from './preview-display.ts';
import { stepNumbers } from './step-order.ts';
import { emptyWorkflow, issuesProposal, onlyBugsProposal } from './test-fixtures.ts';

describe('previewDisplay', () => {
  it('marks every step of a first proposal as added, with its step number', () => {
    const proposed = issuesProposal();
    const view = previewDisplay(emptyWorkflow(), proposed, stepNumbers(proposed));
    expect(view.marks.nodes).toEqual({
      new_github_issue: { change: 'added', step: 1 },
      post_to_slack: { change: 'added', step: 2 },
      create_trello_card: { change: 'added', step: 3 },
    });
    expect(view.marks.edges).toEqual({ e1: 'added', e2: 'added' });
    expect(view.counts).toEqual({ added: 3, changed: 0, removed: 0 });
    expect(view.graph.nodes).toEqual(proposed.nodes);
  });

  it('shows what a change removes as ghosts after the proposed nodes, and what it rewires', () => {
    const workflow = onlyBugsProposal();
    // "remove the Trello step" and a changed Slack channel.
    let proposed = removeElements(workflow, { nodeIds: ['create_trello_card'] });
    proposed = {
      ...proposed,
      nodes: proposed.nodes.map((n) =>
        n.id === 'post_to_slack' ? { ...n, params: { ...n.params, channel: '#ops' } } : n,
      ),
    };
    const view = previewDisplay(workflow, proposed, stepNumbers(proposed), { create_trello_card: { x: 900, y: 40 } });
    expect(view.graph.nodes.map((n) => n.id)).toEqual([
      'new_github_issue',
      'post_to_slack',
      'if_bug',
      'create_trello_card',
    ]);
    expect(view.graph.nodes[3]!.position).toEqual({ x: 900, y: 40 });
    expect(view.marks.nodes.create_trello_card).toEqual({ change: 'removed' });
    expect(view.marks.nodes.post_to_slack).toEqual({ change: 'changed', step: 3 });
    expect(view.marks.nodes.if_bug).toEqual({ change: 'kept', step: 2 });
    expect(view.marks.edges['removed:post_to_slack.main->create_trello_card.main']).toBe('removed');
    expect(view.counts).toEqual({ added: 0, changed: 1, removed: 1 });
  });

  it('does not count a moved node as changed', () => {
    const workflow = issuesProposal();
    const moved = moveElements(workflow, new Map([['post_to_slack', { x: 300, y: 90 }]]));
    const view = previewDisplay(workflow, moved, stepNumbers(moved));
    expect(view.marks.nodes.post_to_slack?.change).toBe('kept');
    expect(view.counts).toEqual({ added: 0, changed: 0, removed: 0 });
  });
});

describe('withoutGhosts', () => {
  it('turns a canvas edit of the preview back into the proposed graph', () => {
    const workflow = issuesProposal();
    const proposed = removeElements(workflow, { nodeIds: ['create_trello_card'] });
    const view = previewDisplay(workflow, proposed, stepNumbers(proposed));
    const dragged = moveElements(view.graph, new Map([['post_to_slack', { x: 320, y: 20 }]]));
    const back = withoutGhosts(dragged, view);
    expect(back.nodes.map((n) => n.id)).toEqual(['new_github_issue', 'post_to_slack']);
    expect(back.nodes[1]!.position).toEqual({ x: 320, y: 20 });
    expect(back.edges.map((e) => e.id)).toEqual(['e1']);
  });

  it('keeps a graph without ghosts as it is', () => {
    const proposed = issuesProposal();
    const view = previewDisplay(emptyWorkflow(), proposed, stepNumbers(proposed));
    expect(withoutGhosts(proposed, view)).toBe(proposed);
  });
});
