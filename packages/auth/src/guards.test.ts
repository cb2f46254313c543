import { describe, expect, it } from 'vitest';
import { originAllowed, securityHeaders } from './http-guards.ts';
import { cidrProblem, ipAllowed } from './ip-allowlist.ts';
import { canAssignRole, POLICY, roleAllows, scopesAllow } from './policy.ts';

describe('origin check', () => {
  it('refuses cookie-authenticated state changes from a foreign or missing Origin', () => {
    const base = { method: 'POST', host: 'apiq.example.com', cookie: 'apiq_session=x' };
    expect(originAllowed({ ...base, origin: 'https://apiq.example.com' })).toBe(true);
    expect(originAllowed({ ...base, origin: 'https://evil.example' })).toBe(false);
    expect(originAllowed({ ...base })).toBe(false);
    expect(originAllowed({ ...base, origin: 'null' })).toBe(false);
    expect(originAllowed({ ...base, method: 'GET', origin: 'https://evil.example' })).toBe(true);
    expect(originAllowed({ method: 'POST', host: 'h', authorization: 'Bearer apiq_x' })).toBe(true);
    expect(originAllowed({ ...base, origin: 'https://apiq.public', trustedOrigins: ['https://apiq.public/'] })).toBe(
      true,
    );
  });

  it('adds HSTS only over https', () => {
    expect(securityHeaders({ https: false })['Strict-Transport-Security']).toBeUndefined();
    expect(securityHeaders({ https: true })['Strict-Transport-Security']).toContain('max-age=');
  });
});

describe('IP allow-list', () => {
  it('matches IPv4 and IPv6 ranges, including IPv4-mapped addresses', () => {
    const list = ['203.0.113.0/24', '2001:db8::/32', '198.51.100.7'];
    expect(ipAllowed('203.0.113.99', list)).toBe(true);
    expect(ipAllowed('::ffff:203.0.113.5', list)).toBe(true);
    expect(ipAllowed('2001:db8:1::5', list)).toBe(true);
    expect(ipAllowed('198.51.100.7', list)).toBe(true);
    expect(ipAllowed('198.51.100.8', list)).toBe(false);
    expect(ipAllowed('2001:db9::1', list)).toBe(false);
    expect(ipAllowed('not-an-ip', list)).toBe(false);
    expect(ipAllowed('192.0.2.1', [])).toBe(true);
  });

  it('explains a bad entry', () => {
    expect(cidrProblem('10.0.0.0/8')).toBeUndefined();
    expect(cidrProblem('10.0.0.0/33')).toContain('not an IPv4 or IPv6 address or CIDR range');
  });
});

describe('policy', () => {
  it('gives each role a superset of the role below it', () => {
    for (const a of POLICY.viewer) expect(roleAllows('editor', a)).toBe(true);
    for (const a of POLICY.editor) expect(roleAllows('admin', a)).toBe(true);
    for (const a of POLICY.admin) expect(roleAllows('owner', a)).toBe(true);
    expect(roleAllows('viewer', 'workflow.write')).toBe(false);
    expect(roleAllows('editor', 'member.manage')).toBe(false);
    expect(roleAllows('admin', 'workspace.delete')).toBe(false);
  });

  it('narrows tokens to their scopes and keeps owners in charge of owners', () => {
    expect(scopesAllow(['runs:write'], 'run.start')).toBe(true);
    expect(scopesAllow(['runs:write'], 'workflow.write')).toBe(false);
    expect(canAssignRole('admin', 'owner')).toBe(false);
    expect(canAssignRole('owner', 'owner')).toBe(true);
    expect(canAssignRole('editor', 'viewer')).toBe(false);
  });
});
