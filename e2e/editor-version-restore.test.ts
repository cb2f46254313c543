import { describe, expect, it } from 'vitest';
import { useEditorSuite } from './editor/harness.ts';
import { callApi, canvasNode, dragWire, openNewWorkflow } from './support/canvas-actions.ts';

const graph = {
  apiq: 1,
  name: 'Versioned',
  nodes: [
    { id: 'start', type: 'core.manual_trigger', params: {}, position: { x: 0, y: 0 } },
    { id: 'code', type: 'core.code', params: { code: 'return { version: 1 };' }, position: { x: 300, y: 0 } },
  ],
  edges: [{ source: 'start', target: 'code' }],
};

describe('versions: every save is a version; an old one can be compared and restored', () => {
  const s = useEditorSuite({ workers: 0 });

  it('saves a new version, shows its diff against the canvas and restores the old one', async () => {
    const { page } = s;
    const id = await openNewWorkflow(page, s.app.baseUrl, 'Versioned', graph);
    await expect.poll(() => canvasNode(page, 'code').isVisible()).toBe(true);

    // Change the graph on the canvas: replace the Code node by a No operation, save with Ctrl+S.
    await canvasNode(page, 'code').click();
    await page.keyboard.press('Delete');
    await page.getByTestId('palette-search').fill('No operation');
    await page.getByTestId('palette-item').filter({ hasText: 'No operation' }).first().click();
    await expect.poll(() => canvasNode(page, 'no_op').isVisible()).toBe(true);
    await dragWire(page, { node: 'start', port: 'main' }, { node: 'no_op', port: 'main' });
    await expect.poll(() => page.getByTestId('unsaved-indicator').isVisible()).toBe(true);
    await page.keyboard.press('Control+s');
    await expect.poll(() => page.getByTestId('saved-indicator').isVisible()).toBe(true);

    await page.getByTestId('versions-button').click();
    const items = page.getByTestId('version-item');
    await expect.poll(() => items.count()).toBeGreaterThanOrEqual(2);
    const newest = Number(await items.first().getAttribute('data-version'));
    expect(newest).toBeGreaterThan(1);

    // The first version against the canvas: Code removed, If added, its edge gone.
    await page.locator('[data-testid="version-item"][data-version="1"]').click();
    const diff = page.getByTestId('version-diff');
    await expect.poll(() => diff.textContent()).toMatch(/− node code \(core\.code\)/);
    expect(await diff.textContent()).toMatch(/\+ node no_op \(core\.no_op\)/);
    expect(await diff.textContent()).toMatch(/− edge start → code/);
    await s.ui.screenshot('editor-version-diff');

    await page.getByTestId('restore-version').click();
    await page.getByRole('button', { name: 'Restore', exact: true }).last().click();
    await expect.poll(() => canvasNode(page, 'code').isVisible()).toBe(true);
    await expect.poll(() => canvasNode(page, 'no_op').count()).toBe(0);
    await expect.poll(() => page.getByTestId('saved-indicator').isVisible()).toBe(true);

    // The restored graph is the newest version on the server, and the list shows it.
    const wf = await callApi<{ version: number; graph: { nodes: { id: string; params: unknown }[] } }>(
      page,
      'workflows.get',
      { id },
      'query',
    );
    expect(wf.version).toBe(newest + 1);
    expect(wf.graph.nodes.map((n) => n.id)).toEqual(['start', 'code']);
    await expect.poll(() => items.first().getAttribute('data-version')).toBe(String(newest + 1));
    // Comparing the restored version with the canvas finds no difference.
    await items.first().click();
    await expect.poll(() => diff.textContent()).toMatch(/same as this version/);

    // Undo brings the edited graph back onto the canvas (unsaved).
    await page.locator('.svelte-flow__pane').click({ position: { x: 200, y: 500 } });
    await page.keyboard.press('Control+z');
    await expect.poll(() => canvasNode(page, 'no_op').isVisible()).toBe(true);
    await expect.poll(() => page.getByTestId('unsaved-indicator').isVisible()).toBe(true);
  });
});
