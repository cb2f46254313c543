import { describe, expect, it } from 'vitest';
import { contextForExpression } from './context-for-expression.ts';

const context = {
  trigger: { body: { email: 'a@example.com' } },
  input: { total: 3 },
  steps: { fetch: { ok: true }, 'my-step': { n: 1 }, other: { big: 'x'.repeat(100) } },
  item: { id: 1 },
  index: 0,
};

describe('contextForExpression', () => {
  it('keeps only what the expression mentions', () => {
    expect(contextForExpression('$trigger.body.email', context)).toEqual({ trigger: context.trigger, steps: {} });
    expect(contextForExpression('$steps.fetch.ok and $steps.`my-step`.n = 1', context)).toEqual({
      steps: { fetch: { ok: true }, 'my-step': { n: 1 } },
    });
    expect(contextForExpression('$item.id + $index', context)).toEqual({ item: { id: 1 }, index: 0, steps: {} });
    expect(contextForExpression('$uppercase("total")', context)).toEqual({ steps: {} });
  });

  it('sends the input for $input and for bare field names', () => {
    expect(contextForExpression('$input.total * 2', context).input).toEqual({ total: 3 });
    expect(contextForExpression('total * 2', context).input).toEqual({ total: 3 });
  });

  it('sends every step when $steps is used as a whole', () => {
    expect(Object.keys(contextForExpression('$keys($steps)', context).steps)).toEqual(['fetch', 'my-step', 'other']);
  });
});
