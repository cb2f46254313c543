import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startLocalServer, type LocalServer } from '@apiq/http/testing';
import { useEditorSuite } from './editor/harness.ts';

// The node panel on a real APIQ (web + worker processes, a fresh database) with a stand-in
// customers API on 127.0.0.1: a webhook workflow runs for real, then the panel is opened on its
// nodes (through the panel's development page, which loads the workflow and its latest run).

const expr = (src: string) => ({ kind: 'expr', src });

interface TrpcAnswer<T> {
  result?: { data: T };
  error?: { message: string };
}

describe('the node panel', () => {
  const s = useEditorSuite();
  let customers: LocalServer;
  let workflowId: string;
  let hookPath: string;

  async function api<T>(path: string, input: unknown, kind: 'query' | 'mutation'): Promise<T> {
    const base = s.app.baseUrl;
    const res =
      kind === 'query'
        ? await fetch(`${base}/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`, {
            headers: { origin: base },
          })
        : await fetch(`${base}/api/trpc/${path}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', origin: base },
            body: JSON.stringify(input),
          });
    const body = (await res.json()) as TrpcAnswer<T>;
    if (!body.result) throw new Error(`${path} failed (${res.status}): ${body.error?.message ?? JSON.stringify(body)}`);
    return body.result.data;
  }

  beforeAll(async () => {
    customers = await startLocalServer((req, res) => {
      const match = /^\/customers\/([\w-]+)$/.exec(req.url);
      res.setHeader('content-type', 'application/json');
      if (!match) {
        res.statusCode = 404;
        res.end(JSON.stringify({ error: 'not_found' }));
        return;
      }
      res.end(
        JSON.stringify({
          id: match[1],
          email: 'ada@example.com',
          name: 'Ada Lovelace',
          orders: [
            { id: 'o_1001', total: 80 },
            { id: 'o_1042', total: 240 },
          ],
        }),
      );
    });
    hookPath = `orders/created-${Date.now().toString(36)}`;
    const graph = {
      name: 'Enrich new orders',
      nodes: [
        { id: 'order_hook', type: 'core.webhook_trigger', name: 'New order', params: { path: hookPath } },
        {
          id: 'fetch_customer',
          type: 'core.http_request',
          name: 'Fetch customer',
          params: { url: expr(`"${customers.origin}/customers/" & $trigger.body.customerId`) },
        },
        {
          id: 'enrich',
          type: 'core.set',
          name: 'Enrich order',
          params: { fields: { email: expr('$steps.fetch_customer.body.email') } },
        },
        {
          id: 'big_order',
          type: 'core.if',
          name: 'Big order?',
          params: { condition: { '>': [{ var: 'input.total' }, 100] } },
        },
      ],
      edges: [
        { source: 'order_hook', target: 'fetch_customer' },
        { source: 'fetch_customer', target: 'enrich' },
        { source: 'enrich', target: 'big_order' },
      ],
    };
    const created = await api<{ workflowId: string; saved: string }>(
      'workflows.create',
      { name: graph.name, graph },
      'mutation',
    );
    expect(created.saved).toBe('version');
    workflowId = created.workflowId;
    await api('workflows.setActive', { id: workflowId, active: true }, 'mutation');
    const hook = await fetch(`${s.app.baseUrl}/webhook/${hookPath}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customerId: 'c_77', total: 240 }),
    });
    expect(hook.status).toBe(202);
    // Wait for the run to finish (expect.poll only works inside tests).
    const deadline = Date.now() + 30_000;
    let status: string | undefined;
    while (status !== 'succeeded' && Date.now() < deadline) {
      const runs = await api<{ items: { status: string }[] }>('runs.list', { workflowId }, 'query');
      status = runs.items[0]?.status;
      if (status === 'failed' || status === 'dead') break;
      if (status !== 'succeeded') await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status, s.app.logs()).toBe('succeeded');
  });
  afterAll(async () => {
    await customers?.close();
  });

  async function openNode(page: Page, nodeId: string) {
    await page.goto(s.url(`/dev/panel?workflow=${workflowId}&node=${nodeId}`));
    await page
      .getByTestId('node-panel-content')
      .waitFor()
      .catch(async (error: unknown) => {
        throw new Error(`The node panel did not open; the page shows:\n${(await page.content()).slice(0, 3000)}`, {
          cause: error,
        });
      });
  }
  const nodeJson = async (page: Page) =>
    JSON.parse(await page.getByTestId('dev-node-json').innerText()) as {
      params: Record<string, unknown>;
      policy?: { retry?: { maxAttempts: number } };
      disabled?: boolean;
    };

  it('shows the HTTP Request form with a live preview and checks the URL as the user types', async () => {
    const { page } = s;
    await openNode(page, 'fetch_customer');
    const panel = page.getByTestId('node-panel-content');
    await expect.poll(() => panel.getByRole('textbox', { name: 'Node name' }).inputValue()).toBe('Fetch customer');
    await expect
      .poll(() => panel.getByLabel('Method', { exact: true }).locator('option:checked').innerText())
      .toBe('Default (GET)');
    // The URL is an expression, previewed by the server against the run's real trigger data.
    const preview = panel.locator('[data-param="url"]').getByTestId('expression-preview');
    await expect.poll(() => preview.innerText()).toContain(`"${customers.origin}/customers/c_77"`);
    await s.ui.screenshot('node-panel-http-request');

    // Back to a fixed value: the expression is not a literal, so the field empties and is required.
    await panel.getByRole('button', { name: 'Use an expression for URL' }).click();
    const url = panel.getByRole('textbox', { name: 'URL' });
    const urlErrors = panel.locator('[data-param="url"]').getByTestId('field-error');
    await expect.poll(() => urlErrors.innerText()).toContain('is required');
    await url.fill('not a url');
    await expect.poll(() => urlErrors.innerText()).toContain('must be an absolute URL');
    await url.fill(`${customers.origin}/customers/c_1`);
    await expect.poll(() => urlErrors.count()).toBe(0);
    await expect.poll(async () => (await nodeJson(page)).params.url).toBe(`${customers.origin}/customers/c_1`);

    // A header as a key-value row.
    await panel.getByRole('button', { name: 'Add header' }).click();
    await panel.getByRole('textbox', { name: 'Headers: name 1' }).fill('Accept');
    await panel.locator('[data-param="headers.Accept"] input').fill('application/json');
    await expect.poll(async () => (await nodeJson(page)).params.headers).toEqual({ Accept: 'application/json' });

    await panel.getByTestId('run-node').click();
    await expect.poll(() => page.getByTestId('dev-last-action').innerText()).toBe('run only fetch_customer');
  });

  it('completes upstream steps and fields from the last run, with the keyboard', async () => {
    const { page } = s;
    await openNode(page, 'enrich');
    const panel = page.getByTestId('node-panel-content');
    const input = panel.getByRole('combobox', { name: 'email expression' });
    await expect.poll(() => panel.getByTestId('expression-preview').first().innerText()).toContain('"ada@example.com"');
    await s.ui.screenshot('node-panel-set');
    const list = panel.getByTestId('expression-completions');
    await input.fill('');
    await input.pressSequentially('$');
    await expect
      .poll(() => list.getByRole('option').locator('.label').allInnerTexts())
      .toEqual(['$trigger', '$input', '$steps', '$item', '$index', '$run']);
    await input.pressSequentially('steps.');
    // Only nodes upstream of this one: the downstream If node is not offered.
    await expect
      .poll(() => list.getByRole('option').locator('.label').allInnerTexts())
      .toEqual(['fetch_customer', 'order_hook']);
    await input.press('Enter');
    await expect.poll(() => input.inputValue()).toBe('$steps.fetch_customer');
    await input.pressSequentially('.body.e');
    await expect.poll(() => list.getByRole('option').first().locator('.label').innerText()).toBe('body.email');
    await s.ui.screenshot('node-panel-expression-completion');
    await input.press('Tab');
    await expect.poll(() => input.inputValue()).toBe('$steps.fetch_customer.body.email');
    await expect.poll(() => list.isHidden()).toBe(true);
    await expect.poll(() => panel.getByTestId('expression-preview').first().innerText()).toContain('"ada@example.com"');

    // ↓ moves the active option; Esc closes the list and keeps the text.
    await input.pressSequentially(' & $trigger.body.');
    await expect.poll(() => list.getByRole('option').count()).toBeGreaterThan(1);
    await input.press('ArrowDown');
    await expect.poll(() => list.getByRole('option').nth(1).getAttribute('aria-selected')).toBe('true');
    await input.press('Escape');
    await expect.poll(() => list.isHidden()).toBe(true);
    await expect.poll(() => input.inputValue()).toBe('$steps.fetch_customer.body.email & $trigger.body.');

    // An expression that does not parse: the preview says what and where.
    await input.fill('$steps.fetch_customer.body.email &');
    await expect.poll(() => panel.getByTestId('expression-error').innerText()).toMatch(/at character \d+/);
    await expect
      .poll(async () => (await nodeJson(page)).params.fields)
      .toEqual({ email: expr('$steps.fetch_customer.body.email &') });
  });

  it('edits an If condition as JSON, with parse errors inline and the server validation on the field', async () => {
    const { page } = s;
    await openNode(page, 'big_order');
    const panel = page.getByTestId('node-panel-content');
    const editor = panel.getByTestId('condition-editor');
    await expect.poll(() => editor.inputValue()).toBe('{">":[{"var":"input.total"},100]}');
    await s.ui.screenshot('node-panel-if');

    await editor.fill('{">": [{"var": "input.total"}, ]}');
    await expect
      .poll(() => panel.getByRole('alert').first().innerText())
      .toContain('Invalid JSON at line 1, column 32');
    // The last valid condition stays in the graph while the text does not parse.
    await expect
      .poll(async () => (await nodeJson(page)).params.condition)
      .toEqual({ '>': [{ var: 'input.total' }, 100] });

    await editor.fill('{"bigger": [{"var": "input.total"}, 500]}');
    await expect
      .poll(async () => (await nodeJson(page)).params.condition)
      .toEqual({ bigger: [{ var: 'input.total' }, 500] });
    // json-logic has no "bigger": the server's workflows.validate issue lands on the field.
    await expect
      .poll(() => panel.locator('[data-param="condition"]').getByTestId('field-error').innerText())
      .toMatch(/bigger/);
  });

  it('inspects the output as a tree and a table, and pins and unpins it', async () => {
    const { page } = s;
    await openNode(page, 'fetch_customer');
    const panel = page.getByTestId('node-panel-content');
    await panel.getByRole('tab', { name: 'Input / Output' }).click();
    const details = panel.getByTestId('step-details');
    await expect.poll(() => details.getByText('Succeeded').isVisible()).toBe(true);
    const tree = details.getByRole('tree', { name: 'Output' });
    await expect.poll(() => tree.getByRole('treeitem').locator('.key').allInnerTexts()).toContain('status');

    await details.getByRole('searchbox', { name: 'Search output' }).fill('o_1042');
    await expect
      .poll(() => tree.getByRole('treeitem').locator('.key').allInnerTexts())
      .toEqual(['body', 'orders', '[1]', 'id']);
    await details.getByRole('searchbox', { name: 'Search output' }).fill('');

    // The table shows the list picked in the tree.
    await tree
      .getByRole('treeitem')
      .filter({ has: page.locator('.key', { hasText: /^orders$/ }) })
      .click();
    await details.getByTestId('table-view').click();
    const table = details.getByRole('table');
    await expect.poll(() => table.getByRole('columnheader').allInnerTexts()).toEqual(['#', 'id', 'total']);
    await expect.poll(() => table.locator('tbody tr').allInnerTexts()).toEqual(['0\to_1001\t80', '1\to_1042\t240']);
    await s.ui.screenshot('node-panel-inspector-table');
    await details.getByRole('button', { name: 'Show the whole output' }).click();
    await expect
      .poll(async () => (await table.getByRole('rowheader').allInnerTexts()).sort())
      .toEqual(['body', 'headers', 'status']);

    await panel.getByTestId('pin-output').click();
    await expect.poll(() => page.getByTestId('dev-last-action').innerText()).toBe('pin fetch_customer');
    const pinned = panel.getByTestId('pinned-data');
    await expect.poll(() => pinned.innerText()).toContain('Pinned output.');

    await pinned.getByRole('button', { name: 'Edit pinned data' }).click();
    const text = panel.getByTestId('pin-editor').getByRole('textbox');
    await text.fill('{"status": 200, "body": {"email": "pinned@example.com"}');
    await expect.poll(() => panel.getByTestId('pin-editor').getByRole('alert').innerText()).toContain('Invalid JSON');
    await expect.poll(() => panel.getByRole('button', { name: 'Save pinned data' }).isDisabled()).toBe(true);
    await text.fill('{"status": 200, "body": {"email": "pinned@example.com"}}');
    await panel.getByRole('button', { name: 'Save pinned data' }).click();
    await expect.poll(() => pinned.getByRole('tree').innerText()).toContain('pinned@example.com');

    await pinned.getByRole('button', { name: 'Unpin' }).click();
    await expect.poll(() => page.getByTestId('dev-last-action').innerText()).toBe('unpin fetch_customer');
    await expect.poll(() => pinned.count()).toBe(0);
  });

  it('shows the webhook URL of an active workflow and how to call it', async () => {
    const { page } = s;
    await openNode(page, 'order_hook');
    const info = page.getByTestId('trigger-info');
    await expect.poll(() => info.getByTestId('webhook-url').innerText()).toBe(`${s.app.baseUrl}/webhook/${hookPath}`);
    await expect.poll(() => info.getByText('This workflow is inactive').count()).toBe(0);
    await info.getByText('Call it with curl').click();
    await expect
      .poll(() => info.locator('pre').innerText())
      .toContain(`curl -X POST '${s.app.baseUrl}/webhook/${hookPath}'`);
    await s.ui.screenshot('node-panel-webhook-trigger');
  });

  it('sets the step policy, notes and the disabled switch in the Settings tab', async () => {
    const { page } = s;
    await openNode(page, 'fetch_customer');
    const panel = page.getByTestId('node-panel-content');
    await panel.getByRole('tab', { name: 'Settings' }).click();
    await panel.getByRole('spinbutton', { name: 'Max attempts' }).fill('3');
    await expect.poll(async () => (await nodeJson(page)).policy?.retry?.maxAttempts).toBe(3);
    await panel.getByRole('switch', { name: /Disabled/ }).click();
    await expect.poll(async () => (await nodeJson(page)).disabled).toBe(true);
    await panel.getByRole('textbox', { name: 'Node name' }).press('Escape');
    await expect.poll(() => page.getByTestId('dev-last-action').innerText()).toBe('close');
  });
});
