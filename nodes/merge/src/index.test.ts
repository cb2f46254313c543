import { describe, it, expect } from 'vitest';
import { paramsJsonSchema, type Json } from '@apiq/sdk';
import { runNode } from '@apiq/sdk/testing';
import { merge } from './index.ts';

async function run(params: unknown, inputs: Record<string, Json>): Promise<Json> {
  const { result } = await runNode(merge, { params, inputs });
  if (!('output' in result)) throw new Error('expected an output');
  return result.output;
}

describe('core.merge', () => {
  it('is a pure flow node with inputs a to d', () => {
    expect(merge).toMatchObject({
      id: 'core.merge',
      category: 'flow',
      inputs: ['a', 'b', 'c', 'd'],
      outputs: ['main'],
      sideEffects: false,
      idempotent: true,
    });
    expect(paramsJsonSchema(merge)).toMatchObject({ type: 'object' });
  });

  it('keys the active inputs by port in object mode (the default)', async () => {
    expect(await run({}, { a: { user: 1 }, c: [1, 2] })).toEqual({ a: { user: 1 }, c: [1, 2] });
    expect(await run({ mode: 'object' }, { b: null })).toEqual({ b: null });
  });

  it('appends in port order, spreading lists', async () => {
    // Insertion order of ctx.inputs must not matter: ports are read a, b, c, d.
    expect(await run({ mode: 'append' }, { d: 'last', b: [2, 3], a: [1], c: { x: 4 } })).toEqual([
      1,
      2,
      3,
      { x: 4 },
      'last',
    ]);
    expect(await run({ mode: 'append' }, { a: [[1], [2]] })).toEqual([[1], [2]]);
  });

  it('shallow-merges object inputs in port order and ignores the rest', async () => {
    expect(
      await run({ mode: 'merge' }, { b: { id: 2, b: true }, a: { id: 1, a: { deep: 1 } }, c: [9], d: 'text' }),
    ).toEqual({
      id: 2,
      a: { deep: 1 },
      b: true,
    });
  });

  it('keeps a "__proto__" key from the data as a plain field', async () => {
    const output = (await run(
      { mode: 'merge' },
      { a: JSON.parse('{"__proto__": {"polluted": true}}') as Json, b: { ok: 1 } },
    )) as Record<string, unknown>;
    expect(Object.getPrototypeOf(output)).toBe(Object.prototype);
    expect(Object.keys(output)).toEqual(['__proto__', 'ok']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('outputs an empty value when no input is active', async () => {
    expect(await run({ mode: 'object' }, {})).toEqual({});
    expect(await run({ mode: 'append' }, {})).toEqual([]);
    expect(await run({ mode: 'merge' }, {})).toEqual({});
  });

  it('ignores inputs on ports other than a to d', async () => {
    expect(await run({}, { a: 1, main: 2 })).toEqual({ a: 1 });
  });

  it('rejects an unknown mode with a clear message', () => {
    const result = merge.params.safeParse({ mode: 'zip' });
    expect(result.error?.issues[0]).toMatchObject({ path: ['mode'] });
    expect(result.error?.issues[0]?.message).toMatch(/mode must be "object"/);
  });
});
