import { describe, expect, it } from 'vitest';
import { canAssign } from './roles.ts';
import { settingsSections } from './settings-sections.ts';
import { expiryDate } from './token-scopes.ts';
import type { SignedIn, WorkspaceSummary } from './types.ts';

const me = (instanceOwner: boolean): SignedIn => ({
  user: { id: 'u1', email: 'ann@example.com', name: 'Ann', emailVerified: true },
  via: 'session',
  workspaces: [],
  instanceOwner,
  setupRequired: false,
  emailDelivery: 'outbox',
});
const ws = (role: WorkspaceSummary['role']): WorkspaceSummary => ({ id: 'w1', name: 'Ops', slug: 'ops', role });
const hrefs = (groups: ReturnType<typeof settingsSections>) => groups.flatMap((g) => g.links.map((l) => l.href));

describe('settingsSections', () => {
  it('shows admin sections to admins and the outbox to the instance owner only', () => {
    expect(hrefs(settingsSections(me(true), ws('admin')))).toEqual([
      '/settings/account',
      '/settings/tokens',
      '/settings/members',
      '/settings/security',
      '/settings/audit',
      '/settings',
      '/settings/outbox',
    ]);
    expect(hrefs(settingsSections(me(false), ws('editor')))).toEqual([
      '/settings/account',
      '/settings/tokens',
      '/settings/members',
      '/settings',
    ]);
    expect(settingsSections(undefined, undefined)).toEqual([]);
  });
});

describe('role and token helpers', () => {
  it('lets only owners manage owners, and admins everyone else', () => {
    expect(canAssign('owner', 'owner')).toBe(true);
    expect(canAssign('admin', 'owner')).toBe(false);
    expect(canAssign('admin', 'viewer')).toBe(true);
    expect(canAssign('editor', 'viewer')).toBe(false);
  });

  it('dates a token expiry in days from now, or never', () => {
    expect(expiryDate(30, Date.parse('2026-01-01T00:00:00Z'))).toBe('2026-01-31T00:00:00.000Z');
    expect(expiryDate(null)).toBeUndefined();
  });
});
