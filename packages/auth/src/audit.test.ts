import { DEFAULT_WORKSPACE_ID } from '@apiq/db';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditToCsv, queryAudit, recordAudit } from './audit.ts';
import { authFixture, type AuthFixture } from './testing/fixture.ts';

describe('audit log', () => {
  let f: AuthFixture;
  beforeEach(async () => {
    f = await authFixture();
  });
  afterEach(() => f.drop());

  it('is append-only', async () => {
    await recordAudit(f.db, { action: 'settings.changed', workspaceId: DEFAULT_WORKSPACE_ID, actorLabel: 'ann' });
    await expect(sql`update audit_log set action = 'x'`.execute(f.db)).rejects.toThrow('append-only');
    await expect(sql`delete from audit_log`.execute(f.db)).rejects.toThrow('append-only');
  });

  it('filters by action and time and exports CSV safe for spreadsheets', async () => {
    await recordAudit(f.db, { action: 'credential.created', workspaceId: DEFAULT_WORKSPACE_ID, actorLabel: '=cmd()' });
    await recordAudit(f.db, {
      action: 'settings.changed',
      workspaceId: DEFAULT_WORKSPACE_ID,
      actorLabel: 'ann',
      details: { note: 'a, "quoted"' },
    });
    const only = await queryAudit(f.db, { workspaceId: DEFAULT_WORKSPACE_ID, actions: ['credential.created'] });
    expect(only.map((r) => r.action)).toEqual(['credential.created']);
    const none = await queryAudit(f.db, { workspaceId: DEFAULT_WORKSPACE_ID, from: new Date(Date.now() + 60_000) });
    expect(none).toEqual([]);
    const csv = auditToCsv(await queryAudit(f.db, { workspaceId: DEFAULT_WORKSPACE_ID }));
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe('id,at,action,actor,actorUserId,targetType,targetId,ip,details');
    expect(lines[1]).toContain(",credential.created,'=cmd(),");
    expect(lines[2]).toContain('"{""note"":""a, \\""quoted\\""""}"');
  });
  it('names the acting account by its email when the entry gives no label', async () => {
    const { userId } = await f.signUpVerified('ann@example.com');
    await recordAudit(f.db, { action: 'user.signed_out', workspaceId: DEFAULT_WORKSPACE_ID, actorUserId: userId });
    const [entry] = await queryAudit(f.db, { workspaceId: DEFAULT_WORKSPACE_ID, actions: ['user.signed_out'] });
    expect(entry?.actor).toBe('ann@example.com');
  });
});
