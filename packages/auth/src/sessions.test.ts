import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashSecret } from './secrets.ts';
import {
  clearedSessionCookie,
  createSession,
  invalidateSession,
  readCookie,
  sessionCookie,
  validateSessionToken,
} from './sessions.ts';
import { authFixture, PASSWORD, type AuthFixture } from './testing/fixture.ts';

describe('sessions', () => {
  let f: AuthFixture;
  let userId: string;
  beforeEach(async () => {
    f = await authFixture();
    ({ userId } = await f.accounts.signUp({ email: 'ann@example.com', password: PASSWORD }));
  });
  afterEach(() => f.drop());

  it('stores only the SHA-256 of the secret', async () => {
    const { token, id } = await createSession(f.db, userId);
    const row = await f.db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const secret = token.split('.')[1]!;
    expect(Buffer.from(row.secret_hash).equals(Buffer.from(hashSecret(secret)))).toBe(true);
    expect(JSON.stringify(row)).not.toContain(secret);
  });

  it('refuses a forged secret for a real session id', async () => {
    const { id } = await createSession(f.db, userId);
    expect(await validateSessionToken(f.db, `${id}.${'a'.repeat(24)}`)).toBeUndefined();
    expect(await validateSessionToken(f.db, 'garbage')).toBeUndefined();
  });

  it('expires a session after the inactivity timeout and deletes it', async () => {
    const { token, id } = await createSession(f.db, userId);
    await sql`update sessions set last_active_at = now() - interval '2 hours' where id = ${id}`.execute(f.db);
    expect(await validateSessionToken(f.db, token, { inactivityMs: 3_600_000 })).toBeUndefined();
    expect(await f.db.selectFrom('sessions').select('id').where('id', '=', id).execute()).toEqual([]);
  });

  it('slides the inactivity window when used', async () => {
    const { token, id } = await createSession(f.db, userId);
    await sql`update sessions set last_active_at = now() - interval '2 hours' where id = ${id}`.execute(f.db);
    const valid = await validateSessionToken(f.db, token, { inactivityMs: 3 * 3_600_000, touchEveryMs: 60_000 });
    expect(Date.now() - valid!.session.lastActiveAt.getTime()).toBeLessThan(60_000);
  });

  it('is gone after logout', async () => {
    const { token, id } = await createSession(f.db, userId);
    await invalidateSession(f.db, id);
    expect(await validateSessionToken(f.db, token)).toBeUndefined();
  });

  it('sets HttpOnly SameSite=Lax cookies, Secure over https', () => {
    expect(sessionCookie('a.b', { secure: true })).toMatch(
      /^apiq_session=a\.b; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+; Secure$/,
    );
    expect(sessionCookie('a.b', { secure: false })).not.toContain('Secure');
    expect(clearedSessionCookie({ secure: false })).toContain('Max-Age=0');
    expect(readCookie('x=1; apiq_session=tok.en; y=2', 'apiq_session')).toBe('tok.en');
  });
});
