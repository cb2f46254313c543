import { describe, it, expect } from 'vitest';
import { FatalError, paramsJsonSchema, type Json } from '@apiq/sdk';
import { runNode, testContext } from '@apiq/sdk/testing';
import { aggregate } from './index.ts';

async function run(params: unknown, input: Json) {
  return (await runNode(aggregate, { params, input })).result;
}

const results: Json = [
  { id: 'a1', customer: { id: 7 }, ok: true },
  { id: 'b2', customer: { id: 8 }, ok: false },
];

describe('core.aggregate', () => {
  it('is a pure flow node', () => {
    expect(aggregate).toMatchObject({
      id: 'core.aggregate',
      category: 'flow',
      inputs: ['main'],
      outputs: ['main'],
      sideEffects: false,
      idempotent: true,
    });
    expect(paramsJsonSchema(aggregate)).toMatchObject({ type: 'object' });
  });

  it('outputs the list of results by default', async () => {
    expect(await run({}, results)).toEqual({ output: results });
    expect(await run({}, [])).toEqual({ output: [] });
  });

  it('flattens one level', async () => {
    expect(await run({ mode: 'flatten' }, [[1, 2], 3, [[4]], []])).toEqual({ output: [1, 2, 3, [4]] });
  });

  it('keys items by a field, including dotted paths', async () => {
    expect(await run({ mode: 'object', keyField: 'id' }, results)).toEqual({
      output: { a1: { id: 'a1', customer: { id: 7 }, ok: true }, b2: { id: 'b2', customer: { id: 8 }, ok: false } },
    });
    const byCustomer = await run({ mode: 'object', keyField: 'customer.id' }, results);
    expect(Object.keys((byCustomer as { output: Record<string, Json> }).output)).toEqual(['7', '8']);
  });

  it('lets the later item win on duplicate keys', async () => {
    expect(
      await run({ mode: 'object', keyField: 'k' }, [
        { k: 'x', n: 1 },
        { k: 'x', n: 2 },
      ]),
    ).toEqual({ output: { x: { k: 'x', n: 2 } } });
  });

  it('names the item that has no usable key', () => {
    const ctx = testContext(aggregate.params.parse({ mode: 'object', keyField: 'id' }), {
      input: [{ id: 1 }, { name: 'no id' }],
    });
    expect(() => aggregate.run(ctx)).toThrow(FatalError);
    expect(() => aggregate.run(ctx)).toThrow(/cannot key item 1 by "id": it is missing/);
    const nested = testContext(aggregate.params.parse({ mode: 'object', keyField: 'id' }), {
      input: [{ id: { x: 1 } }],
    });
    expect(() => aggregate.run(nested)).toThrow(/it is an object/);
  });

  it('fails clearly when the input is not a list', () => {
    expect(() => aggregate.run(testContext(aggregate.params.parse({}), { input: { a: 1 } }))).toThrow(
      /Aggregate expects the list of loop results, got object/,
    );
  });

  it('requires keyField in object mode and rejects bad modes', () => {
    const missing = aggregate.params.safeParse({ mode: 'object' });
    expect(missing.error?.issues[0]).toMatchObject({ path: ['keyField'] });
    expect(missing.error?.issues[0]?.message).toMatch(/keyField is required when mode is "object"/);
    const path = aggregate.params.safeParse({ mode: 'object', keyField: 'a..b' });
    expect(path.error?.issues[0]?.message).toMatch(/not a usable field path/);
    const mode = aggregate.params.safeParse({ mode: 'sum' });
    expect(mode.error?.issues[0]).toMatchObject({ path: ['mode'] });
    expect(mode.error?.issues[0]?.message).toMatch(/mode must be "list"/);
  });
});
