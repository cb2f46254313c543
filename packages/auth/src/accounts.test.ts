import { DEFAULT_WORKSPACE_ID } from '@apiq/db';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuthError } from './errors.ts';
import { validateSessionToken } from './sessions.ts';
import { authFixture, PASSWORD, type AuthFixture } from './testing/fixture.ts';
import { roleIn } from './workspaces.ts';

async function rejection(p: Promise<unknown>): Promise<AuthError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AuthError) return err;
    throw err;
  }
  throw new Error('expected the call to be refused');
}

describe('accounts', () => {
  let f: AuthFixture;
  beforeEach(async () => {
    f = await authFixture({ failedLoginsPerAccount: { limit: 3, windowMs: 60_000 } });
  });
  afterEach(() => f.drop());

  it('makes the first account the owner of the default workspace, and only the first', async () => {
    const first = await f.accounts.signUp({ email: ' Ann@Example.com ', password: PASSWORD });
    const second = await f.accounts.signUp({ email: 'bob@example.com', password: PASSWORD });
    expect(first.firstUser).toBe(true);
    expect(second.firstUser).toBe(false);
    expect(await roleIn(f.db, first.userId, DEFAULT_WORKSPACE_ID)).toBe('owner');
    expect(await roleIn(f.db, second.userId, DEFAULT_WORKSPACE_ID)).toBeUndefined();
    const user = await f.db
      .selectFrom('users')
      .select('email')
      .where('id', '=', first.userId)
      .executeTakeFirstOrThrow();
    expect(user.email).toBe('ann@example.com');
  });

  it('refuses bad input with the field that is wrong, writing nothing', async () => {
    const badEmail = await rejection(f.accounts.signUp({ email: 'not-an-email', password: PASSWORD }));
    expect(badEmail.details.field).toBe('email');
    const short = await rejection(f.accounts.signUp({ email: 'ann@example.com', password: 'short' }));
    expect([short.code, short.details.field]).toEqual(['invalid_input', 'password']);
    expect(short.message).toContain('at least 10 characters');
    expect(await f.db.selectFrom('users').select('id').execute()).toEqual([]);
    await f.accounts.signUp({ email: 'ann@example.com', password: PASSWORD });
    const taken = await rejection(f.accounts.signUp({ email: 'ANN@example.com', password: PASSWORD }));
    expect([taken.code, taken.status]).toEqual(['email_taken', 409]);
  });

  it('verifies the email with the mailed link, once', async () => {
    const { userId } = await f.accounts.signUp({ email: 'ann@example.com', password: PASSWORD });
    const mail = await f.lastEmailTo('ann@example.com');
    expect(mail.subject).toContain('Confirm your email');
    const token = await f.linkToken('ann@example.com', '/verify-email?token=');
    await f.accounts.verifyEmail(token);
    const user = await f.db
      .selectFrom('users')
      .select('email_verified_at')
      .where('id', '=', userId)
      .executeTakeFirstOrThrow();
    expect(user.email_verified_at).toBeInstanceOf(Date);
    expect((await rejection(f.accounts.verifyEmail(token))).code).toBe('invalid_token');
    expect((await rejection(f.accounts.verifyEmail(`${token.split('.')[0]}.aaaaaaaaaaaaaaaaaaaaaaaa`))).code).toBe(
      'invalid_token',
    );
  });

  it('starts a new session on every sign-in and refuses wrong passwords and unknown emails alike', async () => {
    const signup = await f.accounts.signUp({ email: 'ann@example.com', password: PASSWORD });
    const a = await f.accounts.signIn({ email: 'ann@example.com', password: PASSWORD }, { ip: '203.0.113.1' });
    const b = await f.accounts.signIn({ email: 'ann@example.com', password: PASSWORD }, { ip: '203.0.113.1' });
    expect(new Set([signup.token, a.token, b.token]).size).toBe(3);
    expect((await validateSessionToken(f.db, a.token))?.user.email).toBe('ann@example.com');
    const wrong = await rejection(f.accounts.signIn({ email: 'ann@example.com', password: 'wrong password!' }));
    const unknown = await rejection(f.accounts.signIn({ email: 'nobody@example.com', password: PASSWORD }));
    expect(wrong.message).toBe(unknown.message);
    expect(wrong.status).toBe(401);
  });

  it('locks an account after repeated failures, even for the right password, with Retry-After', async () => {
    await f.accounts.signUp({ email: 'ann@example.com', password: PASSWORD });
    for (let i = 0; i < 3; i++)
      expect((await rejection(f.accounts.signIn({ email: 'ann@example.com', password: `wrong-${i}-pass` }))).code).toBe(
        'invalid_credentials',
      );
    const locked = await rejection(f.accounts.signIn({ email: 'ann@example.com', password: PASSWORD }));
    expect([locked.code, locked.status]).toEqual(['rate_limited', 429]);
    expect(locked.details.retryAfterSeconds).toBeGreaterThan(0);
    const audit = await f.db
      .selectFrom('audit_log')
      .select(['action', 'details'])
      .where('action', '=', 'user.sign_in_failed')
      .execute();
    expect(audit.map((a) => a.details.reason)).toEqual([
      'wrong_password',
      'wrong_password',
      'wrong_password',
      'locked',
    ]);
  });

  it('resets a password by emailed link, signing out every session, and the link works once', async () => {
    const { token: oldSession } = await f.accounts.signUp({ email: 'ann@example.com', password: PASSWORD });
    await f.accounts.requestPasswordReset({ email: 'ann@example.com' });
    await f.accounts.requestPasswordReset({ email: 'nobody@example.com' });
    expect(
      await f.db.selectFrom('email_outbox').select('id').where('to_address', '=', 'nobody@example.com').execute(),
    ).toEqual([]);
    const link = await f.linkToken('ann@example.com', '/reset-password?token=');
    await f.accounts.resetPassword({ token: link, password: 'a brand new secret' });
    expect(await validateSessionToken(f.db, oldSession)).toBeUndefined();
    expect((await rejection(f.accounts.signIn({ email: 'ann@example.com', password: PASSWORD }))).code).toBe(
      'invalid_credentials',
    );
    await f.accounts.signIn({ email: 'ann@example.com', password: 'a brand new secret' });
    expect((await rejection(f.accounts.resetPassword({ token: link, password: 'another new secret' }))).code).toBe(
      'invalid_token',
    );
  });

  it('rate-limits password reset requests per account', async () => {
    await f.accounts.signUp({ email: 'ann@example.com', password: PASSWORD });
    for (let i = 0; i < 3; i++) await f.accounts.requestPasswordReset({ email: 'ann@example.com' });
    const r = await rejection(f.accounts.requestPasswordReset({ email: 'ann@example.com' }));
    expect(r.status).toBe(429);
  });

  it('changes the password keeping only the current session', async () => {
    const { userId, token: other } = await f.accounts.signUp({ email: 'ann@example.com', password: PASSWORD });
    const current = await f.accounts.signIn({ email: 'ann@example.com', password: PASSWORD });
    const wrong = await rejection(
      f.accounts.changePassword({
        userId,
        sessionId: current.sessionId,
        currentPassword: 'nope nope nope',
        newPassword: 'x',
      }),
    );
    expect(wrong.details.field).toBe('currentPassword');
    await f.accounts.changePassword({
      userId,
      sessionId: current.sessionId,
      currentPassword: PASSWORD,
      newPassword: 'a brand new secret',
    });
    expect(await validateSessionToken(f.db, other)).toBeUndefined();
    expect(await validateSessionToken(f.db, current.token)).toBeDefined();
  });

  it('changes the email only after the new address confirms it', async () => {
    const { userId } = await f.accounts.signUp({ email: 'ann@example.com', password: PASSWORD });
    await f.accounts.requestEmailChange({ userId, password: PASSWORD, newEmail: 'ann@new.example' });
    const before = await f.db.selectFrom('users').select('email').where('id', '=', userId).executeTakeFirstOrThrow();
    expect(before.email).toBe('ann@example.com');
    await f.accounts.confirmEmailChange(await f.linkToken('ann@new.example', '/confirm-email?token='));
    const after = await f.db.selectFrom('users').select('email').where('id', '=', userId).executeTakeFirstOrThrow();
    expect(after.email).toBe('ann@new.example');
  });
});
