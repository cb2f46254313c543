import { describe, expect, it } from 'vitest';
import { useEditorSuite } from './editor/harness.ts';

describe('first-run onboarding and the settings page', () => {
  const s = useEditorSuite({ workers: 0 });

  it('welcomes a first visit with three ways to start, and remembers when it is dismissed', async () => {
    const { page } = s;
    await page.goto(s.url('/'));
    await page.getByRole('heading', { name: 'Welcome to APIQ' }).waitFor();
    for (const action of ['Connect your first API', 'Start from a template', 'Describe your workflow'])
      expect(await page.getByText(action, { exact: true }).isVisible()).toBe(true);
    // Three featured templates from the gallery, each linking to its page.
    const featured = page.getByTestId('featured-template');
    await featured.nth(2).waitFor();
    expect(await featured.count()).toBe(3);
    expect(await featured.first().getAttribute('href')).toMatch(/^\/templates\/[a-z0-9-]+$/);
    await s.ui.screenshot('onboarding-welcome');
    await page.setViewportSize({ width: 1024, height: 700 });
    await s.ui.screenshot('onboarding-welcome-narrow');

    await page.getByRole('button', { name: 'Skip, go to my workflows' }).click();
    await page.waitForURL('**/workflows');
    await page.goto(s.url('/'));
    await page.waitForURL('**/workflows');
    await page.getByRole('heading', { name: 'Workflows', exact: true }).waitFor();
  });

  it('leads from the welcome to the templates', async () => {
    const { page } = s;
    await page.goto(s.url('/'));
    await page.getByRole('link', { name: /Start from a template/ }).click();
    await page.waitForURL('**/templates');
    await page.getByRole('heading', { level: 1, name: /Templates/ }).waitFor();
  });

  it('creates a workflow from a description and opens it with the planner’s proposal', async () => {
    const { page } = s;
    await page.goto(s.url('/'));
    await page.getByRole('button', { name: /Describe your workflow/ }).click();
    const dialog = page.getByTestId('describe-dialog');
    const box = dialog.getByRole('textbox', { name: 'What should this workflow do?' });
    await box.fill('short');
    await dialog.getByRole('button', { name: 'Create workflow' }).click();
    expect(await dialog.getByRole('alert').innerText()).toMatch(/Describe what should happen in a sentence/);

    const prompt = 'When a GitHub issue is labelled bug, post it to the triage channel in Slack.';
    await box.fill(prompt);
    await s.ui.screenshot('onboarding-describe');
    await dialog.getByRole('button', { name: 'Create workflow' }).click();
    await page.waitForURL(/\/workflows\/[0-9a-f-]{36}/);
    // The prompt bar sends the description to the planner; the proposal is previewed, not saved.
    await page.getByTestId('proposal-banner').waitFor();
    const row = await s.app.db
      .selectFrom('workflows')
      .select(['name', 'draft'])
      .where('name', '=', 'When a GitHub issue is labelled bug')
      .executeTakeFirstOrThrow();
    expect(row.draft).toMatchObject({ description: prompt, nodes: [] });
  });

  it('saves instance settings, refusing invalid values with a message at the field', async () => {
    const { page } = s;
    await page.goto(s.url('/settings'));
    await page.getByText('Accounts are coming').waitFor();
    const baseUrl = page.getByRole('textbox', { name: 'Endpoint base URL' });
    const days = page.getByRole('textbox', { name: 'Keep runs for (days)' });
    await baseUrl.fill('not a url');
    await days.fill('-3');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Enter an http(s) URL, such as https://api.openai.com/v1.').waitFor();
    await page.getByText('Enter a whole number of days, or leave it empty for no limit.').waitFor();
    expect(await baseUrl.getAttribute('aria-invalid')).toBe('true');
    await s.ui.screenshot('settings-invalid');
    expect(await s.app.db.selectFrom('settings').select('key').where('key', '=', 'planner').execute()).toEqual([]);

    await baseUrl.fill('http://127.0.0.1:11434/v1');
    await page.getByRole('textbox', { name: 'Model' }).fill('llama3.1');
    await days.fill('14');
    await page.getByRole('textbox', { name: 'Runs kept per workflow' }).fill('');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByTestId('toast').filter({ hasText: 'Settings saved' }).waitFor();

    await page.reload();
    await expect.poll(() => baseUrl.inputValue()).toBe('http://127.0.0.1:11434/v1');
    expect(await days.inputValue()).toBe('14');
    expect(await page.getByRole('textbox', { name: 'Runs kept per workflow' }).inputValue()).toBe('');
    const planner = await s.app.db
      .selectFrom('settings')
      .select('value')
      .where('key', '=', 'planner')
      .executeTakeFirst();
    expect(planner?.value).toMatchObject({ baseUrl: 'http://127.0.0.1:11434/v1', model: 'llama3.1' });
    await s.ui.screenshot('settings');
  });
});
