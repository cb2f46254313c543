import { describe, expect, it } from 'vitest';
import { afterSignIn, guardRedirect, isAuthPage } from './auth-guard.ts';
import { safeReturnPath } from './return-to.ts';
import { auditActionLabel, auditDetailSummary } from './audit-actions.ts';
import { AuthRequestError, formErrors } from './auth-api.ts';

const signedOut = { user: null, setupRequired: false, emailDelivery: 'outbox' } as const;
const url = (path: string) => new URL(path, 'http://apiq.test');

describe('the sign-in guard', () => {
  it('sends signed-out visitors to the sign-in page and back, once accounts exist', () => {
    expect(guardRedirect(signedOut, url('/runs?status=failed'))).toBe('/login?next=%2Fruns%3Fstatus%3Dfailed');
    expect(guardRedirect(signedOut, url('/'))).toBe('/login');
    expect(afterSignIn(url('/login?next=%2Fruns%3Fstatus%3Dfailed'))).toBe('/runs?status=failed');
  });

  it('leaves the account pages, an open instance and an unknown session alone', () => {
    for (const path of ['/login', '/signup', '/verify-email?token=x', '/invitations/a.b', '/reset-password'])
      expect(guardRedirect(signedOut, url(path))).toBeUndefined();
    expect(guardRedirect({ ...signedOut, setupRequired: true }, url('/workflows'))).toBeUndefined();
    expect(guardRedirect(undefined, url('/workflows'))).toBeUndefined();
    expect(isAuthPage('/loginx')).toBe(false);
    expect(isAuthPage('/invitations')).toBe(false);
  });

  it('never returns to another site after signing in', () => {
    for (const next of ['//evil.example', 'https://evil.example', '/\\evil.example', 'evil'])
      expect(afterSignIn(url(`/login?next=${encodeURIComponent(next)}`))).toBe('/');
    expect(safeReturnPath('/invitations/abc.def')).toBe('/invitations/abc.def');
  });
});

describe('account helpers', () => {
  it('puts a refused field under that field and anything else on the form', () => {
    const err = new AuthRequestError('email: must be an address like ann@example.com', 400, 'invalid_input', 'email');
    expect(formErrors(err, ['email', 'password'])).toEqual({
      fields: { email: 'Must be an address like ann@example.com' },
    });
    expect(formErrors(new AuthRequestError('Too many', 429, 'rate_limited'), ['email'])).toEqual({
      fields: {},
      form: 'Too many',
    });
  });

  it('words audit entries', () => {
    expect(auditActionLabel('member.joined')).toBe('Joined the workspace');
    expect(auditActionLabel('something.new')).toBe('something.new');
    expect(auditDetailSummary({ email: 'bob@example.com', role: 'editor' })).toBe('bob@example.com as editor');
    expect(auditDetailSummary({ setting: 'ip_allowlist', from: [], to: ['10.0.0.0/8'] })).toBe(
      'ip_allowlist: none → 10.0.0.0/8',
    );
  });
});
