import { sql } from 'kysely';
import { z } from 'zod';
import { DEFAULT_WORKSPACE_ID } from '@apiq/db';
import { recordAudit } from './audit.ts';
import { consumeEmailToken, issueEmailToken } from './email-tokens.ts';
import { AuthError } from './errors.ts';
import type { Mailer } from './mailer.ts';
import { hashPassword, passwordProblem, verifyAgainstDummy, verifyPassword } from './passwords.ts';
import { hitRateLimit, peekRateLimit, resetRateLimit, type RateLimitRule } from './rate-limit.ts';
import type { AuthDb } from './schema.ts';
import { normalizeEmail } from './secrets.ts';
import { createSession, invalidateSession, invalidateUserSessions } from './sessions.ts';
import { insertAccount, withAccountLock } from './new-account.ts';

export interface AccountLimits {
  /** Sign-in attempts per IP address. */
  loginPerIp: RateLimitRule;
  /** Failed sign-ins per account before it is locked for the rest of the window. */
  failedLoginsPerAccount: RateLimitRule;
  /** Password reset requests per account and per IP. */
  resetPerAccount: RateLimitRule;
  resetPerIp: RateLimitRule;
}

export const DEFAULT_LIMITS: AccountLimits = {
  loginPerIp: { limit: 30, windowMs: 15 * 60_000 },
  failedLoginsPerAccount: { limit: 5, windowMs: 15 * 60_000 },
  resetPerAccount: { limit: 3, windowMs: 60 * 60_000 },
  resetPerIp: { limit: 10, windowMs: 60 * 60_000 },
};

export interface AccountsOptions {
  db: AuthDb;
  mailer: Mailer;
  /** Public URL of the editor, for links in emails, e.g. https://apiq.example.com */
  /** Or a function, when the address is only known once the server listens. */
  appUrl: string | (() => string);
  limits?: Partial<AccountLimits>;
}

export interface RequestMeta {
  ip?: string | undefined;
  userAgent?: string | undefined;
}

const emailSchema = z
  .string()
  .trim()
  .max(254, 'email is too long')
  .email('email must be an address like ann@example.com');

function parseEmail(email: string): string {
  const r = emailSchema.safeParse(email);
  if (!r.success) throw new AuthError('invalid_input', r.error.issues[0]!.message, { field: 'email' });
  return normalizeEmail(r.data);
}

function checkPassword(password: string, email: string, field = 'password'): void {
  const problem = passwordProblem(password, email);
  if (problem) throw new AuthError('invalid_input', problem, { field });
}

function limited(retryAfterSeconds: number, what: string): AuthError {
  return new AuthError('rate_limited', `Too many ${what}; try again in ${retryAfterSeconds} seconds.`, {
    retryAfterSeconds,
  });
}

/** Sign-up, email verification, sign-in and out, password reset and changes of password and email. */
export class Accounts {
  private readonly limits: AccountLimits;

  constructor(private readonly o: AccountsOptions) {
    this.limits = { ...DEFAULT_LIMITS, ...o.limits };
  }

  private link(path: string): string {
    return new URL(path, typeof this.o.appUrl === 'function' ? this.o.appUrl() : this.o.appUrl).toString();
  }

  /**
   * Creates an account and signs it in. The first account of an instance becomes the owner of
   * the default workspace (where everything made before accounts existed lives).
   */
  async signUp(
    input: { email: string; password: string; name?: string },
    meta: RequestMeta = {},
  ): Promise<{ userId: string; token: string; firstUser: boolean }> {
    const email = parseEmail(input.email);
    checkPassword(input.password, email);
    const name = (input.name ?? '').trim().slice(0, 200);
    const passwordHash = await hashPassword(input.password);
    const { userId, firstUser } = await withAccountLock(this.o.db, async (tx) => {
      const taken = await tx.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
      if (taken)
        throw new AuthError(
          'email_taken',
          'An account with this email already exists; sign in, or reset your password if you forgot it.',
          { field: 'email' },
        );
      return insertAccount(tx, { email, name, passwordHash, verified: false });
    });
    await recordAudit(this.o.db, {
      action: 'user.signed_up',
      actorUserId: userId,
      actorLabel: email,
      ip: meta.ip ?? null,
      ...(firstUser ? { workspaceId: DEFAULT_WORKSPACE_ID, details: { owner: true } } : {}),
    });
    await this.sendVerification(userId, email);
    const { token } = await createSession(this.o.db, userId, meta);
    return { userId, token, firstUser };
  }

  private async sendVerification(userId: string, email: string): Promise<void> {
    const token = await issueEmailToken(this.o.db, userId, 'verify_email');
    await this.o.mailer.send({
      to: email,
      subject: 'Confirm your email for APIQ',
      text: `Confirm your email address by opening this link (valid for 48 hours):\n\n${this.link(`/verify-email?token=${token}`)}\n\nIf you did not sign up, ignore this message.`,
    });
  }

