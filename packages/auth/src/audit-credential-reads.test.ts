import { DEFAULT_WORKSPACE_ID } from '@apiq/db';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditCredentialReads } from './audit-credential-reads.ts';
import { queryAudit } from './audit.ts';
import { authFixture, type AuthFixture } from './testing/fixture.ts';

describe('auditCredentialReads', () => {
  let f: AuthFixture;
  beforeEach(async () => {
    f = await authFixture();
  });
  afterEach(() => f.drop());

  it('records one entry per connection a step decrypts, without the values', async () => {
    const resolve = auditCredentialReads(async () => ({ slack: { botToken: 'xoxb-secret-value' } }), f.db);
    expect(await resolve(DEFAULT_WORKSPACE_ID, { slack: 'c0ffee00-0000-4000-8000-000000000001' })).toEqual({
      slack: { botToken: 'xoxb-secret-value' },
    });
    const entries = await queryAudit(f.db, { workspaceId: DEFAULT_WORKSPACE_ID, actions: ['credential.read_by_run'] });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ targetId: 'c0ffee00-0000-4000-8000-000000000001', details: { kind: 'slack' } });
    expect(JSON.stringify(entries)).not.toContain('xoxb-secret-value');
  });

  it('records nothing when the resolver refuses', async () => {
    const resolve = auditCredentialReads(async () => {
      throw new Error('deleted');
    }, f.db);
    await expect(resolve(DEFAULT_WORKSPACE_ID, { slack: 'x' })).rejects.toThrow('deleted');
    expect(await queryAudit(f.db, { workspaceId: DEFAULT_WORKSPACE_ID })).toEqual([]);
  });
});
