import { describe, expect, it } from 'vitest';
import { applyCompletion, completionsFor, tokenAtCursor, type CompletionSources } from './expression-completion.ts';

const sources: CompletionSources = {
  upstream: [{ id: 'fetch_orders', name: 'Fetch orders' }, { id: 'my-step' }],
  trigger: { body: { customer: { email: 'a@example.com' }, total: 120 } },
  input: { status: 200, body: [{ id: 1 }] },
  steps: { fetch_orders: { status: 200, body: { orders: [{ id: 'o1' }] } }, 'my-step': { ok: true } },
};

const labels = (token: string) => completionsFor(token, sources).map((c) => c.label);

describe('tokenAtCursor', () => {
  it('finds the variable path before the cursor', () => {
    expect(tokenAtCursor('1 + $trig', 9)).toEqual({ start: 4, end: 9, text: '$trig' });
    expect(tokenAtCursor('$steps.fetch.bo + 1', 15).text).toBe('$steps.fetch.bo');
    expect(tokenAtCursor('f($input.body[0].i', 18).text).toBe('$input.body[0].i');
    expect(tokenAtCursor('$steps.`my-step`.o', 18).text).toBe('$steps.`my-step`.o');
    expect(tokenAtCursor('a + ', 4).text).toBe('');
  });
});

describe('completionsFor', () => {
  it('offers the root variables after $', () => {
    expect(labels('$')).toEqual(['$trigger', '$input', '$steps', '$item', '$index', '$run']);
    expect(labels('$i')).toEqual(['$input', '$item', '$index']);
    expect(labels('$trigger')).toEqual([]);
    expect(labels('plain')).toEqual([]);
  });

  it('offers only upstream step ids after $steps., quoting ids that need it', () => {
    const all = completionsFor('$steps.', sources);
    expect(all.map((c) => c.insert)).toEqual(['$steps.fetch_orders', '$steps.`my-step`']);
    expect(all[0]!.detail).toBe('Fetch orders');
    expect(labels('$steps.f')).toEqual(['fetch_orders']);
    expect(labels('$steps.downstream.')).toEqual([]);
  });

  it('offers field paths from sample data', () => {
    expect(labels('$trigger.')).toEqual(['body', 'body.customer', 'body.total', 'body.customer.email']);
    expect(labels('$trigger.body.c')).toEqual(['body.customer', 'body.customer.email']);
    expect(completionsFor('$steps.fetch_orders.body.', sources).map((c) => c.insert)).toEqual([
      '$steps.fetch_orders.body.orders',
      '$steps.fetch_orders.body.orders[0]',
      '$steps.fetch_orders.body.orders[0].id',
    ]);
    expect(completionsFor('$steps.`my-step`.', sources).map((c) => c.insert)).toEqual(['$steps.`my-step`.ok']);
    expect(labels('$input.body')).toEqual(['body[0]', 'body[0].id']);
    expect(labels('$item.')).toEqual([]);
    expect(labels('$run.w')).toEqual(['workflowId']);
  });
});

describe('applyCompletion', () => {
  it('replaces the token and puts the cursor after it', () => {
    const src = 'x + $tr * 2';
    const token = tokenAtCursor(src, 7);
    expect(applyCompletion(src, token, '$trigger')).toEqual({ src: 'x + $trigger * 2', cursor: 12 });
  });
});
