import { DEFAULT_WORKSPACE_ID } from '@apiq/db';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { authenticateApiToken, createApiToken, revokeApiToken } from './api-tokens.ts';
import { authenticate, authorize } from './caller.ts';
import { AuthError } from './errors.ts';
import { authFixture, type AuthFixture } from './testing/fixture.ts';

describe('personal API tokens', () => {
  let f: AuthFixture;
  let owner: { userId: string; label: string };
  beforeEach(async () => {
    f = await authFixture();
    owner = { userId: (await f.signUpVerified('owner@example.com')).userId, label: 'owner' };
  });
  afterEach(() => f.drop());

  it('is shown once, stored hashed, and acts only within its scopes', async () => {
    const { token } = await createApiToken(f.db, owner, {
      workspaceId: DEFAULT_WORKSPACE_ID,
      name: 'ci',
      scopes: ['runs:read'],
    });
    expect(token).toMatch(/^apiq_[a-z2-7]{24}_[a-z2-7]{24}$/);
    const rows = await sql`select * from api_tokens`.execute(f.db);
    expect(JSON.stringify(rows.rows)).not.toContain(token.split('_')[2]);
    const caller = await authenticate(f.db, { authorization: `Bearer ${token}` });
    expect(caller?.kind).toBe('token');
    expect(await authorize(f.db, caller, DEFAULT_WORKSPACE_ID, 'run.read')).toBe('owner');
    await expect(authorize(f.db, caller, DEFAULT_WORKSPACE_ID, 'workflow.write')).rejects.toMatchObject({
      code: 'forbidden',
    });
  });

  it('stops working when revoked or expired', async () => {
    const a = await createApiToken(f.db, owner, { workspaceId: DEFAULT_WORKSPACE_ID, name: 'a', scopes: ['admin'] });
    await revokeApiToken(f.db, owner, a.info.id);
    expect(await authenticateApiToken(f.db, a.token)).toBeUndefined();
    const b = await createApiToken(f.db, owner, { workspaceId: DEFAULT_WORKSPACE_ID, name: 'b', scopes: ['admin'] });
    await sql`update api_tokens set expires_at = now() - interval '1 second' where id = ${b.info.id}`.execute(f.db);
    expect(await authenticateApiToken(f.db, b.token)).toBeUndefined();
  });

  it('refuses unknown scopes naming the known ones', async () => {
    const err = await createApiToken(f.db, owner, {
      workspaceId: DEFAULT_WORKSPACE_ID,
      name: 'x',
      scopes: ['everything'],
    }).catch((e: AuthError) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).message).toContain('unknown scope everything; known scopes: workflows:read');
  });

  it('loses access when its owner leaves the workspace', async () => {
    const ed = { userId: (await f.signUpVerified('ed@example.com')).userId, label: 'ed' };
    await f.db
      .insertInto('memberships')
      .values({ workspace_id: DEFAULT_WORKSPACE_ID, user_id: ed.userId, role: 'editor' })
      .execute();
    const { token } = await createApiToken(f.db, ed, {
      workspaceId: DEFAULT_WORKSPACE_ID,
      name: 'e',
      scopes: ['workflows:read'],
    });
    const caller = await authenticate(f.db, { authorization: `Bearer ${token}` });
    await f.db.deleteFrom('memberships').where('user_id', '=', ed.userId).execute();
    await expect(authorize(f.db, caller, DEFAULT_WORKSPACE_ID, 'workflow.read')).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});
