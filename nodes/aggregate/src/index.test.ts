import { describe, it, expect } from 'vitest';
import { FatalError, paramsJsonSchema, type Json, type NodeContext } from '@apiq/sdk';
import { aggregate } from './index.ts';

function makeCtx<P>(params: P, input: Json): NodeContext<P> {
  return {
    params,
    input,
    inputs: { main: input },
    trigger: null,
    credentials: {},
    fetch: () => Promise.reject(new Error('no network in this test')),
    log: { debug() {}, info() {}, warn() {}, error() {} },
    signal: new AbortController().signal,
    idempotencyKey: 'test-key',
    state: { get: () => undefined, set() {} },
    run: { runId: 'run-1', workflowId: 'wf-1', stepId: 'collect', attempt: 1, iteration: '' },
  };
}

function run(rawParams: unknown, input: Json) {
  return aggregate.run(makeCtx(aggregate.params.parse(rawParams), input));
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
    const ctx = makeCtx(aggregate.params.parse({ mode: 'object', keyField: 'id' }), [{ id: 1 }, { name: 'no id' }]);
    expect(() => aggregate.run(ctx)).toThrow(FatalError);
    expect(() => aggregate.run(ctx)).toThrow(/cannot key item 1 by "id": it is missing/);
    const nested = makeCtx(aggregate.params.parse({ mode: 'object', keyField: 'id' }), [{ id: { x: 1 } }]);
    expect(() => aggregate.run(nested)).toThrow(/it is an object/);
  });

  it('fails clearly when the input is not a list', () => {
    expect(() => aggregate.run(makeCtx(aggregate.params.parse({}), { a: 1 }))).toThrow(
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
