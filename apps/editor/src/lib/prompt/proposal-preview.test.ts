import { describe, expect, it } from 'vitest';
import { replaceNode } from '../canvas/graph-edits.ts';
import { confirmProposal, nextPreview, neededConnections, openTodos, withConnections } from './proposal-preview.ts';
import { emptyWorkflow, issuesProposal, onlyBugsProposal } from './test-fixtures.ts';

const first = {
  planner: 'offline' as const,
  summary: '3 steps',
  issues: [],
  explanation: [
    { nodeId: 'new_github_issue', text: 'Starts when an issue is opened on GitHub.' },
    { nodeId: 'post_to_slack', text: 'Posts a message to a Slack channel.' },
    { nodeId: 'create_trello_card', text: 'Creates a card on a Trello list.' },
  ],
  todo: [
    { nodeId: 'post_to_slack', param: 'channel', hint: 'Choose the Slack channel to post in' },
    { nodeId: 'create_trello_card', param: 'listId', hint: 'Choose the Trello list for new cards' },
  ],
  credentials: [
    { nodeId: 'new_github_issue', kind: 'github' },
    { nodeId: 'post_to_slack', kind: 'slack' },
    { nodeId: 'create_trello_card', kind: 'trello' },
  ],
};

const followUp = {
  planner: 'offline' as const,
  summary: 'Continues only when issues labelled bug.',
  issues: [{ code: 'x', path: 'nodes[3].params.condition', nodeId: 'if_bug', param: 'condition', message: 'is odd' }],
  explanation: [{ nodeId: 'if_bug', text: 'Continues on “true” when it has the label "bug".' }],
  todo: [],
  credentials: [],
};

describe('nextPreview', () => {
  it('keeps what earlier turns said about steps a follow-up did not touch', () => {
    const a = nextPreview(undefined, first, issuesProposal());
    expect(a.todos.map((t) => [t.param, t.placeholder])).toEqual([
      ['channel', '#general'],
      ['listId', '000000000000000000000000'],
    ]);
    const b = nextPreview(a, followUp, onlyBugsProposal());
    expect(Object.keys(b.notes).sort()).toEqual(['create_trello_card', 'if_bug', 'new_github_issue', 'post_to_slack']);
    expect(b.notes.if_bug).toContain('label "bug"');
    expect(b.todos).toHaveLength(2);
    expect(b.credentials.map((c) => c.kind)).toEqual(['github', 'slack', 'trello']);
    expect(b.summary).toBe('Continues only when issues labelled bug.');
    expect(b.issues).toEqual(['if_bug → condition: is odd']);
  });

  it('forgets notes, to-dos and connections of steps the proposal removed', () => {
    const a = nextPreview(undefined, first, issuesProposal());
    const withoutTrello = issuesProposal();
    withoutTrello.nodes = withoutTrello.nodes.filter((n) => n.id !== 'create_trello_card');
    const b = nextPreview(a, { ...followUp, explanation: [], issues: [] }, withoutTrello);
    expect(b.notes.create_trello_card).toBeUndefined();
    expect(b.todos.map((t) => t.nodeId)).toEqual(['post_to_slack']);
    expect(b.credentials.map((c) => c.kind)).toEqual(['github', 'slack']);
  });
});

describe('openTodos', () => {
  it('ticks off a to-do once its parameter no longer holds the placeholder', () => {
    const preview = nextPreview(undefined, first, issuesProposal());
    expect(openTodos(preview.todos, preview.graph)).toHaveLength(2);
    const slack = preview.graph.nodes[1]!;
    const edited = replaceNode(preview.graph, { ...slack, params: { ...slack.params, channel: '#triage' } });
    expect(openTodos(preview.todos, edited).map((t) => t.nodeId)).toEqual(['create_trello_card']);
  });
});

describe('neededConnections and withConnections', () => {
  const requirements = (node: { type: string }) =>
    node.type === 'trello.create_card' ? [{ kind: 'trello', required: true }] : node.type === 'core.if' ? [] : [];

  it('asks once per kind for the steps without a connection, and writes the choice into each', () => {
    const graph = onlyBugsProposal();
    graph.nodes[1] = { ...graph.nodes[1]!, credentials: { slack: 'c-slack' } };
    const needed = neededConnections(
      graph,
      [
        { nodeId: 'new_github_issue', kind: 'github' },
        { nodeId: 'post_to_slack', kind: 'slack' },
      ],
      requirements,
    );
    expect(needed).toEqual([
      { kind: 'github', nodeIds: ['new_github_issue'] },
      { kind: 'trello', nodeIds: ['create_trello_card'] },
    ]);
    const next = withConnections(graph, needed, { github: 'c-github', trello: '' });
    expect(next.nodes.find((n) => n.id === 'new_github_issue')!.credentials).toEqual({ github: 'c-github' });
    expect(next.nodes.find((n) => n.id === 'post_to_slack')!.credentials).toEqual({ slack: 'c-slack' });
    expect(next.nodes.find((n) => n.id === 'create_trello_card')!.credentials).toBeUndefined();
    expect(withConnections(graph, needed, {})).toBe(graph);
  });
});

describe('confirmProposal', () => {
  it('puts the proposed steps into the workflow, keeping its name and notes', () => {
    const workflow = {
      ...emptyWorkflow('Bug triage'),
      notes: [{ id: 'note_1', text: 'hi', position: { x: 0, y: 300 } }],
    };
    const next = confirmProposal(workflow, issuesProposal());
    expect(next.name).toBe('Bug triage');
    expect(next.description).toContain('GitHub issue');
    expect(next.notes).toEqual(workflow.notes);
    expect(next.nodes.map((n) => n.id)).toEqual(['new_github_issue', 'post_to_slack', 'create_trello_card']);
    expect(next.edges).toHaveLength(2);
  });

  it('lays out steps that come without positions', () => {
    const proposed = issuesProposal();
    proposed.nodes = proposed.nodes.map(({ position: _p, ...n }) => n);
    const next = confirmProposal(emptyWorkflow(), proposed);
    expect(next.nodes.every((n) => n.position !== undefined)).toBe(true);
    expect(next.nodes[0]!.position!.x).toBeLessThan(next.nodes[2]!.position!.x);
  });
});
