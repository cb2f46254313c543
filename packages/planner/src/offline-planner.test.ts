import { validateWorkflow } from '@apiq/graph';
import { beforeAll, describe, expect, it } from 'vitest';
import { CASES, HELD_OUT } from '../eval/cases.ts';
import { CatalogIndex } from './catalog-search.ts';
import { scoreCase, summarize } from './evaluation.ts';
import { explainWorkflow } from './explain.ts';
import { planOffline } from './offline/planner.ts';
import { refineOffline } from './offline/refine.ts';
import { installedCatalog } from './testing.ts';
import type { NodeCatalog } from '@apiq/sdk';

let catalog: NodeCatalog;
let index: CatalogIndex;
beforeAll(async () => {
  catalog = await installedCatalog();
  index = CatalogIndex.fromCatalog(catalog);
});

const plan = (prompt: string) => planOffline(prompt, { catalog, index });

describe('offline planner', () => {
  it('plans the headline example as a valid GitHub → Slack → Trello workflow', () => {
    const p = plan('When a new GitHub issue is created, send a Slack notification and create a Trello card');
    expect(p.planner).toBe('offline');
    expect(p.issues).toEqual([]);
    expect(validateWorkflow(p.graph, catalog).ok).toBe(true);
    expect(p.graph!.nodes.map((n) => n.type)).toEqual([
      'github.issue_opened',
      'slack.post_message',
      'trello.create_card',
    ]);
    expect(p.graph!.edges.map((e) => `${e.source}->${e.target}`)).toEqual([
      'new_github_issue->post_to_slack',
      'post_to_slack->create_trello_card',
    ]);
    expect(p.explanation).toHaveLength(3);
    expect(p.todo.map((t) => `${t.nodeId}.${t.param}`)).toEqual(['post_to_slack.channel', 'create_trello_card.listId']);
    expect(new Set(p.credentials.map((c) => c.kind))).toEqual(new Set(['github', 'slack', 'trello']));
    // Layout: left to right, one column per step.
    expect(p.graph!.nodes.map((n) => n.position!.x)).toEqual([0, 280, 560]);
  });

  it('reads a schedule and turns "email me the X" into fetch then send', () => {
    const p = plan('Every Monday at 9am, email me the open pull requests');
    expect(p.graph!.nodes[0]).toMatchObject({ type: 'core.schedule_trigger', params: { cron: '0 9 * * 1' } });
    expect(p.graph!.nodes.slice(1).map((n) => n.type)).toEqual(['github.list_pull_requests', 'email.send']);
    expect(p.graph!.nodes[2]!.params.text).toEqual({ kind: 'expr', src: '$string($input)' });
  });

  it('builds branches with a condition over the trigger data', () => {
    const p = plan(
      'Receive a webhook with an order; if the amount is over 100, post to #big-orders, otherwise email sales@example.com',
    );
    const ifNode = p.graph!.nodes.find((n) => n.type === 'core.if')!;
    expect(ifNode.params.condition).toEqual({ '>': [{ var: 'trigger.body.amount' }, 100] });
    const out = p
      .graph!.edges.filter((e) => e.source === ifNode.id)
      .map((e) => [e.sourcePort, p.graph!.nodes.find((n) => n.id === e.target)!.type]);
    expect(out).toEqual([
      ['true', 'slack.post_message'],
      ['false', 'email.send'],
    ]);
    expect(p.graph!.nodes.find((n) => n.type === 'slack.post_message')!.params.channel).toBe('#big-orders');
  });

  it('closes a for-each loop with an aggregate', () => {
    const p = plan('Fetch https://api.example.com/users and for each user create a Trello card');
    expect(p.issues).toEqual([]);
    const types = p.graph!.nodes.map((n) => n.type);
    expect(types).toEqual([
      'core.manual_trigger',
      'core.http_request',
      'core.for_each',
      'trello.create_card',
      'core.aggregate',
    ]);
    expect(p.graph!.edges.find((e) => e.sourcePort === 'item')).toBeDefined();
  });

  it('asks one question when the trigger or the destination is unclear, instead of guessing', () => {
    expect(plan('When something happens, notify the team').question).toContain('What should start this workflow');
    const where = plan('When a new GitHub issue is created, notify the team');
    expect(where.graph).toBeUndefined();
    expect(where.question).toContain('Slack');
  });

  it('gets at least 85% of the evaluation cases fully right', () => {
    const scores = [...CASES, ...HELD_OUT].map((c) => scoreCase(c, plan(c.prompt), catalog, 0));
    const summary = summarize(scores);
    expect(summary.cases).toBeGreaterThanOrEqual(60);
    expect(summary.passRate).toBeGreaterThanOrEqual(0.85);
    expect(summary.validRate).toBeGreaterThanOrEqual(0.85);
  });
});

