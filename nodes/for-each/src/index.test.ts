import { describe, it, expect } from 'vitest';
import { FatalError, paramsJsonSchema, type Json } from '@apiq/sdk';
import { runNode, testContext } from '@apiq/sdk/testing';
import { forEach } from './index.ts';

async function run(params: unknown, input: Json) {
  return (await runNode(forEach, { params, input })).result;
}

describe('core.for_each', () => {
  it('is a pure flow node with an item output', () => {
    expect(forEach).toMatchObject({
      id: 'core.for_each',
      title: 'For each',
      category: 'flow',
      outputs: ['item'],
      sideEffects: false,
      idempotent: true,
    });
    expect(paramsJsonSchema(forEach)).toMatchObject({
      type: 'object',
      properties: { concurrency: { default: 1, minimum: 1, maximum: 50 } },
    });
  });

  it('outputs the list from the items parameter', async () => {
    expect(await run({ items: [{ id: 1 }, { id: 2 }] }, { unrelated: true })).toEqual({
      output: [{ id: 1 }, { id: 2 }],
    });
  });

  it('uses the input when items is not set', async () => {
    expect(await run({}, ['a', 'b'])).toEqual({ output: ['a', 'b'] });
    expect(await run({ concurrency: 5 }, [])).toEqual({ output: [] });
  });

  it('fails clearly when the value is not a list', () => {
    const fromParam = testContext(forEach.params.parse({ items: { id: 1 } }), { input: null });
    expect(() => forEach.run(fromParam)).toThrow(FatalError);
    expect(() => forEach.run(fromParam)).toThrow(/^For each expects a list, got object from the "items" parameter/);
    const fromInput = testContext(forEach.params.parse({}), { input: 'text' });
    expect(() => forEach.run(fromInput)).toThrow(/^For each expects a list, got string from the input/);
    expect(() => forEach.run(testContext(forEach.params.parse({}), { input: null }))).toThrow(/got null/);
  });

  it('rejects a concurrency outside 1 to 50', () => {
    expect(forEach.params.safeParse({ concurrency: 0 }).error?.issues[0]).toMatchObject({
      path: ['concurrency'],
      message: 'concurrency must be at least 1',
    });
    expect(forEach.params.safeParse({ concurrency: 51 }).error?.issues[0]?.message).toBe(
      'concurrency must be at most 50',
    );
    expect(forEach.params.safeParse({ concurrency: 2.5 }).error?.issues[0]?.message).toBe(
      'concurrency must be a whole number',
    );
    expect(forEach.params.safeParse({ concurrency: '4' }).error?.issues[0]?.message).toMatch(
      /concurrency must be a number/,
    );
  });
});
