import { describe, expect, it } from 'vitest';
import { lastMissedTick } from './missed-ticks.ts';

describe('lastMissedTick', () => {
  const now = new Date('2026-11-26T10:00:07Z');
  it('finds the latest tick missed since the last recorded one', () => {
    expect(lastMissedTick('0 0 1 1 *', 'UTC', new Date('2024-06-01T00:00:00Z'), now)).toEqual(
      new Date('2026-01-01T00:00:00Z'),
    );
    expect(lastMissedTick('*/5 * * * * *', 'UTC', new Date('2026-11-26T09:59:00Z'), now)).toEqual(
      new Date('2026-11-26T10:00:05Z'),
    );
  });
  it('finds nothing when no tick fell in between', () => {
    expect(lastMissedTick('0 0 1 1 *', 'UTC', new Date('2026-01-01T00:00:00Z'), now)).toBeUndefined();
    expect(lastMissedTick('0 12 * * *', 'UTC', new Date('2026-11-25T12:00:00Z'), now)).toBeUndefined();
  });
  it('reads the cron in the schedule’s time zone', () => {
    // 09:00 in Paris on 26 Nov (UTC+1) is 08:00Z.
    expect(lastMissedTick('0 9 * * *', 'Europe/Paris', new Date('2026-11-25T12:00:00Z'), now)).toEqual(
      new Date('2026-11-26T08:00:00Z'),
    );
    // At 10:00:07Z it is 11:00:07 in Paris: the 11:00 tick has just passed.
    expect(lastMissedTick('0 11 * * *', 'Europe/Paris', new Date('2026-11-26T09:00:00Z'), now)).toEqual(
      new Date('2026-11-26T10:00:00Z'),
    );
  });
});
