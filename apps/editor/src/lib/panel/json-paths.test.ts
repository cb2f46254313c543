import { describe, expect, it } from 'vitest';
import { fieldPaths, valueAtPath } from './json-paths.ts';

describe('fieldPaths', () => {
  const sample = { body: { items: [{ id: 7, name: 'a' }], total: 1 }, headers: { 'content-type': 'application/json' } };

  it('walks objects breadth first and arrays through [0]', () => {
    expect(fieldPaths(sample).map((f) => f.path)).toEqual([
      'body',
      'headers',
      'body.items',
      'body.total',
      'headers.`content-type`',
      'body.items[0]',
      'body.items[0].id',
      'body.items[0].name',
    ]);
  });

  it('describes each field with its type and a short sample', () => {
    const byPath = Object.fromEntries(fieldPaths(sample).map((f) => [f.path, f]));
    expect(byPath['body.items']).toMatchObject({ type: 'array', sample: '[1]' });
    expect(byPath['body.items[0].name']).toMatchObject({ type: 'string', sample: '"a"' });
  });

  it('stays within its limits', () => {
    const wide = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, i]));
    expect(fieldPaths(wide, { limit: 10 })).toHaveLength(10);
    const deep = { a: { b: { c: { d: 1 } } } };
    expect(fieldPaths(deep, { maxDepth: 2 }).map((f) => f.path)).toEqual(['a', 'a.b']);
    expect(fieldPaths(42)).toEqual([]);
  });

  it('reads values back by path', () => {
    expect(valueAtPath(sample, 'body.items[0].id')).toBe(7);
    expect(valueAtPath(sample, 'headers.`content-type`')).toBe('application/json');
    expect(valueAtPath(sample, 'body.missing.x')).toBeUndefined();
  });
});
