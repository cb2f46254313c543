import { describe, expect, it } from 'vitest';
import { useEditorSuite } from './editor/harness.ts';
import { canvasEdges, canvasNode, dragFromPalette, dragWire, openNewWorkflow } from './support/canvas-actions.ts';

describe('the canvas refuses invalid connections with a reason', () => {
  const s = useEditorSuite({ workers: 0 });

  it('adds nodes from the palette, wires a valid edge and refuses edges into a trigger, loops and duplicates', async () => {
    const { page } = s;
    await openNewWorkflow(page, s.app.baseUrl, 'Wiring rules');
    await expect.poll(() => page.getByTestId('empty-canvas').isVisible()).toBe(true);

    await dragFromPalette(page, 'Webhook trigger', { x: 120, y: 200 });
    await dragFromPalette(page, 'Code', { x: 380, y: 200 });
    await expect.poll(() => page.getByTestId('canvas-node').count()).toBe(2);
    await expect.poll(() => canvasNode(page, 'webhook_trigger').isVisible()).toBe(true);
    await expect.poll(() => canvasNode(page, 'code').isVisible()).toBe(true);
    // A trigger offers no input handle at all.
    expect(await canvasNode(page, 'webhook_trigger').locator('.svelte-flow__handle.target').count()).toBe(0);

    await dragWire(page, { node: 'webhook_trigger', port: 'main' }, { node: 'code', port: 'main' });
    await expect.poll(() => canvasEdges(page)).toEqual(['webhook_trigger.main->code.main']);

    // Output → output (Code's output onto the trigger's output).
    await dragWire(page, { node: 'code', port: 'main' }, { node: 'webhook_trigger', port: 'main', type: 'source' });
    const toast = page.getByTestId('toast').filter({ hasText: 'Connection refused' });
    await expect.poll(() => toast.last().textContent()).toMatch(/Two outputs cannot be connected/);
    await s.ui.screenshot('canvas-connection-refused');

    // Code's output dropped on the trigger's body: a trigger has no input.
    const codeOut = canvasNode(page, 'code').locator('.svelte-flow__handle.source[data-handleid="main"]');
    const triggerBody = canvasNode(page, 'webhook_trigger').locator('.title');
    const a = (await codeOut.boundingBox())!;
    const b = (await triggerBody.boundingBox())!;
    await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
    await page.mouse.down();
    await page.mouse.move(b.x + 10, b.y + 5, { steps: 8 });
    await page.mouse.up();
    await expect.poll(() => page.getByTestId('toast').filter({ hasText: 'is a trigger' }).count()).toBeGreaterThan(0);

    // The same edge twice.
    await dragWire(page, { node: 'webhook_trigger', port: 'main' }, { node: 'code', port: 'main' });
    await expect
      .poll(() => page.getByTestId('toast').filter({ hasText: 'already connected' }).count())
      .toBeGreaterThan(0);

    // A loop: Code → If → back into Code.
    await dragFromPalette(page, 'If', { x: 600, y: 380 });
    await expect.poll(() => canvasNode(page, 'if').isVisible()).toBe(true);
    await dragWire(page, { node: 'code', port: 'main' }, { node: 'if', port: 'main' });
    await expect.poll(() => canvasEdges(page)).toEqual(['code.main->if.main', 'webhook_trigger.main->code.main']);
    await dragWire(page, { node: 'if', port: 'false' }, { node: 'code', port: 'main' });
    await expect
      .poll(() => page.getByTestId('toast').filter({ hasText: 'This would make a cycle' }).count())
      .toBeGreaterThan(0);

    // Nothing refused was added.
    expect(await canvasEdges(page)).toEqual(['code.main->if.main', 'webhook_trigger.main->code.main']);
    await s.ui.screenshot('canvas-wired');
  });
});
