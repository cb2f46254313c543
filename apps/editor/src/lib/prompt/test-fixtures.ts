import type { WorkflowGraph } from '../canvas/types.ts';

/** What the offline planner proposes for the GitHub → Slack → Trello sentence (trimmed). */
export function issuesProposal(): WorkflowGraph {
  return {
    apiq: 1,
    name: 'When a new GitHub issue is created, send a Slack…',
    description: 'When a new GitHub issue is created, send a Slack notification and create a Trello card',
    nodes: [
      { id: 'new_github_issue', type: 'github.issue_opened', version: 1, params: {}, position: { x: 0, y: 0 } },
      {
        id: 'post_to_slack',
        type: 'slack.post_message',
        version: 1,
        params: { channel: '#general', text: { kind: 'expr', src: '$trigger.issue.title' } },
        position: { x: 280, y: 0 },
      },
      {
        id: 'create_trello_card',
        type: 'trello.create_card',
        version: 1,
        params: { listId: '000000000000000000000000', name: { kind: 'expr', src: '$trigger.issue.title' } },
        position: { x: 560, y: 0 },
      },
    ],
    edges: [
      { id: 'e1', source: 'new_github_issue', sourcePort: 'main', target: 'post_to_slack', targetPort: 'main' },
      { id: 'e2', source: 'post_to_slack', sourcePort: 'main', target: 'create_trello_card', targetPort: 'main' },
    ],
    settings: {},
  };
}

/** The follow-up "only for issues labelled bug": an If between the trigger and Slack, listed last. */
export function onlyBugsProposal(): WorkflowGraph {
  const g = issuesProposal();
  return {
    ...g,
    nodes: [
      ...g.nodes,
      {
        id: 'if_bug',
        type: 'core.if',
        version: 1,
        params: { condition: { in: ['bug', { var: 'input.labels' }] } },
        position: { x: 280, y: 0 },
      },
    ],
    edges: [
      { id: 'e1', source: 'if_bug', sourcePort: 'true', target: 'post_to_slack', targetPort: 'main' },
      { id: 'e2', source: 'post_to_slack', sourcePort: 'main', target: 'create_trello_card', targetPort: 'main' },
      { id: 'e3', source: 'new_github_issue', sourcePort: 'main', target: 'if_bug', targetPort: 'main' },
    ],
  };
}

export function emptyWorkflow(name = 'Issues'): WorkflowGraph {
  return { apiq: 1, name, nodes: [], edges: [], settings: {} };
}
