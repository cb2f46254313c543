import { describe, expect, it } from 'vitest';
import { filtersFromUrl, filtersToSearch, listInput } from './run-filters.ts';

describe('run filters', () => {
  it('read from the address, ignoring values they do not know', () => {
    expect(filtersFromUrl(new URL('http://x/runs?status=failed,nope,dead&range=7d&workflow=w1'))).toEqual({
      workflowId: 'w1',
      statuses: ['failed', 'dead'],
      range: '7d',
    });
    expect(filtersFromUrl(new URL('http://x/runs?range=forever'))).toEqual({ statuses: [], range: 'any' });
  });

  it('write back to a readable address', () => {
    expect(filtersToSearch({ workflowId: 'w1', statuses: ['failed', 'dead'], range: '24h' })).toBe(
      '?workflow=w1&status=failed,dead&range=24h',
    );
    expect(filtersToSearch({ statuses: [], range: 'any' })).toBe('');
  });

  it('become the runs.list input, with the time range counted back from now', () => {
    const now = Date.parse('2026-11-26T12:00:00Z');
    expect(listInput({ statuses: ['failed'], range: '1h' }, now, { cursor: 'c1' })).toEqual({
      status: ['failed'],
      from: '2026-11-26T11:00:00.000Z',
      cursor: 'c1',
      limit: 50,
    });
    expect(listInput({ statuses: [], range: 'any' }, now)).toEqual({ limit: 50 });
  });
});
