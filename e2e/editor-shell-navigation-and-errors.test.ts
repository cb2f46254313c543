import { describe, expect, it } from 'vitest';
import { useEditorSuite } from './editor/harness.ts';

describe('the editor shell', () => {
  const s = useEditorSuite({ workers: 0 });

  it('navigates between the main sections with the left navigation, marking the current one', async () => {
    const { page } = s;
    await page.goto(s.url('/workflows'));
    const nav = page.getByRole('navigation', { name: 'Main' });
    for (const section of ['Runs', 'Connections', 'Templates', 'Settings', 'Workflows']) {
      await nav.getByRole('link', { name: section }).click();
      await expect.poll(() => new URL(page.url()).pathname).toBe(`/${section.toLowerCase()}`);
      await expect.poll(() => nav.getByRole('link', { name: section }).getAttribute('aria-current')).toBe('page');
    }
  });

  it('shows a page that explains an unknown address and leads back to the workflows', async () => {
    const { page } = s;
    s.ui.allowConsoleError(/status of 404/);
    await page.goto(s.url('/no-such-page'));
    await expect.poll(() => page.getByRole('heading', { name: 'Page not found' }).isVisible()).toBe(true);
    await s.ui.screenshot('shell-not-found');
    await page.getByRole('link', { name: 'Go to workflows' }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/workflows');
  });

  it('turns a failed promise nobody handled into an error notification', async () => {
    const { page } = s;
    s.ui.allowConsoleError(/Uncaught \(in promise\)|nobody handled this/);
    await page.goto(s.url('/workflows'));
    // The handler is part of the app: wait until the app has rendered.
    await page.getByRole('heading', { name: 'Workflows', exact: true }).waitFor();
    await page.evaluate(() => {
      void Promise.reject(new Error('nobody handled this'));
    });
    const toast = page.getByTestId('toast').filter({ hasText: 'nobody handled this' });
    await toast.waitFor();
    expect(await toast.getAttribute('data-kind')).toBe('error');
  });
});
