import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { authDb } from '@apiq/auth';
import { DEFAULT_WORKSPACE_ID } from '@apiq/db';
import { describe, expect, it } from 'vitest';
import { useEditorSuite } from './editor/harness.ts';

const OWNER = { name: 'Ann Owner', email: 'ann@example.com', password: 'correct horse battery' };
const INVITEE = { email: 'bob@example.com', password: 'staple gun lighthouse' };

/**
 * Emails carry the instance's public URL (APIQ_PUBLIC_URL); the test app listens on a port picked
 * at start, so a link is followed by its path on the app under test.
 */
function appPath(href: string | null): string {
  if (!href) throw new Error('the outbox message has no link');
  const url = new URL(href);
  return `${url.pathname}${url.search}`;
}

async function signIn(page: Page, url: (p: string) => string, who: { email: string; password: string }) {
  await page.goto(url('/login'));
  await page.getByLabel('Email', { exact: true }).fill(who.email);
  await page.getByLabel('Password', { exact: true }).fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('user-menu').waitFor();
}

async function openUserMenuItem(page: Page, item: string | RegExp) {
  await page.getByTestId('user-menu-button').click();
  await page.getByRole('menuitem', { name: item }).click();
}

/** The link of the newest outbox message with this subject to this address, as the owner sees it. */
async function outboxLink(page: Page, url: (p: string) => string, to: string, subject: string): Promise<string> {
  await page.goto(url('/settings/outbox'));
  const message = page.getByTestId('outbox-message').filter({ hasText: subject }).filter({ hasText: to }).first();
  await message.waitFor();
  return appPath(await message.getByRole('link').first().getAttribute('href'));
}

