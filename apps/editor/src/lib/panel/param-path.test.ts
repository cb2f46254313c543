import { describe, expect, it } from 'vitest';
import { formatParamPath, getAt, setAt } from './param-path.ts';

describe('formatParamPath', () => {
  it('writes paths like the server validator', () => {
    expect(formatParamPath(['cases', 0, 'condition'])).toBe('cases[0].condition');
    expect(formatParamPath(['headers', 'Content-Type'])).toBe('headers["Content-Type"]');
    expect(formatParamPath([])).toBe('');
  });
});

describe('getAt / setAt', () => {
  it('reads nested values and misses cleanly', () => {
    expect(getAt({ a: [{ b: 1 }] }, ['a', 0, 'b'])).toBe(1);
    expect(getAt({ a: 1 }, ['a', 'b'])).toBeUndefined();
  });

  it('writes without touching the original and creates parents', () => {
    const before = { a: 1, list: [{ x: 1 }, { x: 2 }] };
    const after = setAt(before, ['list', 1, 'x'], 5);
    expect(after).toEqual({ a: 1, list: [{ x: 1 }, { x: 5 }] });
    expect(before.list[1]).toEqual({ x: 2 });
    expect(setAt({}, ['q', 'page'], 2)).toEqual({ q: { page: 2 } });
    expect(setAt({}, ['items', 0], 'a')).toEqual({ items: ['a'] });
  });

  it('removes a key written as undefined', () => {
    expect(setAt({ a: 1, b: 2 }, ['b'], undefined)).toEqual({ a: 1 });
  });
});
