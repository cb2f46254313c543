export interface AuditFilters {
  /** yyyy-mm-dd (a local day) or '' */
  from: string;
  /** yyyy-mm-dd (a local day, included) or '' */
  to: string;
  /** an action id or '' for all */
  action: string;
}

/**
 * The query string of the audit endpoints for the filters: whole local days, `to` included.
 *
 * @example
 * auditQuery({ from: '2026-11-01', to: '2026-11-30', action: 'member.joined' })
 * // 'from=2026-11-01T…&to=2026-12-01T…&action=member.joined' (local midnight in UTC)
 */
export function auditQuery(f: AuditFilters, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams();
  const day = (value: string, plusDays = 0) => {
    const [y, m, d] = value.split('-').map(Number);
    return new Date(y!, m! - 1, d! + plusDays).toISOString();
  };
  if (/^\d{4}-\d{2}-\d{2}$/.test(f.from)) q.set('from', day(f.from));
  if (/^\d{4}-\d{2}-\d{2}$/.test(f.to)) q.set('to', day(f.to, 1));
  if (f.action) q.set('action', f.action);
  for (const [k, v] of Object.entries(extra)) q.set(k, v);
  return q.toString();
}

/** What is wrong with a date range, or undefined. */
export function rangeProblem(f: AuditFilters): string | undefined {
  if (f.from && f.to && f.from > f.to) return 'The start date is after the end date.';
  return undefined;
}
