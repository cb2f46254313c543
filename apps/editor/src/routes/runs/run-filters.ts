export const RUN_STATUSES = ['queued', 'running', 'waiting', 'succeeded', 'failed', 'cancelled', 'dead'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const TIME_RANGES = [
  { id: 'any', label: 'Any time', ms: 0 },
  { id: '1h', label: 'Last hour', ms: 3_600_000 },
  { id: '24h', label: 'Last 24 hours', ms: 86_400_000 },
  { id: '7d', label: 'Last 7 days', ms: 7 * 86_400_000 },
  { id: '30d', label: 'Last 30 days', ms: 30 * 86_400_000 },
] as const;
export type TimeRange = (typeof TIME_RANGES)[number]['id'];

/** The run list's filters, as kept in the page address (`/runs?workflow=…&status=failed,dead&range=24h`). */
export interface RunFilters {
  workflowId?: string;
  statuses: RunStatus[];
  range: TimeRange;
}

const isStatus = (s: string): s is RunStatus => (RUN_STATUSES as readonly string[]).includes(s);
const isRange = (s: string): s is TimeRange => TIME_RANGES.some((r) => r.id === s);

/**
 * Reads the filters from the page address; unknown values are ignored.
 *
 * @example
 * filtersFromUrl(new URL('http://x/runs?status=failed,nope&range=7d')) // { statuses: ['failed'], range: '7d' }
 */
export function filtersFromUrl(url: URL): RunFilters {
  const workflowId = url.searchParams.get('workflow') ?? undefined;
  const statuses = (url.searchParams.get('status') ?? '').split(',').filter(isStatus);
  const range = url.searchParams.get('range') ?? 'any';
  return { ...(workflowId ? { workflowId } : {}), statuses, range: isRange(range) ? range : 'any' };
}

/** The query string for `filters` ('' when nothing is filtered). */
export function filtersToSearch(filters: RunFilters): string {
  const params = new URLSearchParams();
  if (filters.workflowId) params.set('workflow', filters.workflowId);
  if (filters.statuses.length > 0) params.set('status', filters.statuses.join(','));
  if (filters.range !== 'any') params.set('range', filters.range);
  const text = params.toString().replace(/%2C/g, ',');
  return text ? `?${text}` : '';
}

/** The `runs.list` input for `filters` at time `now`. */
export function listInput(filters: RunFilters, now: number, page: { cursor?: string; limit?: number } = {}) {
  const range = TIME_RANGES.find((r) => r.id === filters.range)!;
  return {
    ...(filters.workflowId ? { workflowId: filters.workflowId } : {}),
    ...(filters.statuses.length > 0 ? { status: [...filters.statuses] } : {}),
    ...(range.ms > 0 ? { from: new Date(now - range.ms).toISOString() } : {}),
    ...(page.cursor ? { cursor: page.cursor } : {}),
    limit: page.limit ?? 50,
  };
}
