import { describe, expect, it } from 'vitest';
import { allContainerPaths, compactJson, defaultExpanded, flattenJson, toTable, valueAtId } from './inspector-model.ts';

const sample = {
  status: 200,
  body: {
    items: [
      { id: 1, name: 'alpha' },
      { id: 2, name: 'beta' },
    ],
    'next-page': null,
  },
};

describe('flattenJson', () => {
  it('lists the expanded rows with keys, types and previews', () => {
    const rows = flattenJson(sample, new Set(['', 'body']));
    expect(rows.map((r) => [r.id, r.depth, r.preview])).toEqual([
      ['', 0, '{2 keys}'],
      ['status', 1, '200'],
      ['body', 1, '{2 keys}'],
      ['body.items', 2, '[2 items]'],
      ['body.`next-page`', 2, 'null'],
    ]);
    expect(rows[3]).toMatchObject({ expandable: true, expanded: false });
    expect(rows[4]!.key).toBe('next-page');
  });

  it('filters by a search and opens the way to each match', () => {
    const rows = flattenJson(sample, new Set(), 'beta');
    expect(rows.map((r) => r.id)).toEqual(['', 'body', 'body.items', 'body.items[1]', 'body.items[1].name']);
    expect(rows.filter((r) => r.match).map((r) => r.id)).toEqual(['body.items[1].name']);
  });

  it('truncates long strings and caps long lists', () => {
    const rows = flattenJson(
      { text: 'x'.repeat(1000), list: Array.from({ length: 600 }, (_, i) => i) },
      new Set(['', 'list']),
    );
    expect(rows[1]).toMatchObject({ id: 'text', truncated: true });
    expect(rows[1]!.preview.length).toBe(160);
    expect(rows).toHaveLength(2 + 1 + 500 + 1);
    expect(rows.at(-1)!.preview).toBe('… 100 more not shown (copy the value to see all)');
  });

  it('expands the first level by default and everything on demand', () => {
    expect([...defaultExpanded(sample)]).toEqual(['', 'body']);
    expect([...allContainerPaths(sample)]).toEqual(['', 'body', 'body.items', 'body.items[0]', 'body.items[1]']);
  });

  it('reads a value back by row id', () => {
    expect(valueAtId(sample, 'body.items[1].name')).toBe('beta');
    expect(valueAtId(sample, 'body.`next-page`')).toBeNull();
    expect(valueAtId(sample, '')).toBe(sample);
  });
});

describe('toTable', () => {
  it('turns a list of objects into columns', () => {
    expect(toTable(sample.body.items)).toEqual({
      columns: ['id', 'name'],
      rows: [
        { key: '0', cells: ['1', 'alpha'] },
        { key: '1', cells: ['2', 'beta'] },
      ],
      more: 0,
    });
  });

  it('shows objects as key/value rows, filters and limits', () => {
    expect(toTable({ a: 1, b: { c: 2 } }).rows).toEqual([
      { key: 'a', cells: ['1'] },
      { key: 'b', cells: ['{"c":2}'] },
    ]);
    expect(toTable(sample.body.items, 200, 'alp').rows.map((r) => r.key)).toEqual(['0']);
    const big = toTable(
      Array.from({ length: 250 }, (_, i) => ({ i })),
      200,
    );
    expect(big.rows).toHaveLength(200);
    expect(big.more).toBe(50);
    expect(toTable('hello').rows).toEqual([{ key: '', cells: ['hello'] }]);
  });
});

describe('compactJson', () => {
  it('cuts long values', () => {
    expect(compactJson({ a: [1, 2] })).toBe('{"a":[1,2]}');
    expect(compactJson('x'.repeat(50), 10)).toBe('"xxxxxxxx…');
  });
});
