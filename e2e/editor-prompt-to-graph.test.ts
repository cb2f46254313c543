import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useEditorSuite } from './editor/harness.ts';
import { callApi, canvasNode, openNewWorkflow } from './support/canvas-actions.ts';

const HEADLINE = 'When a new GitHub issue is created, send a Slack notification and create a Trello card';

interface SavedGraph {
  nodes: Array<{ id: string; type: string; params: Record<string, unknown>; credentials?: Record<string, string> }>;
  edges: Array<{ source: string; sourcePort: string; target: string }>;
}

/** Ids of the steps listed in the proposal panel, in step order. */
const proposalSteps = (page: Page) =>
  page.getByTestId('proposal-step').evaluateAll((els) => els.map((el) => el.getAttribute('data-node-id') ?? ''));

/** `nodeId=mark` for every node on the canvas, sorted. */
const canvasMarks = (page: Page) =>
  page
    .getByTestId('canvas-node')
    .evaluateAll((els) =>
      els.map((el) => `${el.getAttribute('data-node-id')}=${el.getAttribute('data-mark') ?? ''}`).sort(),
    );

/** Whether every node is inside the visible canvas (the view fits a new proposal). */
async function allNodesInView(page: Page): Promise<boolean> {
  const pane = await page.getByTestId('workflow-canvas').boundingBox();
  const nodes = await Promise.all((await page.getByTestId('canvas-node').all()).map((n) => n.boundingBox()));
  if (!pane || nodes.length === 0) return false;
  return nodes.every(
    (b) =>
      b !== null &&
      b.x >= pane.x &&
      b.y >= pane.y &&
      b.x + b.width <= pane.x + pane.width &&
      b.y + b.height <= pane.y + pane.height,
  );
}

async function sendPrompt(page: Page, scope: 'hero' | 'panel', text: string) {
  const root = page.getByTestId(scope === 'hero' ? 'empty-canvas' : 'planner-panel');
  const box = root.getByTestId('prompt-input');
  await box.fill(text);
  await box.press('Enter');
}

