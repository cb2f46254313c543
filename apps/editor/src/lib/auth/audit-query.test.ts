import { describe, expect, it } from 'vitest';
import { auditQuery, rangeProblem } from './audit-query.ts';

describe('auditQuery', () => {
  it('turns whole local days into an instant range that includes the last day', () => {
    const q = new URLSearchParams(auditQuery({ from: '2026-11-01', to: '2026-11-30', action: 'member.joined' }));
    expect(q.get('from')).toBe(new Date(2026, 10, 1).toISOString());
    expect(q.get('to')).toBe(new Date(2026, 11, 1).toISOString());
    expect(q.get('action')).toBe('member.joined');
  });

  it('leaves out empty filters and keeps extra parameters', () => {
    expect(auditQuery({ from: '', to: '', action: '' }, { limit: '100' })).toBe('limit=100');
  });

  it('refuses a range that ends before it starts', () => {
    expect(rangeProblem({ from: '2026-11-02', to: '2026-11-01', action: '' })).toBe(
      'The start date is after the end date.',
    );
    expect(rangeProblem({ from: '2026-11-01', to: '2026-11-01', action: '' })).toBeUndefined();
  });
});
