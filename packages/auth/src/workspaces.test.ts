import { DEFAULT_WORKSPACE_ID } from '@apiq/db';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuthError } from './errors.ts';
import { authFixture, PASSWORD, type AuthFixture } from './testing/fixture.ts';
import {
  acceptInvitation,
  changeRole,
  createWorkspace,
  inviteMember,
  listMembers,
  listWorkspaces,
  removeMember,
  roleIn,
} from './workspaces.ts';
import { createMailer } from './mailer.ts';
import { APP_URL } from './testing/fixture.ts';

async function refused(p: Promise<unknown>): Promise<AuthError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AuthError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('workspaces, invitations and roles', () => {
  let f: AuthFixture;
  let owner: { userId: string; label: string };
  beforeEach(async () => {
    f = await authFixture();
    owner = { userId: (await f.signUpVerified('owner@example.com')).userId, label: 'owner@example.com' };
  });
  afterEach(() => f.drop());

  const mailer = () => createMailer({ db: f.db, log: () => undefined });

  it('invites by email; only the invited, verified account can accept, once', async () => {
    await inviteMember(f.db, mailer(), APP_URL, owner, {
      workspaceId: DEFAULT_WORKSPACE_ID,
      email: 'Eve@Example.com',
      role: 'editor',
    });
    const token = await f.linkToken('eve@example.com', '/invitations/');
    const mallory = { userId: (await f.signUpVerified('mallory@example.com')).userId, label: 'mallory' };
    expect((await refused(acceptInvitation(f.db, mallory, token))).code).toBe('forbidden');
    const eveSignup = await f.accounts.signUp({ email: 'eve@example.com', password: PASSWORD });
    const eve = { userId: eveSignup.userId, label: 'eve' };
    expect((await refused(acceptInvitation(f.db, eve, token))).code).toBe('not_verified');
    await f.accounts.verifyEmail(await f.linkToken('eve@example.com', '/verify-email?token='));
    const ws = await acceptInvitation(f.db, eve, token);
    expect(ws).toMatchObject({ id: DEFAULT_WORKSPACE_ID, role: 'editor' });
    expect((await refused(acceptInvitation(f.db, eve, token))).code).toBe('invalid_token');
    expect((await listMembers(f.db, owner, DEFAULT_WORKSPACE_ID)).map((m) => [m.email, m.role])).toEqual([
      ['owner@example.com', 'owner'],
      ['eve@example.com', 'editor'],
    ]);
  });

  it('lets editors not invite, admins not create owners, and keeps a last owner', async () => {
    const ed = { userId: (await f.signUpVerified('ed@example.com')).userId, label: 'ed' };
    const ad = { userId: (await f.signUpVerified('ad@example.com')).userId, label: 'ad' };
    await f.db
      .insertInto('memberships')
      .values([
        { workspace_id: DEFAULT_WORKSPACE_ID, user_id: ed.userId, role: 'editor' },
        { workspace_id: DEFAULT_WORKSPACE_ID, user_id: ad.userId, role: 'admin' },
      ])
      .execute();
    const byEditor = await refused(
      inviteMember(f.db, mailer(), APP_URL, ed, {
        workspaceId: DEFAULT_WORKSPACE_ID,
        email: 'x@example.com',
        role: 'viewer',
      }),
    );
    expect(byEditor.code).toBe('forbidden');
    expect(
      (await refused(changeRole(f.db, ad, { workspaceId: DEFAULT_WORKSPACE_ID, userId: ed.userId, role: 'owner' })))
        .code,
    ).toBe('forbidden');
    await changeRole(f.db, ad, { workspaceId: DEFAULT_WORKSPACE_ID, userId: ed.userId, role: 'viewer' });
    expect(await roleIn(f.db, ed.userId, DEFAULT_WORKSPACE_ID)).toBe('viewer');
    const demoteSelf = await refused(
      changeRole(f.db, owner, { workspaceId: DEFAULT_WORKSPACE_ID, userId: owner.userId, role: 'admin' }),
    );
    expect(demoteSelf.code).toBe('conflict');
    expect(
      (await refused(removeMember(f.db, owner, { workspaceId: DEFAULT_WORKSPACE_ID, userId: owner.userId }))).code,
    ).toBe('conflict');
    await removeMember(f.db, ad, { workspaceId: DEFAULT_WORKSPACE_ID, userId: ed.userId });
    expect(await roleIn(f.db, ed.userId, DEFAULT_WORKSPACE_ID)).toBeUndefined();
    const actions = await f.db.selectFrom('audit_log').select('action').orderBy('id').execute();
    expect(actions.map((a) => a.action)).toContain('member.role_changed');
    expect(actions.map((a) => a.action)).toContain('member.removed');
  });

  it('hides other workspaces from non-members', async () => {
    const other = { userId: (await f.signUpVerified('other@example.com')).userId, label: 'other' };
    const theirs = await createWorkspace(f.db, other, 'Other team');
    expect(theirs.slug).toBe('other-team');
    expect((await refused(listMembers(f.db, owner, theirs.id))).code).toBe('not_found');
    expect((await listWorkspaces(f.db, other.userId)).map((w) => w.name)).toEqual(['Other team']);
    expect((await createWorkspace(f.db, other, 'Other team')).slug).toBe('other-team-2');
  });
});
