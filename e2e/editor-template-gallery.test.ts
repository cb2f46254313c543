import { describe, expect, it } from 'vitest';
import { createTRPCClient, httpLink } from '@trpc/client';
import type { AppRouter } from '@apiq/api';
import { useEditorSuite } from './editor/harness.ts';

// The template gallery in a real browser on a real APIQ: search and filter the gallery, open a
// template, use it with a connection made through the API, and land on the canvas with the
// workflow; import refuses an invalid template file with located problems.
describe('the template gallery', () => {
  const s = useEditorSuite();
  // The app's API as the editor calls it; state-changing calls carry the site's Origin like a browser's.
  const api = () =>
    createTRPCClient<AppRouter>({
      links: [httpLink({ url: `${s.app.baseUrl}/api/trpc`, headers: { origin: s.app.baseUrl } })],
    });
  const cards = () => s.page.getByTestId('template-card');

  it('searches and filters, opens a template and uses it with a connection, landing on the canvas', async () => {
    const { page } = s;
    const slack = await api().connections.create.mutate({
      name: 'Acme Slack',
      kind: 'slack',
      values: { botToken: 'xoxb-gallery-test-token', signingSecret: 'gallery-signing-secret' },
    });

    await page.goto(s.url('/templates'));
    await cards().first().waitFor();
    expect(await cards().count()).toBeGreaterThanOrEqual(20);
    // Every card shows its graph preview as an image.
    expect(
      await cards()
        .first()
        .locator('img')
        .evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth > 0),
    ).toBe(true);
    await s.ui.screenshot('template-gallery');

    await page.getByTestId('template-search').fill('page on-call');
    await expect.poll(() => cards().count()).toBe(1);
    await expect.poll(() => cards().first().textContent()).toContain('Incident alerts');

    await page.getByTestId('template-search').fill('');
    await page.getByRole('button', { name: /^Payments & finance/ }).click();
    await expect
      .poll(async () => (await cards().allTextContents()).every((t) => t.includes('Payments & finance')))
      .toBe(true);
    await page.getByTestId('template-app-filter').selectOption('Slack');
    await expect.poll(() => cards().count()).toBe(1);
    expect(await cards().first().textContent()).toContain('Failed Stripe payment');
    await s.ui.screenshot('template-gallery-filtered');

    await page.getByRole('button', { name: /^All$/ }).click();
    await page.getByTestId('template-app-filter').selectOption('');
    await page.getByTestId('template-search').fill('opsgenie');
    await cards().filter({ hasText: 'Incident alerts' }).click();
    await page.waitForURL(/\/templates\/incident-alert-slack-opsgenie$/);
    await page.getByRole('heading', { name: 'Incident alerts → Slack, page on-call when critical' }).waitFor();
    expect(await page.getByText('Alertmanager: add a receiver', { exact: false }).isVisible()).toBe(true);
    expect(
      await page
        .getByTestId('template-graph')
        .evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth > 0),
    ).toBe(true);
    await s.ui.screenshot('template-detail');

    await page.getByTestId('use-template').click();
    const dialog = page.getByTestId('use-template-dialog');
    await dialog.getByLabel('Workflow name').fill('Checkout incidents');
    // The only Slack connection is chosen for the Slack step; Opsgenie is left for later.
    await expect.poll(() => dialog.getByTestId('connection-slack').inputValue()).toBe(slack.id);
    expect(await dialog.getByTestId('connection-api_key_header').inputValue()).toBe('');
    await s.ui.screenshot('template-use-dialog');
    await dialog.getByTestId('create-from-template').click();

    await page.waitForURL(/\/workflows\/[0-9a-f-]{36}$/);
    const workflowId = new URL(page.url()).pathname.split('/').pop()!;
    await page.locator('.svelte-flow__node').first().waitFor();
    expect(await page.locator('.svelte-flow__node').count()).toBe(4);
    await s.ui.screenshot('template-on-canvas');

    const workflow = await api().workflows.get.query({ id: workflowId });
    expect(workflow.name).toBe('Checkout incidents');
    const nodes = workflow.graph.nodes as Array<{ id: string; credentials?: Record<string, string> }>;
    expect(nodes.find((n) => n.id === 'notify')?.credentials).toEqual({ slack: slack.id });
    expect(nodes.find((n) => n.id === 'page_on_call')?.credentials).toBeUndefined();
  });

  it('imports a template file into the workspace, and refuses an invalid one saying where', async () => {
    const { page } = s;
    const { file } = await api().templates.export.query({ id: 'weather-lookup-api' });
    const broken = structuredClone(file) as unknown as {
      meta: Record<string, unknown>;
      graph: { nodes: Array<{ type: string }> };
    };
    broken.graph.nodes[1]!.type = 'core.http_requets';
    s.ui.allowConsoleError(/400/);

    await page.goto(s.url('/templates'));
    await page.getByRole('button', { name: 'Import template file' }).click();
    const dialog = page.getByTestId('import-template-dialog');
    await dialog.getByTestId('template-file-input').setInputFiles({
      name: 'weather.apiq-template.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(broken)),
    });
    await dialog.getByRole('button', { name: 'Import' }).click();
    await dialog.getByRole('alert').waitFor();
    expect(await dialog.getByRole('alert').textContent()).toContain('weather.apiq-template.json: graph.nodes[1].type');
    await s.ui.screenshot('template-import-error');
    expect(await s.app.db.selectFrom('workspace_templates').select('id').execute()).toEqual([]);

    await dialog.getByTestId('template-file-input').setInputFiles({
      name: 'weather.apiq-template.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify({ ...file, meta: { ...file.meta, title: 'Weather for the office' } })),
    });
    await dialog.getByRole('button', { name: 'Import' }).click();
    await page.waitForURL(/\/templates\/[0-9a-f-]{36}$/);
    await page.getByRole('heading', { name: 'Weather for the office' }).waitFor();
    await page.goto(s.url('/templates'));
    await page.getByTestId('template-search').fill('office');
    await expect.poll(() => cards().count()).toBe(1);
    expect(await cards().first().textContent()).toContain('Workspace');
  });
});
