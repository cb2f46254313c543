import { describe, it, expect } from 'vitest';
import { checkCondition, evaluateCondition, ConditionError } from './conditions.ts';

describe('evaluateCondition', () => {
  it('returns booleans as they are', () => {
    expect(evaluateCondition(true, {})).toBe(true);
    expect(evaluateCondition(false, { anything: 1 })).toBe(false);
  });

  it('applies json-logic rules to the data', () => {
    const rule = { and: [{ '>': [{ var: 'order.total' }, 100] }, { '==': [{ var: 'order.currency' }, 'EUR'] }] };
    expect(evaluateCondition(rule, { order: { total: 250, currency: 'EUR' } })).toBe(true);
    expect(evaluateCondition(rule, { order: { total: 50, currency: 'EUR' } })).toBe(false);
    expect(evaluateCondition({ in: ['b', { var: 'tags' }] }, { tags: ['a', 'b'] })).toBe(true);
    expect(
      evaluateCondition(
        { some: [{ var: 'items' }, { '>': [{ var: 'qty' }, 2] }] },
        { items: [{ qty: 1 }, { qty: 3 }] },
      ),
    ).toBe(true);
  });

  it('turns the result into a boolean with JavaScript truthiness', () => {
    expect(evaluateCondition({ var: 'name' }, { name: 'x' })).toBe(true);
    expect(evaluateCondition({ var: 'name' }, { name: '' })).toBe(false);
    expect(evaluateCondition({ var: 'missing' }, {})).toBe(false);
    expect(evaluateCondition({ var: 'list' }, { list: [] })).toBe(true);
    expect(evaluateCondition({ var: 'list.0' }, { list: [0] })).toBe(false);
  });

  it('never hands out host objects through prototype keys', () => {
    const data = { a: { b: 1 }, list: [1], name: 'x' };
    for (const path of [
      '__proto__',
      'constructor',
      'a.constructor',
      'a.__proto__',
      'list.constructor',
      'name.constructor',
      'constructor.constructor',
      'a.toString',
      'prototype',
    ]) {
      expect(evaluateCondition({ '!!': { var: path } }, data), path).toBe(false);
      // Same as a missing key: the default applies.
      expect(evaluateCondition({ '==': [{ var: [path, 'fallback'] }, 'fallback'] }, data), path).toBe(true);
    }
    expect(evaluateCondition({ '==': [{ var: 'list.length' }, 1] }, data)).toBe(true);
    expect(evaluateCondition({ missing: ['constructor', 'a'] }, data)).toBe(true);
    const polluted = JSON.parse('{"__proto__": {"admin": true}}') as Record<string, unknown>;
    expect(evaluateCondition({ var: '__proto__.admin' }, polluted)).toBe(false);
  });

  it('rejects unknown operators before running anything', () => {
    expect(() => evaluateCondition({ or: [true, { foo: [1] }] }, {})).toThrow(ConditionError);
    expect(() => evaluateCondition({ or: [true, { foo: [1] }] }, {})).toThrow('unknown operator "foo" at or[1]');
    expect(() => evaluateCondition({ 'var.call': ['x'] }, {})).toThrow('unknown operator "var.call"');
  });
});

describe('checkCondition', () => {
  it('accepts booleans and rules with known operators', () => {
    expect(checkCondition(true)).toBeNull();
    expect(checkCondition({ '==': [{ var: 'a' }, 1] })).toBeNull();
    expect(checkCondition({ if: [{ var: 'x' }, 'yes', { cat: ['n', 'o'] }] })).toBeNull();
    expect(checkCondition({ '==': [{ var: 'a' }, { literal: 1, data: 2 }] })).toBeNull();
    for (const op of ['?:', 'missing_some', 'substr', 'merge', 'reduce', 'none', '!==', '%', 'log']) {
      expect(checkCondition({ [op]: [] }), op).toBeNull();
    }
  });

  it('names unknown operators', () => {
    expect(checkCondition({ foo: [1] })).toBe('unknown operator "foo"');
    expect(checkCondition({ and: [{ '==': [1, 1] }, { constructor: [] }] })).toBe(
      'unknown operator "constructor" at and[1]',
    );
    expect(checkCondition({ '!': { method: ['x', 'toString'] } })).toBe('unknown operator "method" at !');
  });

  it('rejects values that are not rules', () => {
    expect(checkCondition('yes')).toMatch(/must be true, false or a json-logic rule/);
    expect(checkCondition(null)).toMatch(/got null/);
    expect(checkCondition([{ var: 'a' }])).toMatch(/got an array/);
    expect(checkCondition({ a: 1, b: 2 })).toMatch(/exactly one operator key \(got "a", "b"\)/);
  });

  it('rejects absurdly deep rules instead of overflowing the stack', () => {
    let rule: unknown = true;
    for (let i = 0; i < 10_000; i++) rule = { '!': [rule] };
    expect(checkCondition(rule)).toMatch(/nests deeper than 200 levels/);
  });
});
