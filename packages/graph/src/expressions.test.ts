import { describe, it, expect } from 'vitest';
import {
  checkExpression,
  compileExpression,
  evaluateExpression,
  ExpressionError,
  DEFAULT_EXPRESSION_LIMITS,
} from './expressions.ts';

const bindings = {
  trigger: {
    body: {
      items: [
        { price: 2.5, sku: 'a' },
        { price: 4, sku: 'b' },
      ],
    },
  },
  input: { amount: 21, name: 'Ada' },
  steps: { fetch: { status: 200, body: { id: 7 } }, 'my-step': { ok: true } },
  item: { sku: 'x' },
  index: 3,
  run: { id: 'run_1', workflowId: 'wf_1' },
};

async function failure(promise: Promise<unknown>): Promise<ExpressionError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ExpressionError) return err;
    throw err;
  }
  throw new Error('expected the expression to fail');
}

describe('evaluateExpression', () => {
  it('exposes the run data as variables and the input as context', async () => {
    expect(await evaluateExpression('$sum($trigger.body.items.price)', bindings)).toBe(6.5);
    expect(await evaluateExpression('amount * 2', bindings)).toBe(42);
    expect(await evaluateExpression('$input.name', bindings)).toBe('Ada');
    expect(await evaluateExpression('$steps.fetch.body.id', bindings)).toBe(7);
    expect(await evaluateExpression('$steps.`my-step`.ok', bindings)).toBe(true);
    expect(await evaluateExpression('$item.sku & "#" & $string($index)', bindings)).toBe('x#3');
    expect(await evaluateExpression('$run', bindings)).toEqual({ id: 'run_1', workflowId: 'wf_1' });
  });

  it('maps undefined to null and returns plain JSON without sequence flags', async () => {
    expect(await evaluateExpression('$input.nothing', bindings)).toBeNull();
    expect(await evaluateExpression('$steps.unknown.x', {})).toBeNull();
    const skus = await evaluateExpression('$trigger.body.items.sku', bindings);
    expect(skus).toEqual(['a', 'b']);
    expect(Object.keys(skus as object)).toEqual(['0', '1']);
    expect(Object.getOwnPropertyNames(skus)).toEqual(['0', '1', 'length']);
    const obj = await evaluateExpression('{ "f": function($x) { $x }, "n": 1 }', bindings);
    expect(obj).toEqual({ n: 1 });
    expect(await evaluateExpression('function($x) { $x }', bindings)).toBeNull();
  });

  it("returns copies, never the caller's objects", async () => {
    const result = (await evaluateExpression('$trigger.body', bindings)) as { items: unknown[] };
    expect(result).toEqual(bindings.trigger.body);
    expect(result).not.toBe(bindings.trigger.body);
  });

  it('does not reach host objects through prototype keys', async () => {
    expect(await evaluateExpression('$trigger.constructor', bindings)).toBeNull();
    expect(await evaluateExpression('$trigger.__proto__', bindings)).toBeNull();
    expect(await evaluateExpression('$lookup($input, "constructor")', bindings)).toBeNull();
    expect(await evaluateExpression('$exists(process) or $exists($process) or $exists($require)', bindings)).toBe(
      false,
    );
  });

  it('stops endless tail recursion with the default time box', async () => {
    const err = await failure(evaluateExpression('($f := function($x){$f($x)}; $f(1))', bindings));
    expect(err.code).toBe('timeout');
    expect(err.message).toContain(`ran longer than ${DEFAULT_EXPRESSION_LIMITS.timeoutMs} ms`);
  });

  it('stops deep recursion with the depth limit', async () => {
    const err = await failure(evaluateExpression('($f := function($x){ 1 + $f($x) }; $f(1))', bindings));
    expect(err.code).toBe('depth');
    expect(err.message).toContain(`nested deeper than ${DEFAULT_EXPRESSION_LIMITS.maxDepth} levels`);
  });

  it('stops long loops and huge ranges with clear errors', async () => {
    const slow = await failure(evaluateExpression('$count([1..900000].($ * 2))', bindings, { timeoutMs: 50 }));
    expect(slow.code).toBe('timeout');
    expect(slow.message).toContain('ran longer than 50 ms');
    const big = await failure(evaluateExpression('$count([1..5000000])', bindings));
    expect(big.code).toBe('too_large');
    expect(big.message).toContain('5000000 items, over the limit of 1000000');
    const huge = await failure(evaluateExpression('[1..100000000]', bindings));
    expect(huge.code).toBe('too_large');
  });

  it('reports runtime failures with the expression and position', async () => {
    const err = await failure(evaluateExpression('$foo(1)', bindings));
    expect(err.code).toBe('evaluation');
    expect(err.message).toBe('expression "$foo(1)" failed: Attempted to invoke a non-function (at position 5)');
    expect(err.position).toBe(5);
  });

  it('rejects syntax errors and empty expressions', async () => {
    const err = await failure(evaluateExpression('$sum(', bindings));
    expect(err.code).toBe('syntax');
    expect(err.position).toBe(5);
    expect(err.message).toContain('does not parse');
    expect(() => compileExpression('  ')).toThrow('expression is empty');
  });
});

describe('compileExpression', () => {
  it('caches compiled expressions per source and limits', () => {
    const a = compileExpression('$sum($trigger.body.items.price)');
    expect(compileExpression('$sum($trigger.body.items.price)')).toBe(a);
    expect(compileExpression('$sum($trigger.body.items.price)', { timeoutMs: 5 })).not.toBe(a);
    expect(compileExpression('$sum($trigger.body.items.price)', { timeoutMs: 5 }).limits.timeoutMs).toBe(5);
  });

  it('serves concurrent evaluations of one compiled expression independently', async () => {
    const expr = compileExpression('$input.n * 10');
    const results = await Promise.all(Array.from({ length: 50 }, (_, n) => expr.evaluate({ input: { n } })));
    expect(results).toEqual(Array.from({ length: 50 }, (_, n) => n * 10));
  });
});

describe('checkExpression', () => {
  it('accepts valid expressions', () => {
    expect(checkExpression('$trigger.body.items[price > 3].sku')).toEqual({ ok: true });
  });

  it('reports syntax errors with their position', () => {
    expect(checkExpression('$sum(items.price')).toEqual({
      ok: false,
      message: 'Expected ")" before end of expression',
      position: 16,
    });
    const unterminated = checkExpression('"abc');
    expect(unterminated.ok).toBe(false);
    if (!unterminated.ok) expect(unterminated.message).toMatch(/String literal must be terminated/);
    expect(checkExpression('')).toMatchObject({ ok: false, position: 0 });
  });
});
