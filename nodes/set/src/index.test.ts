import { describe, it, expect } from 'vitest';
import { FatalError, paramsJsonSchema, type Json } from '@apiq/sdk';
import { runNode } from '@apiq/sdk/testing';
import { setFields } from './index.ts';

async function run(params: unknown, input: Json): Promise<Json> {
  const { result } = await runNode(setFields, { params, input });
  if (!('output' in result)) throw new Error('expected an output');
  return result.output;
}

describe('core.set', () => {
  it('is a pure data node', () => {
    expect(setFields).toMatchObject({
      id: 'core.set',
      title: 'Set fields',
      category: 'data',
      idempotent: true,
      sideEffects: false,
    });
    expect(paramsJsonSchema(setFields)).toMatchObject({ type: 'object', required: ['fields'] });
  });

  it('merges fields into the input by default, keeping other fields', async () => {
    expect(await run({ fields: { status: 'paid', total: 12 } }, { id: 1, status: 'new' })).toEqual({
      id: 1,
      status: 'paid',
      total: 12,
    });
  });

  it('sets nested fields from dotted names without changing the input', async () => {
    const input: Json = { id: 1, customer: { name: 'Ada', email: 'old@example.com' } };
    const before = JSON.stringify(input);
    const output = await run({ fields: { 'customer.email': 'ada@example.com', 'meta.source.kind': 'api' } }, input);
    expect(output).toEqual({
      id: 1,
      customer: { name: 'Ada', email: 'ada@example.com' },
      meta: { source: { kind: 'api' } },
    });
    expect(JSON.stringify(input)).toBe(before);
  });

  it('replaces a non-object on the way with an object', async () => {
    expect(await run({ fields: { 'a.b': 1 } }, { a: 'text' })).toEqual({ a: { b: 1 } });
  });

  it('indexes into lists with numeric parts, appending one past the end', async () => {
    expect(await run({ fields: { 'items.0.qty': 3, 'items.1': 'new' } }, { items: [{ sku: 'A', qty: 1 }] })).toEqual({
      items: [{ sku: 'A', qty: 3 }, 'new'],
    });
    await expect(run({ fields: { 'items.5': 'x' } }, { items: [] })).rejects.toThrow(FatalError);
    await expect(run({ fields: { 'items.5': 'x' } }, { items: [] })).rejects.toThrow(
      /index 5 is past the end of a list of 0/,
    );
  });

  it('outputs only the fields in replace mode', async () => {
    expect(await run({ mode: 'replace', fields: { 'user.id': 7, ok: true } }, { id: 1, secret: 'x' })).toEqual({
      user: { id: 7 },
      ok: true,
    });
  });

  it('outputs just the fields when the input is not an object', async () => {
    expect(await run({ fields: { n: 1 } }, [1, 2])).toEqual({ n: 1 });
    expect(await run({ fields: { n: 1 } }, 'text')).toEqual({ n: 1 });
    expect(await run({ fields: { n: 1 } }, null)).toEqual({ n: 1 });
  });

  it('rejects bad field names and modes with clear messages', () => {
    const empty = setFields.params.safeParse({ fields: { 'a..b': 1 } });
    expect(empty.error?.issues[0]).toMatchObject({ path: ['fields', 'a..b'] });
    expect(empty.error?.issues[0]?.message).toMatch(/has an empty part/);
    const proto = setFields.params.safeParse({ fields: { '__proto__.polluted': true } });
    expect(proto.success).toBe(false);
    const protoNested = setFields.params.safeParse({ fields: JSON.parse('{"a.constructor.prototype": 1}') });
    expect(protoNested.error?.issues[0]?.message).toMatch(/reserved name "constructor"/);
    const mode = setFields.params.safeParse({ fields: {}, mode: 'append' });
    expect(mode.error?.issues[0]).toMatchObject({ path: ['mode'] });
    expect(mode.error?.issues[0]?.message).toMatch(/mode must be "merge"/);
    const missing = setFields.params.safeParse({});
    expect(missing.error?.issues[0]?.message).toMatch(/fields must be an object/);
  });
});
