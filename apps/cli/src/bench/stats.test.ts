import { describe, expect, it } from 'vitest';
import { median, percentile, round } from './stats.ts';

describe('median', () => {
  it('takes the middle value of an odd count and the mean of the two middle values of an even count', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('refuses an empty list', () => {
    expect(() => median([])).toThrow(RangeError);
  });
});

describe('percentile', () => {
  const tenValues = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1];

  it('uses the nearest rank', () => {
    expect(percentile(tenValues, 50)).toBe(5);
    expect(percentile(tenValues, 99)).toBe(10);
    expect(percentile(tenValues, 10)).toBe(1);
    expect(percentile(tenValues, 100)).toBe(10);
  });

  it('refuses percentiles outside (0, 100]', () => {
    expect(() => percentile(tenValues, 0)).toThrow(/\(0, 100\]/);
    expect(() => percentile(tenValues, 101)).toThrow(RangeError);
  });
});

describe('round', () => {
  it('rounds to the given number of decimals', () => {
    expect(round(1.23456)).toBe(1.23);
    expect(round(1.25, 1)).toBe(1.3);
    expect(round(123.4, 0)).toBe(123);
  });
});