  async resendVerification(userId: string): Promise<void> {
    const user = await this.o.db
      .selectFrom('users')
      .select(['email', 'email_verified_at'])
      .where('id', '=', userId)
      .executeTakeFirst();
    if (!user) throw new AuthError('not_found', 'No such account.');
    if (user.email_verified_at) return;
    const r = await hitRateLimit(this.o.db, `verify:user:${userId}`, this.limits.resetPerAccount);
    if (!r.allowed) throw limited(r.resetSeconds, 'verification emails');
    await this.sendVerification(userId, user.email);
  }

  async verifyEmail(token: string): Promise<{ userId: string }> {
    const used = await consumeEmailToken(this.o.db, token, 'verify_email');
    if (!used)
      throw new AuthError('invalid_token', 'This verification link is invalid, used or expired; request a new one.');
    await this.o.db
      .updateTable('users')
      .set({ email_verified_at: sql`coalesce(email_verified_at, now())`, updated_at: sql`now()` })
      .where('id', '=', used.userId)
      .execute();
    await recordAudit(this.o.db, { action: 'user.email_verified', actorUserId: used.userId });
    return { userId: used.userId };
  }

  /**
   * Signs in with email and password and starts a fresh session. Refuses with the same message
   * whether the email is unknown or the password wrong; locks an account after repeated failures
   * and an IP after many attempts (429 with Retry-After).
   */
  async signIn(
    input: { email: string; password: string },
    meta: RequestMeta = {},
  ): Promise<{ userId: string; token: string; sessionId: string }> {
    const email = normalizeEmail(String(input.email ?? ''));
    const ipKey = `login:ip:${meta.ip ?? 'unknown'}`;
    const accountKey = `login:fail:${email}`;
    const perIp = await hitRateLimit(this.o.db, ipKey, this.limits.loginPerIp);
    if (!perIp.allowed) throw limited(perIp.resetSeconds, 'sign-in attempts from your network');
    const perAccount = await peekRateLimit(this.o.db, accountKey, this.limits.failedLoginsPerAccount);
    if (!perAccount.allowed) {
      await recordAudit(this.o.db, {
        action: 'user.sign_in_failed',
        actorLabel: email,
        ip: meta.ip ?? null,
        details: { reason: 'locked' },
      });
      throw limited(perAccount.resetSeconds, 'failed sign-ins for this account');
    }
    const user = await this.o.db
      .selectFrom('users')
      .select(['id', 'password_hash'])
      .where('email', '=', email)
      .executeTakeFirst();
    const ok = user
      ? await verifyPassword(user.password_hash, String(input.password ?? ''))
      : await verifyAgainstDummy(String(input.password ?? ''));
    if (!user || !ok) {
      await hitRateLimit(this.o.db, accountKey, this.limits.failedLoginsPerAccount);
      await recordAudit(this.o.db, {
        action: 'user.sign_in_failed',
        actorUserId: user?.id ?? null,
        actorLabel: email,
        ip: meta.ip ?? null,
        details: { reason: user ? 'wrong_password' : 'unknown_email' },
      });
      throw new AuthError('invalid_credentials', 'The email or password is wrong.');
    }
    await resetRateLimit(this.o.db, accountKey);
    const session = await createSession(this.o.db, user.id, meta);
    await recordAudit(this.o.db, {
      action: 'user.signed_in',
      actorUserId: user.id,
      actorLabel: email,
      ip: meta.ip ?? null,
    });
    return { userId: user.id, token: session.token, sessionId: session.id };
  }

  async signOut(sessionId: string, userId: string, meta: RequestMeta = {}): Promise<void> {
    await invalidateSession(this.o.db, sessionId);
    await recordAudit(this.o.db, { action: 'user.signed_out', actorUserId: userId, ip: meta.ip ?? null });
  }

  /** Emails a reset link when the account exists; answers the same either way (no account discovery). */
  async requestPasswordReset(input: { email: string }, meta: RequestMeta = {}): Promise<void> {
    const email = normalizeEmail(String(input.email ?? ''));
    const perIp = await hitRateLimit(this.o.db, `reset:ip:${meta.ip ?? 'unknown'}`, this.limits.resetPerIp);
    if (!perIp.allowed) throw limited(perIp.resetSeconds, 'password reset requests from your network');
    const perAccount = await hitRateLimit(this.o.db, `reset:email:${email}`, this.limits.resetPerAccount);
    if (!perAccount.allowed) throw limited(perAccount.resetSeconds, 'password reset requests for this account');
    const user = await this.o.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
    if (!user) return;
    const token = await issueEmailToken(this.o.db, user.id, 'reset_password');
    await this.o.mailer.send({
      to: email,
      subject: 'Reset your APIQ password',
      text: `Choose a new password by opening this link (valid for 1 hour):\n\n${this.link(`/reset-password?token=${token}`)}\n\nIf you did not ask for this, ignore this message; your password stays the same.`,
    });
    await recordAudit(this.o.db, {
      action: 'user.password_reset_requested',
      actorUserId: user.id,
      actorLabel: email,
      ip: meta.ip ?? null,
    });
  }

