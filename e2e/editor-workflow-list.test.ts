import { describe, expect, it } from 'vitest';
import { useEditorSuite } from './editor/harness.ts';
import { apiClient, manualWorkflow, waitForRun } from './editor/api-client.ts';

describe('the workflow list', () => {
  const s = useEditorSuite();
  const api = () => apiClient(s.app.baseUrl);
  const row = (name: string) => s.page.getByTestId('workflow-row').filter({ hasText: name });
  const workflowRows = () => s.app.db.selectFrom('workflows').select(['id', 'name', 'active']).execute();

  it('explains what a workflow is when there is none, with the ways to start', async () => {
    const { page } = s;
    await page.goto(s.url('/workflows'));
    await page.getByRole('heading', { name: 'No workflows yet' }).waitFor();
    expect(await page.getByText('A workflow is a chain of steps').isVisible()).toBe(true);
    for (const action of ['Connect your first API', 'Start from a template', 'Describe your workflow'])
      expect(await page.getByText(action).isVisible()).toBe(true);
    await s.ui.screenshot('workflow-list-empty');
    await page.setViewportSize({ width: 1024, height: 700 });
    await s.ui.screenshot('workflow-list-empty-narrow');
  });

  it('creates a workflow and opens it on the canvas', async () => {
    const { page } = s;
    await page.goto(s.url('/workflows'));
    await page.getByRole('button', { name: 'New workflow' }).first().click();
    await page.waitForURL(/\/workflows\/[0-9a-f-]{36}$/);
    const id = new URL(page.url()).pathname.split('/').pop();
    expect((await workflowRows()).find((w) => w.id === id)?.name).toBe('Untitled workflow');
  });

  it('renames inline, duplicates, searches and deletes only after confirming', async () => {
    const { page } = s;
    await api().workflows.create.mutate({ name: 'Orders to Slack', graph: manualWorkflow('Orders to Slack') });
    await api().workflows.create.mutate({ name: 'Invoice sync', graph: manualWorkflow('Invoice sync') });
    await page.goto(s.url('/workflows'));
    await row('Orders to Slack').waitFor();
    await s.ui.screenshot('workflow-list');

    // Rename inline from the row's menu: Enter saves.
    await page.getByRole('button', { name: 'Actions for Orders to Slack' }).click();
    await page.getByRole('menuitem', { name: 'Rename' }).click();
    const input = page.getByRole('textbox', { name: 'New name for Orders to Slack' });
    await input.fill('Big orders to Slack');
    await input.press('Enter');
    await row('Big orders to Slack').waitFor();
    await expect.poll(async () => (await workflowRows()).map((w) => w.name).sort()).toContain('Big orders to Slack');

    // Escape leaves the name as it was.
    await page.getByRole('button', { name: 'Actions for Invoice sync' }).click();
    await page.getByRole('menuitem', { name: 'Rename' }).click();
    await page.getByRole('textbox', { name: 'New name for Invoice sync' }).fill('Something else');
    await page.getByRole('textbox', { name: 'New name for Invoice sync' }).press('Escape');
    await row('Invoice sync').waitFor();
    expect((await workflowRows()).some((w) => w.name === 'Something else')).toBe(false);

    // Duplicate.
    await page.getByRole('button', { name: 'Actions for Invoice sync' }).click();
    await page.getByRole('menuitem', { name: 'Duplicate' }).click();
    await row('Invoice sync (copy)').waitFor();

    // Search narrows the list; a search without matches says so.
    await page.getByRole('searchbox', { name: 'Search workflows' }).fill('invoice');
    await expect.poll(() => page.getByTestId('workflow-row').count()).toBe(2);
    await page.getByRole('searchbox', { name: 'Search workflows' }).fill('no such thing');
    await page.getByRole('heading', { name: 'No workflows match “no such thing”' }).waitFor();
    await page.getByRole('button', { name: 'Clear search' }).click();
    await row('Big orders to Slack').waitFor();

    // Delete asks first: Cancel keeps the workflow, confirming deletes it.
    await page.getByRole('button', { name: 'Actions for Invoice sync (copy)' }).click();
    await page.getByRole('menuitem', { name: 'Delete' }).click();
    const dialog = page.getByTestId('confirm-dialog');
    await dialog.getByRole('heading', { name: 'Delete “Invoice sync (copy)”?' }).waitFor();
    await s.ui.screenshot('workflow-delete-confirm');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect((await workflowRows()).some((w) => w.name === 'Invoice sync (copy)')).toBe(true);

    await page.getByRole('button', { name: 'Actions for Invoice sync (copy)' }).click();
    await page.getByRole('menuitem', { name: 'Delete' }).click();
    await dialog.getByRole('button', { name: 'Delete workflow' }).click();
    await row('Invoice sync (copy)').waitFor({ state: 'detached' });
    expect((await workflowRows()).some((w) => w.name === 'Invoice sync (copy)')).toBe(false);
  });

  it('activates a valid workflow and explains why an unfinished one cannot be activated', async () => {
    const { page } = s;
    s.ui.allowConsoleError(/status of 400/);
    await api().workflows.create.mutate({ name: 'Ready to go', graph: manualWorkflow('Ready to go') });
    await api().workflows.create.mutate({ name: 'Half built' });
    await page.goto(s.url('/workflows'));

    await page.getByRole('switch', { name: 'Active: Ready to go' }).check();
    await expect.poll(async () => (await workflowRows()).find((w) => w.name === 'Ready to go')?.active).toBe(true);
    expect(await page.getByRole('switch', { name: 'Active: Ready to go' }).isChecked()).toBe(true);

    await page.getByRole('switch', { name: 'Active: Half built' }).click();
    const toast = page.getByTestId('toast').filter({ hasText: 'Could not activate “Half built”' });
    await toast.waitFor();
    expect(await toast.getAttribute('data-kind')).toBe('error');
    expect(await toast.innerText()).toMatch(/trigger/i);
    expect(await page.getByRole('switch', { name: 'Active: Half built' }).isChecked()).toBe(false);
    expect((await workflowRows()).find((w) => w.name === 'Half built')?.active).toBe(false);
    await s.ui.screenshot('workflow-activate-refused');
  });

  it('shows the last run of each workflow and links to it', async () => {
    const { page } = s;
    const { workflowId } = await api().workflows.create.mutate({ name: 'Has run', graph: manualWorkflow('Has run') });
    const { runId } = await api().runs.start.mutate({ workflowId, input: {} });
    await waitForRun(api(), runId, ['succeeded']);
    await page.goto(s.url('/workflows'));
    const link = row('Has run').getByRole('link', { name: /Succeeded/ });
    await link.waitFor();
    await link.click();
    await page.waitForURL(`**/runs/${runId}`);
    await page.setViewportSize({ width: 1024, height: 700 });
    await page.goto(s.url('/workflows'));
    await row('Has run').waitFor();
    await s.ui.screenshot('workflow-list-narrow');
  });
});
