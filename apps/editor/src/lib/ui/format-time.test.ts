import { describe, expect, it } from 'vitest';
import { formatDuration, formatRelativeTime } from './format-time.ts';

describe('formatRelativeTime', () => {
  const now = Date.parse('2026-11-26T12:00:00Z');
  it('says "just now" for the last few seconds', () => {
    expect(formatRelativeTime(now - 4000, now)).toBe('just now');
  });
  it('uses the largest unit that fits, in both directions', () => {
    expect(formatRelativeTime(now - 5 * 60_000, now)).toBe('5 minutes ago');
    expect(formatRelativeTime(now + 2 * 3_600_000, now)).toBe('in 2 hours');
    expect(formatRelativeTime(now - 26 * 3_600_000, now)).toBe('yesterday');
    expect(formatRelativeTime('2026-11-26T11:59:00Z', now)).toBe('1 minute ago');
  });
  it('shows a dash for a date it cannot read', () => {
    expect(formatRelativeTime('not a date', now)).toBe('—');
  });
});

describe('formatDuration', () => {
  it('scales from milliseconds to days', () => {
    expect(formatDuration(120)).toBe('120 ms');
    expect(formatDuration(3400)).toBe('3.4 s');
    expect(formatDuration(42_000)).toBe('42 s');
    expect(formatDuration(125_000)).toBe('2 min 05 s');
    expect(formatDuration(4_320_000)).toBe('1 h 12 min');
    expect(formatDuration(3 * 86_400_000)).toBe('3 d 0 h');
  });
  it('shows a dash when there is no duration yet', () => {
    expect(formatDuration(null)).toBe('—');
  });
});