describe('accounts in the editor: sign up, verify, create a workspace, invite and accept', () => {
  const s = useEditorSuite({ workers: 0 });
  let invitationPath = '';

  it('makes the first account the owner, confirms its email from the outbox, and creates a workspace', async () => {
    const { page } = s;
    await page.goto(s.url('/workflows'));
    const notice = page.getByRole('note', { name: 'No accounts yet' });
    await notice.waitFor();
    expect(await notice.innerText()).toContain('anyone who can reach it can use it');
    await s.ui.screenshot('accounts-open-instance');

    await notice.getByRole('link', { name: 'Create the owner account' }).click();
    await page.waitForURL('**/signup');
    await page.getByRole('heading', { name: 'Create the owner account' }).waitFor();
    expect(await page.getByText('You are creating the owner account of this APIQ').isVisible()).toBe(true);
    await page.getByLabel('Name', { exact: true }).fill(OWNER.name);
    await page.getByLabel('Email', { exact: true }).fill(OWNER.email);
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByRole('button', { name: 'Create the owner account' }).click();
    await page.getByText('Use at least 10 characters.').waitFor();
    await page.getByLabel('Password', { exact: true }).fill(OWNER.password);
    await s.ui.screenshot('accounts-signup-owner');
    await page.getByRole('button', { name: 'Create the owner account' }).click();
    await page.getByTestId('owner-created').waitFor();
    expect(await page.getByText('No SMTP server is configured').isVisible()).toBe(true);
    await s.ui.screenshot('accounts-check-email');

    // No SMTP server: the confirmation link is in the owner's outbox.
    await page.getByRole('link', { name: 'outbox' }).click();
    await page.waitForURL('**/settings/outbox');
    await page.getByTestId('no-smtp').waitFor();
    const verify = await outboxLink(page, s.url, OWNER.email, 'Confirm your email for APIQ');
    expect(verify).toMatch(/^\/verify-email\?token=/);
    await s.ui.screenshot('accounts-outbox');
    await page.goto(s.url('/workflows'));
    await page.getByTestId('verify-email-banner').waitFor();
    await page.goto(s.url(verify));
    await page.getByTestId('email-verified').waitFor();
    await page.getByRole('link', { name: 'Continue to APIQ' }).click();
    await page.getByTestId('user-menu').waitFor();
    expect(await page.getByTestId('verify-email-banner').count()).toBe(0);
    expect(await page.getByTestId('user-menu').innerText()).toContain('Default · owner');

    await openUserMenuItem(page, 'Create workspace…');
    const dialog = page.getByRole('dialog', { name: 'Create a workspace' });
    await dialog.getByLabel('Workspace name').fill('Acme');
    await dialog.getByRole('button', { name: 'Create workspace' }).click();
    await page.waitForURL('**/workflows');
    await expect.poll(() => page.getByTestId('user-menu').innerText()).toContain('Acme · owner');
    await s.ui.screenshot('accounts-workspace-created');

    await page.goto(s.url('/settings/members'));
    await page.getByRole('heading', { name: 'Members', level: 1 }).waitFor();
    await page.getByLabel('Email', { exact: true }).fill(INVITEE.email);
    await page.getByLabel('Role', { exact: true }).selectOption('editor');
    await page.getByRole('button', { name: 'Send invitation' }).click();
    const pending = page.getByTestId('invitation-row').filter({ hasText: INVITEE.email });
    await pending.waitFor();
    expect(await pending.innerText()).toContain('editor');
    await s.ui.screenshot('accounts-members-invited');

    invitationPath = await outboxLink(page, s.url, INVITEE.email, 'invited to the Acme workspace');
    expect(invitationPath).toMatch(/^\/invitations\/[a-z2-7]{24}\.[a-z2-7]{24}$/);

    await openUserMenuItem(page, 'Sign out');
    await page.waitForURL('**/login');
    await page.getByRole('heading', { name: 'Sign in to APIQ' }).waitFor();
    // Signed out, the app sends every page to the sign-in page and back after.
    await page.goto(s.url('/runs'));
    await page.waitForURL('**/login?next=%2Fruns');
  });

  it('lets the invitee sign up from the invitation, confirm the email and join with the invited role', async () => {
    const { page } = s;
    await page.goto(s.url(invitationPath));
    await page.getByRole('heading', { name: 'Join Acme' }).waitFor();
    expect(await page.getByTestId('invitation-role').innerText()).toBe('editor');
    await s.ui.screenshot('accounts-invitation-signed-out');
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.waitForURL('**/signup?**');
    await page.getByRole('heading', { name: 'Create your APIQ account' }).waitFor();
    expect(await page.getByLabel('Email', { exact: true }).inputValue()).toBe(INVITEE.email);
    await page.getByLabel('Password', { exact: true }).fill(INVITEE.password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Check your email' }).waitFor();
    expect(await page.getByText('ask the owner of this APIQ for the link').isVisible()).toBe(true);

    // The owner passes on the confirmation link from the outbox (a second browser, signed in as the owner).
    const ownerContext = await s.ui.browser.newContext({ baseURL: s.app.baseUrl });
    let verify: string;
    try {
      const ownerPage = await ownerContext.newPage();
      await signIn(ownerPage, s.url, OWNER);
      verify = await outboxLink(ownerPage, s.url, INVITEE.email, 'Confirm your email for APIQ');
    } finally {
      await ownerContext.close();
    }

    await page.goto(s.url(verify));
    await page.getByTestId('email-verified').waitFor();
    await page.getByRole('link', { name: 'Continue where you left off' }).click();
    await page.waitForURL(`**${invitationPath}`);
    await page.getByRole('button', { name: 'Accept the invitation' }).click();
    await page.waitForURL('**/settings/members');
    await page.getByTestId('toast').filter({ hasText: 'You joined Acme as editor' }).waitFor();
    const me = page.getByTestId('member-row').filter({ hasText: INVITEE.email });
    await me.waitFor();
    expect(await me.getByTestId('member-role').innerText()).toBe('editor');
    expect(await page.getByTestId('member-row').filter({ hasText: OWNER.email }).innerText()).toContain('owner');
    expect(await page.getByTestId('user-menu').innerText()).toContain('Acme · editor');
    // Editors see members but not the admin sections.
    const sections = page.getByRole('navigation', { name: 'Settings sections' });
    expect(await sections.getByRole('link', { name: 'Audit log' }).count()).toBe(0);
    await s.ui.screenshot('accounts-invitee-joined');
  });

  it('signs in and out, and says so when the password is wrong', async () => {
    const { page } = s;
    s.ui.allowConsoleError(/status of 401/);
    await page.goto(s.url('/login'));
    await page.getByLabel('Email', { exact: true }).fill(INVITEE.email);
    await page.getByLabel('Password', { exact: true }).fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await page.getByTestId('login-error').innerText()).toContain('The email or password is wrong.');
    await s.ui.screenshot('accounts-login-wrong-password');

    await signIn(page, s.url, INVITEE);
    expect(await page.getByTestId('user-menu').innerText()).toContain(INVITEE.email);
    await openUserMenuItem(page, 'Sign out');
    await page.waitForURL('**/login');
    await page.goto(s.url('/settings/members'));
    await page.waitForURL('**/login?next=%2Fsettings%2Fmembers');
  });

  it("shows the owner the workspace's audit log (sign-ins, the invitation, the join) and exports it as CSV", async () => {
    const { page } = s;
    await signIn(page, s.url, OWNER);
    await openUserMenuItem(page, 'Acme');
    await expect.poll(() => page.getByTestId('user-menu').innerText()).toContain('Acme · owner');
    await page.goto(s.url('/settings/audit'));
    const rows = page.getByTestId('audit-row');
    await rows.first().waitFor();
    const actions = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-action')));
    expect(actions).toEqual(expect.arrayContaining(['user.signed_in', 'member.invited', 'member.joined']));
    expect(await rows.filter({ hasText: 'Invited a member' }).innerText()).toContain(`${INVITEE.email} as editor`);
    await s.ui.screenshot('accounts-audit-log');

    await page.getByLabel('Action').selectOption('member.joined');
    await expect
      .poll(() => rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-action'))))
      .toEqual(['member.joined']);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(() => rows.count()).toBeGreaterThan(3);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Export CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^apiq-audit-[0-9a-f-]{36}\.csv$/);
    const csv = await readFile((await download.path())!, 'utf8');
    expect(csv.split('\n')[0]).toBe('id,at,action,actor,actorUserId,targetType,targetId,ip,details');
    for (const action of ['workspace.created', 'member.invited', 'member.joined', 'user.signed_in'])
      expect(csv).toContain(`,${action},`);
  });
  it('lets the owner rename themselves, create an API token shown once, revoke it, and keep an IP allow-list', async () => {
    const { page } = s;
    s.ui.allowConsoleError(/status of 400/);
    await signIn(page, s.url, OWNER);
    await openUserMenuItem(page, 'Account settings');
    await page.waitForURL('**/settings/account');
    await page.getByLabel('Name', { exact: true }).fill('Ann O.');
    await page.getByRole('button', { name: 'Save name' }).click();
    await expect.poll(() => page.getByTestId('user-menu').innerText()).toContain('Ann O.');
    await s.ui.screenshot('accounts-settings-account');

    await page.goto(s.url('/settings/tokens'));
    await page.getByLabel('Name', { exact: true }).fill('CI deploy');
    await page.getByRole('checkbox', { name: /runs:write/ }).check();
    await page.getByLabel('Expires').selectOption('30');
    await page.getByRole('button', { name: 'Create token' }).click();
    const shown = page.getByTestId('new-token');
    await shown.waitFor();
    const token = await shown.getByLabel('The new token').innerText();
    expect(token).toMatch(/^apiq_[a-z2-7]{24}_[a-z2-7]{24}$/);
    await s.ui.screenshot('accounts-settings-token-created');
    // The token works for the API, limited to its workspace and scopes.
    const me = await fetch(s.url('/api/auth/me'), { headers: { authorization: `Bearer ${token}` } });
    expect(((await me.json()) as { user: { email: string } }).user.email).toBe(OWNER.email);
    await shown.getByRole('button', { name: 'Done' }).click();
    const row = page.getByTestId('token-row').filter({ hasText: 'CI deploy' });
    expect(await row.innerText()).toContain('runs:write');
    await row.getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke token' }).click();
    await expect.poll(() => page.getByTestId('token-row').count()).toBe(0);
    const revoked = await fetch(s.url('/api/auth/me'), { headers: { authorization: `Bearer ${token}` } });
    expect(((await revoked.json()) as { user: unknown }).user).toBeNull();

    await page.goto(s.url('/settings/security'));
    const box = page.getByLabel('Allowed addresses and ranges');
    await box.fill('10.0.0.0/8\n300.1.1.1');
    await page.getByRole('button', { name: 'Save allow-list' }).click();
    await page.getByText('"300.1.1.1" is not an IPv4 or IPv6 address or CIDR range').waitFor();
    await box.fill('10.0.0.0/8');
    await page.getByRole('button', { name: 'Save allow-list' }).click();
    await page.getByText('This list would lock you out').waitFor();
    await s.ui.screenshot('accounts-settings-security-refused');
    await page.getByRole('button', { name: 'Add my address' }).click();
    await page.getByRole('button', { name: 'Save allow-list' }).click();
    await page.getByTestId('toast').filter({ hasText: 'IP allow-list saved' }).waitFor();
    const saved = await authDb(s.app.db)
      .selectFrom('workspaces')
      .select('ip_allowlist')
      .where('id', '=', DEFAULT_WORKSPACE_ID)
      .executeTakeFirstOrThrow();
    expect(saved.ip_allowlist).toEqual(['10.0.0.0/8', '127.0.0.1']);
    // The app keeps working from the allowed address.
    await page.goto(s.url('/workflows'));
    await page.getByRole('heading', { name: 'Workflows', exact: true }).waitFor();

    await page.setViewportSize({ width: 1024, height: 700 });
    await page.goto(s.url('/settings/members'));
    await page.getByTestId('member-row').first().waitFor();
    await page.getByTestId('user-menu-button').click();
    await page.getByRole('menuitem', { name: 'Sign out' }).waitFor();
    await s.ui.screenshot('accounts-narrow-user-menu');
  });
});
