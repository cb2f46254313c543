import { describe, expect, it } from 'vitest';
import { useEditorSuite } from './editor/harness.ts';
import { callApi } from './support/canvas-actions.ts';

/** What the page-side code below uses of the browser (the e2e project compiles without DOM types). */
interface BrowserGlobals {
  __frames: number[];
  requestAnimationFrame(callback: (time: number) => void): number;
}

/** A 300-node workflow: a trigger and 299 Set-like Code steps in 15 parallel chains. */
function largeGraph() {
  const nodes: unknown[] = [{ id: 'start', type: 'core.manual_trigger', params: {}, position: { x: 0, y: 0 } }];
  const edges: unknown[] = [];
  for (let i = 1; i < 300; i++) {
    const chain = i % 15;
    const step = Math.ceil(i / 15);
    nodes.push({
      id: `step_${i}`,
      type: 'core.code',
      params: { code: `return { step: ${i} };` },
      position: { x: step * 280, y: chain * 100 - 700 },
    });
    edges.push({ source: i <= 15 ? 'start' : `step_${i - 15}`, target: `step_${i}` });
  }
  return { apiq: 1, name: 'Large', nodes, edges };
}

describe('a 300-node workflow in the editor', () => {
  const s = useEditorSuite({ workers: 0 });

  it('opens, pans and drags; prints how long each took', async () => {
    const { page } = s;
    await page.goto(s.url('/workflows'));
    const { workflowId } = await callApi<{ workflowId: string }>(page, 'workflows.create', {
      name: 'Large',
      graph: largeGraph(),
    });

    const started = Date.now();
    await page.goto(s.url(`/workflows/${workflowId}`));
    // Open = the nodes in view are drawn and measured (Svelte Flow shows a node once measured).
    await page.locator('.svelte-flow__node[data-id="start"]').waitFor({ state: 'visible' });
    const openMs = Date.now() - started;
    const visible = await page.getByTestId('canvas-node').count();
    expect(visible).toBeGreaterThan(0);

    // Pan: drag the empty pane for 30 frames and measure the frame times the page sees.
    const pane = (await page.locator('.svelte-flow__pane').boundingBox())!;
    await page.evaluate(() => {
      const w = globalThis as unknown as BrowserGlobals;
      w.__frames = [];
      let last = performance.now();
      const tick = (t: number) => {
        w.__frames.push(t - last);
        last = t;
        if (w.__frames.length < 400) w.requestAnimationFrame(tick);
      };
      w.requestAnimationFrame(tick);
    });
    const panStart = Date.now();
    await page.mouse.move(pane.x + pane.width / 2 + 100, pane.y + pane.height / 2 + 60);
    await page.mouse.down();
    await page.mouse.move(pane.x + pane.width / 2 - 100, pane.y + pane.height / 2 - 60, { steps: 30 });
    await page.mouse.up();
    const panMs = Date.now() - panStart;

    // Drag one node across the canvas.
    const id = await page.getByTestId('canvas-node').first().getAttribute('data-node-id');
    const node = page.locator(`.svelte-flow__node[data-id="${id}"]`);
    const before = (await node.boundingBox())!;
    const dragStart = Date.now();
    await page.mouse.move(before.x + 20, before.y + 20);
    await page.mouse.down();
    await page.mouse.move(before.x + 220, before.y + 160, { steps: 30 });
    await page.mouse.up();
    const dragMs = Date.now() - dragStart;
    const after = (await node.boundingBox())!;
    expect(after.x).toBeGreaterThan(before.x + 100);

    const frames = await page.evaluate(() => (globalThis as unknown as BrowserGlobals).__frames.slice(1));
    const sorted = [...frames].sort((a, b) => a - b);
    const p95 = sorted[Math.floor(sorted.length * 0.95)] ?? 0;
    const longest = sorted.at(-1) ?? 0;
    await s.ui.screenshot('editor-large-workflow');
    console.log(
      `300-node workflow: opened in ${openMs} ms (${visible} nodes drawn); pan of 30 moves ${panMs} ms; ` +
        `node drag of 30 moves ${dragMs} ms; frame time p95 ${p95.toFixed(1)} ms, longest ${longest.toFixed(1)} ms`,
    );
  });
});