describe('describing a workflow in words: preview on the canvas, refine, confirm', () => {
  const s = useEditorSuite();

  it('GitHub → Slack → Trello: proposed with three explained steps, refined with an If, discarded, proposed again, edited, confirmed with connections and saved', async () => {
    const { page } = s;
    const workflowId = await openNewWorkflow(page, s.app.baseUrl, 'Issue triage');

    // The empty workflow shows the prompt front and centre, saying plainly which planner answers.
    const hero = page.getByTestId('empty-canvas');
    await expect
      .poll(() => hero.locator('h2').textContent())
      .toBe('Describe your workflow, or drag a trigger from the palette');
    await expect
      .poll(() => hero.getByTestId('planner-mode').textContent())
      .toContain('Offline planner — no model configured (Settings → Planner)');
    await s.ui.screenshot('prompt-empty-workflow');

    await sendPrompt(page, 'hero', HEADLINE);
    await page.getByTestId('proposal-banner').waitFor();
    await expect.poll(() => proposalSteps(page)).toEqual(['new_github_issue', 'post_to_slack', 'create_trello_card']);
    const stepTexts = await page.getByTestId('proposal-step').allInnerTexts();
    expect(stepTexts[0]).toMatch(/issue is opened on GitHub/);
    expect(stepTexts[1]).toMatch(/Slack channel/);
    expect(stepTexts[2]).toMatch(/Trello list/);
    // Each step on the canvas: highlighted as new, numbered in flow order.
    expect(await canvasMarks(page)).toEqual([
      'create_trello_card=added',
      'new_github_issue=added',
      'post_to_slack=added',
    ]);
    expect(await canvasNode(page, 'post_to_slack').getByTestId('proposal-step-number').textContent()).toBe('2');
    await expect.poll(() => allNodesInView(page)).toBe(true);
    const panel = page.getByTestId('planner-panel');
    expect(await panel.getByTestId('planner-mode').getAttribute('data-mode')).toBe('offline');
    expect(await page.getByTestId('proposal-todos').innerText()).toMatch(/channel[\s\S]*listId/);
    expect(await page.getByTestId('proposal-connections').innerText()).toMatch(/GitHub[\s\S]*Slack[\s\S]*Trello/);
    // Nothing is saved while it is a proposal.
    expect(
      (await callApi<{ graph: SavedGraph }>(page, 'workflows.get', { id: workflowId }, 'query')).graph.nodes,
    ).toEqual([]);
    await s.ui.screenshot('prompt-proposal-preview');

    // A follow-up edits the proposal: an If appears between the trigger and Slack.
    await sendPrompt(page, 'panel', 'only for issues labelled bug');
    await expect.poll(async () => (await proposalSteps(page)).length).toBe(4);
    const refined = await proposalSteps(page);
    expect(refined[0]).toBe('new_github_issue');
    expect(refined[1]).toMatch(/^if_/);
    expect(refined.slice(2)).toEqual(['post_to_slack', 'create_trello_card']);
    expect(await canvasNode(page, refined[1]!).getByTestId('canvas-node').getAttribute('data-mark')).toBe('added');
    expect(await page.getByTestId('proposal-step').nth(1).innerText()).toMatch(/bug/);
    // Steps the follow-up did not touch keep their explanation.
    expect(await page.getByTestId('proposal-step').nth(2).innerText()).toMatch(/Slack channel/);
    await expect.poll(() => allNodesInView(page)).toBe(true);
    await s.ui.screenshot('prompt-refined-with-if');

    // Discard drops it; the workflow is as it was.
    await page.getByTestId('proposal-discard').click();
    await page.getByTestId('proposal-banner').waitFor({ state: 'detached' });
    expect(await page.getByTestId('canvas-node').count()).toBe(0);
    await expect.poll(() => panel.getByText('Discarded').count()).toBe(1);

    // Proposed again, then one step edited in the node panel before confirming.
    await sendPrompt(page, 'panel', HEADLINE);
    await page.getByTestId('proposal-banner').waitFor();
    await expect.poll(() => proposalSteps(page)).toEqual(['new_github_issue', 'post_to_slack', 'create_trello_card']);
    await page.getByRole('button', { name: 'Edit step 2: Post to Slack' }).click();
    const nodePanel = page.locator('[data-testid="node-panel-content"][data-node-id="post_to_slack"]');
    await nodePanel.waitFor();
    await nodePanel.getByLabel(/^Channel/).fill('#triage');
    await page.getByRole('button', { name: 'Close the panel' }).click();
    await page.getByTestId('node-panel').waitFor({ state: 'detached' });
    // The Slack channel is filled in now: only the Trello list is left to do.
    await expect.poll(() => page.getByTestId('proposal-todos').innerText()).not.toMatch(/channel/);
    expect(await page.getByTestId('proposal-todos').innerText()).toMatch(/listId/);

    // Confirm walks through the connections: an existing Slack one, a Trello one made here, GitHub later.
    const slack = await callApi<{ id: string }>(page, 'connections.create', {
      name: 'Team Slack',
      kind: 'slack',
      values: { botToken: 'xoxb-test-token' },
    });
    await page.getByTestId('proposal-confirm').click();
    const dialog = page.getByTestId('proposal-connections-dialog');
    await dialog.waitFor();
    await expect
      .poll(() =>
        dialog.getByTestId('connection-need').evaluateAll((els) => els.map((el) => el.getAttribute('data-kind'))),
      )
      .toEqual(['github', 'slack', 'trello']);
    await expect.poll(() => dialog.getByLabel('Slack').inputValue()).toBe(slack.id);
    await dialog.getByTestId('connect-trello').click();
    const connect = page.getByTestId('connection-dialog');
    await connect.waitFor();
    await connect.getByLabel(/^API key/).fill('0123456789abcdef0123456789abcdef');
    await connect.getByLabel(/^Token/).fill('trello-test-token');
    await connect.getByRole('button', { name: 'Save connection' }).click();
    await connect.waitFor({ state: 'hidden' });
    await expect.poll(() => dialog.getByLabel('Trello').inputValue()).not.toBe('');
    const trelloId = await dialog.getByLabel('Trello').inputValue();
    expect(await dialog.getByLabel('GitHub').inputValue()).toBe('');
    await s.ui.screenshot('prompt-confirm-connections');
    await dialog.getByTestId('proposal-connections-confirm').click();

    await page.getByTestId('proposal-banner').waitFor({ state: 'detached' });
    expect(await canvasMarks(page)).toEqual(['create_trello_card=', 'new_github_issue=', 'post_to_slack=']);
    await expect.poll(() => page.getByTestId('unsaved-indicator').isVisible()).toBe(true);
    // One undoable step: Undo takes the whole proposal back, Redo brings it again.
    await page.getByTestId('undo').click();
    await expect.poll(() => page.getByTestId('canvas-node').count()).toBe(0);
    await page.getByTestId('redo').click();
    await expect.poll(() => page.getByTestId('canvas-node').count()).toBe(3);

    await page.getByTestId('save-button').click();
    await expect.poll(() => page.getByTestId('unsaved-indicator').isVisible()).toBe(false);
    const saved = await callApi<{ graph: SavedGraph }>(page, 'workflows.get', { id: workflowId }, 'query');
    expect(saved.graph.nodes.map((n) => n.type)).toEqual([
      'github.issue_opened',
      'slack.post_message',
      'trello.create_card',
    ]);
    const byId = Object.fromEntries(saved.graph.nodes.map((n) => [n.id, n]));
    expect(byId.post_to_slack!.params.channel).toBe('#triage');
    expect(byId.post_to_slack!.credentials).toEqual({ slack: slack.id });
    expect(byId.create_trello_card!.credentials).toEqual({ trello: trelloId });
    expect(byId.new_github_issue!.credentials).toBeUndefined();
    expect(saved.graph.edges.map((e) => `${e.source}->${e.target}`).sort()).toEqual([
      'new_github_issue->post_to_slack',
      'post_to_slack->create_trello_card',
    ]);
    await s.ui.screenshot('prompt-confirmed-and-saved');

    // The conversation is kept with the workflow, with what became of each proposal.
    const conversation = await callApi<{ turns: Array<{ role: string; text: string; outcome?: string }> }>(
      page,
      'planner.conversation',
      { workflowId },
      'query',
    );
    expect(conversation.turns.map((t) => t.role)).toEqual([
      'user',
      'assistant',
      'user',
      'assistant',
      'user',
      'assistant',
    ]);
    expect(conversation.turns[0]!.text).toBe(HEADLINE);
    expect(conversation.turns.map((t) => t.outcome ?? '')).toEqual(['', '', '', 'discarded', '', 'confirmed']);
    await page.reload();
    await page.getByTestId('workflow-editor').waitFor();
    await page.getByTestId('describe-button').click();
    await expect.poll(() => page.getByTestId('planner-turn').count()).toBe(6);

    // "Explain this workflow" describes the saved steps in order.
    await page.getByTestId('explain-button').click();
    const explain = page.getByTestId('explain-panel');
    await expect
      .poll(() =>
        explain.getByTestId('explain-step').evaluateAll((els) => els.map((el) => el.getAttribute('data-node-id'))),
      )
      .toEqual(['new_github_issue', 'post_to_slack', 'create_trello_card']);
    expect(await explain.getByTestId('explain-step').nth(1).innerText()).toMatch(/Post to Slack: .*#triage/);
    await s.ui.screenshot('prompt-explain-workflow');

    // A change to a saved workflow previews what it removes: the step ghosted and struck out.
    await page.getByTestId('describe-button').click();
    await sendPrompt(page, 'panel', 'remove the Trello step');
    await page.getByTestId('proposal-banner').waitFor();
    await expect
      .poll(() => canvasMarks(page))
      .toEqual(['create_trello_card=removed', 'new_github_issue=kept', 'post_to_slack=kept']);
    expect(await page.getByTestId('proposal-banner').innerText()).toMatch(/2 steps \(1 removed\)/);
    expect(await proposalSteps(page)).toEqual(['new_github_issue', 'post_to_slack']);
    // Steps the follow-up did not explain get the plain explanation, without repeating their name.
    await expect
      .poll(() => page.getByTestId('proposal-step').nth(1).innerText())
      .toMatch(/^2\nPost to Slack\nPosts a message/);
    await expect.poll(() => allNodesInView(page)).toBe(true);
    await s.ui.screenshot('prompt-change-removes-a-step');
    await page.getByTestId('proposal-discard').click();
    await expect.poll(() => canvasMarks(page)).toEqual(['create_trello_card=', 'new_github_issue=', 'post_to_slack=']);
  });

  it('a vague prompt gets the planner’s question instead of a guess, and nothing on the canvas', async () => {
    const { page } = s;
    // On a narrow laptop screen.
    await page.setViewportSize({ width: 1024, height: 700 });
    await openNewWorkflow(page, s.app.baseUrl, 'Vague');
    await expect.poll(() => page.getByTestId('empty-canvas').getByTestId('prompt-input').isVisible()).toBe(true);
    await s.ui.screenshot('prompt-empty-workflow-narrow');
    await sendPrompt(page, 'hero', 'notify the team when something happens');
    const question = page.getByTestId('planner-question');
    await question.waitFor();
    expect(await question.textContent()).toMatch(/Where should .* go: .*Slack.* or .*email/);
    expect(await page.getByTestId('proposal-banner').count()).toBe(0);
    expect(await page.getByTestId('canvas-node').count()).toBe(0);
    expect(await page.getByTestId('planner-panel').getByTestId('prompt-input').getAttribute('placeholder')).toBe(
      'Answer the question…',
    );
    await s.ui.screenshot('prompt-planner-question-narrow');
  });
});
