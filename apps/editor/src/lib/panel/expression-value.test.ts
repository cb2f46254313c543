import { describe, expect, it } from 'vitest';
import { fromExpression, isExprValue, toExpression } from './expression-value.ts';

describe('expression toggle', () => {
  it('turns literals into equivalent expressions and back', () => {
    expect(toExpression('hello')).toEqual({ kind: 'expr', src: '"hello"' });
    expect(toExpression({ a: 1 })).toEqual({ kind: 'expr', src: '{"a":1}' });
    expect(toExpression(undefined)).toEqual({ kind: 'expr', src: '' });
    expect(fromExpression(toExpression({ a: [1, true] }))).toEqual({ a: [1, true] });
    expect(fromExpression({ kind: 'expr', src: '$trigger.body' })).toBeUndefined();
  });

  it('recognises expression values', () => {
    expect(isExprValue({ kind: 'expr', src: '1' })).toBe(true);
    expect(isExprValue({ kind: 'literal', src: '1' })).toBe(false);
    expect(isExprValue('x')).toBe(false);
  });
});
