import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useEditorSuite } from './editor/harness.ts';
import { callApi, canvasEdges, canvasNode, openNewWorkflow } from './support/canvas-actions.ts';

/** The page's clipboard (the e2e project compiles without DOM types). */
interface BrowserClipboard {
  navigator: { clipboard: { readText(): Promise<string>; writeText(text: string): Promise<void> } };
}

const seed = {
  apiq: 1,
  name: 'Copy source',
  nodes: [
    { id: 'hook', type: 'core.webhook_trigger', params: { path: 'copy-source' }, position: { x: 0, y: 0 } },
    { id: 'code', type: 'core.code', params: { code: 'return { total: 1 };' }, position: { x: 600, y: 0 } },
  ],
  edges: [{ source: 'hook', target: 'code' }],
};

const nodeIds = (page: Page) =>
  page.getByTestId('canvas-node').evaluateAll((els) => els.map((el) => el.getAttribute('data-node-id') ?? '').sort());

const position = async (page: Page, id: string) => {
  const box = await canvasNode(page, id).boundingBox();
  return box ? { x: Math.round(box.x), y: Math.round(box.y) } : undefined;
};

describe('editing the canvas with undo / redo and copy / paste', () => {
  const s = useEditorSuite({ workers: 0 });

  it('undoes and redoes adding, moving and deleting nodes, with buttons and shortcuts', async () => {
    const { page } = s;
    await openNewWorkflow(page, s.app.baseUrl, 'Undo redo', seed);
    await expect.poll(() => nodeIds(page)).toEqual(['code', 'hook']);
    await expect.poll(() => page.getByTestId('saved-indicator').isVisible()).toBe(true);

    // Click to add at the centre of the view.
    await page.getByTestId('palette-search').fill('If');
    await page.getByTestId('palette-item').filter({ hasText: 'If' }).first().click();
    await expect.poll(() => nodeIds(page)).toEqual(['code', 'hook', 'if']);
    await expect.poll(() => page.getByTestId('unsaved-indicator').isVisible()).toBe(true);

    await canvasNode(page, 'if').click();
    await page.keyboard.press('Control+z');
    await expect.poll(() => nodeIds(page)).toEqual(['code', 'hook']);
    await expect.poll(() => page.getByTestId('saved-indicator').isVisible()).toBe(true);
    await page.keyboard.press('Control+Shift+z');
    await expect.poll(() => nodeIds(page)).toEqual(['code', 'hook', 'if']);
    await page.getByTestId('undo').click();
    await expect.poll(() => nodeIds(page)).toEqual(['code', 'hook']);
    await page.keyboard.press('Control+y');
    await expect.poll(() => nodeIds(page)).toEqual(['code', 'hook', 'if']);

    // A drag is one step.
    const before = await position(page, 'code');
    const box = (await canvasNode(page, 'code').locator('.title').boundingBox())!;
    await page.mouse.move(box.x + 5, box.y + 5);
    await page.mouse.down();
    await page.mouse.move(box.x + 60, box.y + 90, { steps: 10 });
    await page.mouse.up();
    await expect.poll(async () => (await position(page, 'code'))?.y).toBeGreaterThan(before!.y + 50);
    await page.keyboard.press('Control+z');
    await expect.poll(() => position(page, 'code')).toEqual(before);
    await expect.poll(() => nodeIds(page)).toEqual(['code', 'hook', 'if']);

    // Delete removes the node and its edges; undo brings both back.
    await canvasNode(page, 'code').click();
    await page.keyboard.press('Delete');
    await expect.poll(() => nodeIds(page)).toEqual(['hook', 'if']);
    await expect.poll(() => canvasEdges(page)).toEqual([]);
    await page.keyboard.press('Control+z');
    await expect.poll(() => nodeIds(page)).toEqual(['code', 'hook', 'if']);
    await expect.poll(() => canvasEdges(page)).toEqual(['hook.main->code.main']);
  });

  it('copies, pastes, cuts and duplicates nodes, within a workflow and into another one', async () => {
    const { page } = s;
    await openNewWorkflow(page, s.app.baseUrl, 'Copy source', seed);
    await expect.poll(() => nodeIds(page)).toEqual(['code', 'hook']);

    await canvasNode(page, 'code').click();
    await page.keyboard.press('Control+c');
    await page.keyboard.press('Control+v');
    await expect.poll(() => nodeIds(page)).toEqual(['code', 'code_2', 'hook']);
    // The copy lands offset from the original and is the new selection.
    const original = (await position(page, 'code'))!;
    const copy = (await position(page, 'code_2'))!;
    expect(copy.x).toBeGreaterThan(original.x);
    expect(copy.y).toBeGreaterThan(original.y);
    await expect.poll(() => canvasNode(page, 'code_2').getAttribute('class')).toMatch(/selected/);

    await page.keyboard.press('Control+d');
    await expect.poll(() => nodeIds(page)).toEqual(['code', 'code_2', 'code_3', 'hook']);
    await page.keyboard.press('Control+x');
    await expect.poll(() => nodeIds(page)).toEqual(['code', 'code_2', 'hook']);
    await page.keyboard.press('Control+v');
    await expect.poll(() => nodeIds(page)).toEqual(['code', 'code_2', 'code_3', 'hook']);

    // Two nodes with the edge between them, by shift-click, into another workflow.
    await canvasNode(page, 'hook').click();
    await canvasNode(page, 'code').click({ modifiers: ['Shift'] });
    await page.keyboard.press('Control+c');
    const clipboard = await page.evaluate(() =>
      (globalThis as unknown as BrowserClipboard).navigator.clipboard.readText(),
    );
    expect(JSON.parse(clipboard)).toMatchObject({ apiq: 'fragment', nodes: [{ id: 'hook' }, { id: 'code' }] });

    await openNewWorkflow(page, s.app.baseUrl, 'Paste target');
    await expect.poll(() => page.getByTestId('empty-canvas').isVisible()).toBe(true);
    await page.locator('.svelte-flow__pane').click({ position: { x: 200, y: 500 } });
    await page.keyboard.press('Control+v');
    await expect.poll(() => nodeIds(page)).toEqual(['code', 'hook']);
    await expect.poll(() => canvasEdges(page)).toEqual(['hook.main->code.main']);
    await expect.poll(() => canvasNode(page, 'code').locator('.subtitle').textContent()).toBe('return { total: 1 };');
    await s.ui.screenshot('canvas-pasted-into-other-workflow');

    // Saved with the workflow: the pasted graph is what the API now holds.
    await page.keyboard.press('Control+s');
    await expect.poll(() => page.getByTestId('saved-indicator').isVisible()).toBe(true);
    const id = new URL(page.url()).pathname.split('/').pop()!;
    const saved = await callApi<{ graph: { nodes: { id: string }[]; edges: unknown[] } }>(
      page,
      'workflows.get',
      { id },
      'query',
    );
    expect(saved.graph.nodes.map((n) => n.id).sort()).toEqual(['code', 'hook']);
    expect(saved.graph.edges).toHaveLength(1);
  });

  it('refuses to paste text that is not nodes, saying why', async () => {
    const { page } = s;
    await openNewWorkflow(page, s.app.baseUrl, 'Bad paste', seed);
    await expect.poll(() => nodeIds(page)).toEqual(['code', 'hook']);
    await page.evaluate(() =>
      (globalThis as unknown as BrowserClipboard).navigator.clipboard.writeText('just some words'),
    );
    await page.locator('.svelte-flow__pane').click();
    await page.keyboard.press('Control+v');
    await expect
      .poll(() => page.getByTestId('toast').filter({ hasText: 'Nothing to paste' }).textContent())
      .toMatch(/not JSON/);
    expect(await nodeIds(page)).toEqual(['code', 'hook']);
  });

  it('adds, edits and keeps sticky notes', async () => {
    const { page } = s;
    await openNewWorkflow(page, s.app.baseUrl, 'Notes', seed);
    await expect.poll(() => nodeIds(page)).toEqual(['code', 'hook']);
    await page.locator('.svelte-flow__pane').click();
    await page.keyboard.press('Shift+N');
    const note = page.getByTestId('sticky-note');
    await expect.poll(() => note.count()).toBe(1);
    await note.dblclick();
    await page.getByLabel('Sticky note text').fill('Orders over 100 go to the sales team');
    await page.locator('.svelte-flow__pane').click({ position: { x: 10, y: 10 } });
    await expect.poll(() => note.textContent()).toMatch(/Orders over 100/);
    await page.keyboard.press('Control+s');
    await expect.poll(() => page.getByTestId('saved-indicator').isVisible()).toBe(true);
    const id = new URL(page.url()).pathname.split('/').pop()!;
    const saved = await callApi<{ graph: { notes?: { text: string }[] } }>(page, 'workflows.get', { id }, 'query');
    expect(saved.graph.notes?.map((n) => n.text)).toEqual(['Orders over 100 go to the sales team']);
    await page.keyboard.press('Control+z');
    await expect.poll(() => note.textContent()).not.toMatch(/Orders over 100/);
  });

  it('shows the keyboard shortcuts on ?', async () => {
    const { page } = s;
    await openNewWorkflow(page, s.app.baseUrl, 'Help', seed);
    await page.locator('.svelte-flow__pane').click();
    await page.keyboard.press('?');
    const help = page.getByTestId('shortcut-help');
    await expect.poll(() => help.isVisible()).toBe(true);
    expect(await help.textContent()).toMatch(/Duplicate selection/);
  });
});