describe('follow-up messages (offline)', () => {
  const base = () => plan('When a new GitHub issue is created, post to #dev on Slack').graph!;

  it('adds a step after the last one, keeping the user’s edits', () => {
    const edited = base();
    edited.nodes[1]!.name = 'My renamed step';
    const p = refineOffline(edited, 'also email me at ann@example.com', { catalog, index });
    expect(p.issues).toEqual([]);
    expect(p.graph!.nodes.map((n) => n.type)).toEqual(['github.issue_opened', 'slack.post_message', 'email.send']);
    expect(p.graph!.nodes[1]!.name).toBe('My renamed step');
    expect(p.graph!.nodes[2]!.params.to).toBe('ann@example.com');
  });

  it('inserts a condition after the trigger for "only for …"', () => {
    const p = refineOffline(base(), 'only for issues labelled bug', { catalog, index });
    expect(p.issues).toEqual([]);
    const ifNode = p.graph!.nodes.find((n) => n.type === 'core.if')!;
    expect(p.graph!.edges.find((e) => e.target === ifNode.id)!.source).toBe('new_github_issue');
    expect(p.graph!.edges.find((e) => e.source === ifNode.id)).toMatchObject({
      sourcePort: 'true',
      target: 'post_to_slack',
    });
  });

  it('removes a step and reconnects around it', () => {
    const two = refineOffline(base(), 'and create a Trello card', { catalog, index }).graph!;
    const p = refineOffline(two, 'remove the Slack step', { catalog, index });
    expect(p.graph!.nodes.map((n) => n.type)).toEqual(['github.issue_opened', 'trello.create_card']);
    expect(p.graph!.edges.map((e) => `${e.source}->${e.target}`)).toEqual(['new_github_issue->create_trello_card']);
  });

  it('swaps the trigger for a schedule and changes the channel', () => {
    const scheduled = refineOffline(base(), 'run every hour instead', { catalog, index });
    expect(scheduled.graph!.nodes[0]).toMatchObject({ type: 'core.schedule_trigger', params: { cron: '0 * * * *' } });
    const moved = refineOffline(base(), 'post to #ops instead', { catalog, index });
    expect(moved.graph!.nodes[1]!.params.channel).toBe('#ops');
  });

  it('says plainly what it cannot do offline', () => {
    const p = refineOffline(base(), 'make it more elegant', { catalog, index });
    expect(p.graph).toBeUndefined();
    expect(p.question).toContain('offline planner understands');
  });
});

describe('explainWorkflow', () => {
  it('describes every step in the order data flows', () => {
    const graph = plan(
      'Receive a webhook; if the total is over 50, post to #sales, otherwise email a@example.com',
    ).graph!;
    const lines = explainWorkflow(graph, catalog);
    expect(lines.map((l) => l.nodeId)[0]).toBe(graph.nodes[0]!.id);
    expect(lines).toHaveLength(graph.nodes.length);
    const slack = lines.find((l) => l.nodeId === 'post_to_slack')!;
    expect(slack.text).toContain('channel: #sales');
    expect(slack.text).toMatch(/After If .* \(true\)\./);
  });
});