  /** Sets a new password from an emailed link and signs the account out everywhere. */
  async resetPassword(input: { token: string; password: string }, meta: RequestMeta = {}): Promise<void> {
    const user = await this.userForToken(input.token, 'reset_password');
    checkPassword(input.password, user.email);
    await this.o.db
      .updateTable('users')
      .set({
        password_hash: await hashPassword(input.password),
        // Whoever can read the mailbox owns the address.
        email_verified_at: sql`coalesce(email_verified_at, now())`,
        updated_at: sql`now()`,
      })
      .where('id', '=', user.id)
      .execute();
    await invalidateUserSessions(this.o.db, user.id);
    await resetRateLimit(this.o.db, `login:fail:${user.email}`);
    await recordAudit(this.o.db, {
      action: 'user.password_reset',
      actorUserId: user.id,
      actorLabel: user.email,
      ip: meta.ip ?? null,
    });
  }

  private async userForToken(token: string, purpose: 'reset_password') {
    const used = await consumeEmailToken(this.o.db, String(token ?? ''), purpose);
    if (!used)
      throw new AuthError('invalid_token', 'This password reset link is invalid, used or expired; request a new one.');
    return this.o.db
      .selectFrom('users')
      .select(['id', 'email'])
      .where('id', '=', used.userId)
      .executeTakeFirstOrThrow();
  }

  /** Changes the password (the current one is required) and signs out every other session. */
  async changePassword(
    input: { userId: string; sessionId: string; currentPassword: string; newPassword: string },
    meta: RequestMeta = {},
  ): Promise<void> {
    const user = await this.o.db
      .selectFrom('users')
      .select(['email', 'password_hash'])
      .where('id', '=', input.userId)
      .executeTakeFirstOrThrow();
    if (!(await verifyPassword(user.password_hash, input.currentPassword)))
      throw new AuthError('invalid_credentials', 'The current password is wrong.', { field: 'currentPassword' });
    checkPassword(input.newPassword, user.email, 'newPassword');
    await this.o.db
      .updateTable('users')
      .set({ password_hash: await hashPassword(input.newPassword), updated_at: sql`now()` })
      .where('id', '=', input.userId)
      .execute();
    await invalidateUserSessions(this.o.db, input.userId, input.sessionId);
    await recordAudit(this.o.db, {
      action: 'user.password_changed',
      actorUserId: input.userId,
      actorLabel: user.email,
      ip: meta.ip ?? null,
    });
  }

  /** Sends a confirmation link to the new address; the email changes once it is opened. */
  async requestEmailChange(input: { userId: string; password: string; newEmail: string }): Promise<void> {
    const newEmail = parseEmail(input.newEmail);
    const user = await this.o.db
      .selectFrom('users')
      .select(['email', 'password_hash'])
      .where('id', '=', input.userId)
      .executeTakeFirstOrThrow();
    if (!(await verifyPassword(user.password_hash, input.password)))
      throw new AuthError('invalid_credentials', 'The password is wrong.', { field: 'password' });
    if (newEmail === user.email)
      throw new AuthError('invalid_input', 'That is already your email.', { field: 'newEmail' });
    const taken = await this.o.db.selectFrom('users').select('id').where('email', '=', newEmail).executeTakeFirst();
    if (taken) throw new AuthError('email_taken', 'Another account uses this email.', { field: 'newEmail' });
    const token = await issueEmailToken(this.o.db, input.userId, 'change_email', newEmail);
    await this.o.mailer.send({
      to: newEmail,
      subject: 'Confirm your new email for APIQ',
      text: `Confirm that this is your new APIQ email address (valid for 24 hours):\n\n${this.link(`/confirm-email?token=${token}`)}`,
    });
  }

  async confirmEmailChange(token: string): Promise<{ userId: string; email: string }> {
    const used = await consumeEmailToken(this.o.db, token, 'change_email');
    if (!used?.newEmail)
      throw new AuthError(
        'invalid_token',
        'This confirmation link is invalid, used or expired; start the change again.',
      );
    const previous = await this.o.db
      .selectFrom('users')
      .select('email')
      .where('id', '=', used.userId)
      .executeTakeFirstOrThrow();
    try {
      await this.o.db
        .updateTable('users')
        .set({ email: used.newEmail, email_verified_at: sql`now()`, updated_at: sql`now()` })
        .where('id', '=', used.userId)
        .execute();
    } catch (err) {
      if ((err as { code?: string }).code === '23505')
        throw new AuthError('email_taken', 'Another account took this email in the meantime.');
      throw err;
    }
    await recordAudit(this.o.db, {
      action: 'user.email_changed',
      actorUserId: used.userId,
      actorLabel: used.newEmail,
      details: { from: previous.email, to: used.newEmail },
    });
    return { userId: used.userId, email: used.newEmail };
  }
}
