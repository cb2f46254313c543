import type { Locator, Page } from 'playwright-core';

/**
 * Calls a tRPC procedure of the app from the page (same origin, like the editor does).
 *
 * @example
 * const { workflowId } = await callApi<{ workflowId: string }>(page, 'workflows.create', { name: 'Orders' });
 */
export async function callApi<T>(
  page: Page,
  path: string,
  input: unknown,
  kind: 'query' | 'mutation' = 'mutation',
): Promise<T> {
  const result = await page.evaluate(
    async ({ path, input, kind }) => {
      const url =
        kind === 'query' ? `/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}` : `/api/trpc/${path}`;
      const res = await fetch(url, {
        method: kind === 'query' ? 'GET' : 'POST',
        headers: { 'content-type': 'application/json' },
        ...(kind === 'query' ? {} : { body: JSON.stringify(input) }),
      });
      return { status: res.status, body: (await res.json()) as unknown };
    },
    { path, input, kind },
  );
  const body = result.body as { result?: { data?: unknown }; error?: unknown };
  if (result.status >= 400 || !body.result)
    throw new Error(`${path} failed (${result.status}): ${JSON.stringify(body.error ?? body)}`);
  return body.result.data as T;
}

/** Creates a workflow (optionally with a graph) and opens it in the editor; returns its id. */
export async function openNewWorkflow(page: Page, baseUrl: string, name: string, graph?: unknown): Promise<string> {
  if (!page.url().startsWith(baseUrl)) await page.goto(`${baseUrl}/workflows`);
  const created = await callApi<{ workflowId: string }>(page, 'workflows.create', graph ? { name, graph } : { name });
  await page.goto(`${baseUrl}/workflows/${created.workflowId}`);
  await page.getByTestId('workflow-editor').waitFor();
  return created.workflowId;
}

export function canvasNode(page: Page, id: string): Locator {
  return page.locator(`.svelte-flow__node[data-id="${id}"]`);
}

/** Drags a node type from the palette onto the canvas at a point of the canvas (from its top-left). */
export async function dragFromPalette(page: Page, title: string, at: { x: number; y: number }): Promise<void> {
  const search = page.getByTestId('palette-search');
  await search.fill(title);
  const item = page.getByTestId('palette-item').filter({ hasText: title }).first();
  await item.dragTo(page.locator('.svelte-flow__pane'), { targetPosition: at });
  await search.fill('');
}

/** Drags a wire from an output handle to an input handle, as a user does with the mouse. */
export async function dragWire(
  page: Page,
  from: { node: string; port: string },
  to: { node: string; port: string; type?: 'source' | 'target' },
): Promise<void> {
  const source = canvasNode(page, from.node).locator(`.svelte-flow__handle.source[data-handleid="${from.port}"]`);
  const target = canvasNode(page, to.node).locator(
    `.svelte-flow__handle.${to.type ?? 'target'}[data-handleid="${to.port}"]`,
  );
  await dragBetween(page, source, target);
}

/** A pointer drag from the centre of one element to the centre of another, in small steps. */
export async function dragBetween(page: Page, from: Locator, to: Locator): Promise<void> {
  const a = await from.boundingBox();
  const b = await to.boundingBox();
  if (!a || !b) throw new Error('drag: an element is not visible');
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2 + a.width / 2, (a.y + b.y) / 2 + a.height / 2, { steps: 5 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 5 });
  await page.mouse.up();
}

/** The edges on the canvas as `source.port->target.port`. */
export async function canvasEdges(page: Page): Promise<string[]> {
  const ids = await page
    .locator('.svelte-flow__edge')
    .evaluateAll((els) => els.map((el) => el.getAttribute('data-id') ?? ''));
  return ids.sort();
}
