import { describe, it, expect } from 'vitest';
import { hasExpressions, resolveParams, joinParamPath } from './resolve-params.ts';
import { ExpressionError } from './expressions.ts';

const bindings = {
  trigger: { body: { items: [{ price: 2 }, { price: 3 }], user: 'ada' } },
  input: { id: 42 },
  steps: { lookup: { email: 'ada@example.com' } },
};

describe('hasExpressions', () => {
  it('finds expressions at any depth of objects and arrays', () => {
    expect(hasExpressions({ url: 'https://example.com', n: 1, list: [1, { a: null }] })).toBe(false);
    expect(hasExpressions({ body: { list: [0, { deep: { kind: 'expr', src: '$input' } }] } })).toBe(true);
    expect(hasExpressions({ kind: 'expr', src: '1' })).toBe(true);
    expect(hasExpressions({ kind: 'expr' })).toBe(false);
  });
});

describe('resolveParams', () => {
  it('returns params without expressions as they are, uncopied', async () => {
    const params = { url: 'https://example.com', body: { a: [1, 2] } };
    expect(await resolveParams(params, bindings)).toBe(params);
    expect(await resolveParams(params, bindings, { hasExpressions: false })).toBe(params);
  });

  it('replaces every expression, deep, and copies only what changes', async () => {
    const untouched = { fixed: true };
    const params = {
      url: { kind: 'expr', src: '"https://api.example.com/users/" & $input.id' },
      body: {
        total: { kind: 'expr', src: '$sum($trigger.body.items.price)' },
        to: [{ kind: 'expr', src: '$steps.lookup.email' }, 'cc@example.com'],
      },
      untouched,
      missing: { kind: 'expr', src: '$input.nothing' },
    };
    const resolved = await resolveParams(params, bindings);
    expect(resolved).toEqual({
      url: 'https://api.example.com/users/42',
      body: { total: 5, to: ['ada@example.com', 'cc@example.com'] },
      untouched: { fixed: true },
      missing: null,
    });
    expect(resolved.untouched).toBe(untouched);
    expect(params.url).toEqual({ kind: 'expr', src: '"https://api.example.com/users/" & $input.id' });
  });

  it('names the param path in errors', async () => {
    const attempt = resolveParams({ body: { lines: [{ total: { kind: 'expr', src: '$foo()' } }] } }, bindings);
    await expect(attempt).rejects.toThrow(ExpressionError);
    await expect(
      resolveParams({ body: { lines: [{ total: { kind: 'expr', src: '$foo()' } }] } }, bindings),
    ).rejects.toThrow(
      /^params\.body\.lines\[0\]\.total: expression "\$foo\(\)" failed: Attempted to invoke a non-function/,
    );
    const err = await resolveParams({ 'content-type': { kind: 'expr', src: '(' } }, bindings).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExpressionError);
    expect((err as ExpressionError).param).toBe('["content-type"]');
    expect((err as ExpressionError).code).toBe('syntax');
    expect((err as ExpressionError).message).toMatch(/^params\["content-type"\]: expression "\(" does not parse/);
  });

  it('passes limits through', async () => {
    const err = await resolveParams({ n: { kind: 'expr', src: '$count([1..900000].($ + 1))' } }, bindings, {
      limits: { timeoutMs: 20 },
    }).catch((e: unknown) => e);
    expect((err as ExpressionError).code).toBe('timeout');
    expect((err as ExpressionError).message).toMatch(/^params\.n: .*ran longer than 20 ms/);
  });
});

describe('joinParamPath', () => {
  it('writes identifiers with dots and other keys in brackets', () => {
    expect(joinParamPath('', 'body')).toBe('body');
    expect(joinParamPath('body', 'items')).toBe('body.items');
    expect(joinParamPath('body.items', 0)).toBe('body.items[0]');
    expect(joinParamPath('headers', 'x-id')).toBe('headers["x-id"]');
  });
});
