import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useEditorSuite } from './editor/harness.ts';
import {
  callApi,
  canvasEdges,
  canvasNode,
  dragFromPalette,
  dragWire,
  openNewWorkflow,
} from './support/canvas-actions.ts';

/** Opens a node's panel by double-clicking it on the canvas. */
async function openPanel(page: Page, id: string) {
  await canvasNode(page, id).locator('.title').dblclick();
  await page.locator(`[data-testid="node-panel-content"][data-node-id="${id}"]`).waitFor();
  return page.locator(`[data-testid="node-panel-content"][data-node-id="${id}"]`);
}

async function closePanel(page: Page) {
  await page.getByRole('button', { name: 'Close the panel' }).click();
  await page.getByTestId('node-panel').waitFor({ state: 'detached' });
}

const status = (page: Page, id: string) => canvasNode(page, id).getByTestId('canvas-node').getAttribute('data-status');

describe('building a workflow from scratch in the editor and running it', () => {
  const s = useEditorSuite();

  it('webhook → Code → If → Respond high / low: built by drag and drop, run with test input, answered over HTTP', async () => {
    const { page } = s;
    const id = await openNewWorkflow(page, s.app.baseUrl, 'Order tiers');
    await s.ui.screenshot('editor-empty-workflow');

    // Nodes from the palette, by drag and drop.
    await dragFromPalette(page, 'Webhook trigger', { x: 130, y: 160 });
    await dragFromPalette(page, 'Code', { x: 380, y: 160 });
    await dragFromPalette(page, 'If', { x: 630, y: 160 });
    await dragFromPalette(page, 'Respond to webhook', { x: 380, y: 380 });
    await dragFromPalette(page, 'Respond to webhook', { x: 630, y: 380 });
    await expect.poll(() => page.getByTestId('canvas-node').count()).toBe(5);

    // Wires, by dragging from an output handle to an input handle.
    await dragWire(page, { node: 'webhook_trigger', port: 'main' }, { node: 'code', port: 'main' });
    await dragWire(page, { node: 'code', port: 'main' }, { node: 'if', port: 'main' });
    await dragWire(page, { node: 'if', port: 'true' }, { node: 'respond_webhook', port: 'main' });
    await dragWire(page, { node: 'if', port: 'false' }, { node: 'respond_webhook_2', port: 'main' });
    await expect
      .poll(() => canvasEdges(page))
      .toEqual([
        'code.main->if.main',
        'if.false->respond_webhook_2.main',
        'if.true->respond_webhook.main',
        'webhook_trigger.main->code.main',
      ]);

    // Forms.
    let panel = await openPanel(page, 'webhook_trigger');
    await panel.getByLabel(/^Path/).fill('orders-w2');
    await panel.getByLabel(/^Respond/).selectOption({ label: 'respond_node' });
    await closePanel(page);

    panel = await openPanel(page, 'code');
    await panel
      .getByLabel(/^Code/)
      .fill(
        'const items = input.body.items;\nreturn { total: items.reduce((sum, i) => sum + i.price, 0), count: items.length };',
      );
    await closePanel(page);

    panel = await openPanel(page, 'if');
    await panel.getByTestId('condition-editor').fill('{">": [{"var": "input.total"}, 100]}');
    await closePanel(page);

    for (const [node, tier] of [
      ['respond_webhook', 'high'],
      ['respond_webhook_2', 'low'],
    ] as const) {
      panel = await openPanel(page, node);
      await panel.getByTestId('node-name').fill(`Respond ${tier}`);
      await panel.getByRole('button', { name: 'Use an expression for Body' }).click();
      await panel
        .getByTestId('expression-input')
        .fill(`{"tier": "${tier}", "total": $input.total, "count": $input.count}`);
      await closePanel(page);
    }
    await expect.poll(() => canvasNode(page, 'respond_webhook').locator('.title').textContent()).toBe('Respond high');
    await expect.poll(() => page.getByTestId('problems').count()).toBe(0);
    await s.ui.screenshot('editor-w2-built');

    // Save, then run from the editor with a test body.
    await page.keyboard.press('Control+s');
    await expect.poll(() => page.getByTestId('saved-indicator').isVisible()).toBe(true);
    await page.getByTestId('run-button').click();
    await page.getByTestId('run-input').fill('{"items": [{"price": 40}, {"price": 70}');
    await page.getByTestId('run-input-submit').click();
    await expect.poll(() => page.getByTestId('run-input-error').textContent()).toMatch(/^Line 1, column \d+/);
    await page.getByTestId('run-input').fill('{"items": [{"price": 40}, {"price": 70}]}');
    await page.getByTestId('run-input-submit').click();

    await expect
      .poll(() => page.getByTestId('run-summary').getAttribute('data-status'), { timeout: 30_000 })
      .toBe('succeeded');
    for (const node of ['webhook_trigger', 'code', 'if', 'respond_webhook'])
      await expect.poll(() => status(page, node)).toBe('succeeded');
    expect(await status(page, 'respond_webhook_2')).toBe('skipped');
    expect(await canvasNode(page, 'code').getByTestId('node-run-line').textContent()).toMatch(/1 item · \d/);
    await s.ui.screenshot('editor-w2-run-succeeded');

    // The Code node's output, in the panel.
    panel = await openPanel(page, 'code');
    await panel.getByRole('tab', { name: /Input \/ Output|Output/ }).click();
    await expect.poll(() => panel.textContent()).toMatch(/110/);
    await s.ui.screenshot('editor-w2-node-output');
    await closePanel(page);

    // Activate and call the webhook like any client would.
    await page.getByTestId('active-toggle').click();
    await expect.poll(() => page.getByTestId('active-toggle').isChecked()).toBe(true);
    const call = async (prices: number[]) => {
      const res = await fetch(`${s.app.baseUrl}/webhook/orders-w2`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ items: prices.map((price) => ({ price })) }),
      });
      return { status: res.status, body: (await res.json()) as unknown };
    };
    expect(await call([40, 70])).toEqual({ status: 200, body: { tier: 'high', total: 110, count: 2 } });
    expect(await call([5, 10, 20])).toEqual({ status: 200, body: { tier: 'low', total: 35, count: 3 } });

    const saved = await callApi<{ active: boolean }>(page, 'workflows.get', { id }, 'query');
    expect(saved.active).toBe(true);
  });
});
