import { describe, it, expect } from 'vitest';
import { FatalError, paramsJsonSchema, type Json } from '@apiq/sdk';
import { runNode, testContext } from '@apiq/sdk/testing';
import { ifNode } from './index.ts';

async function run(params: unknown, input: Json, trigger: Json = null) {
  return (await runNode(ifNode, { params, input, trigger })).result;
}

describe('core.if', () => {
  it('is a pure flow node with true and false outputs', () => {
    expect(ifNode).toMatchObject({
      id: 'core.if',
      category: 'flow',
      inputs: ['main'],
      outputs: ['true', 'false'],
      sideEffects: false,
      idempotent: true,
    });
    expect(paramsJsonSchema(ifNode)).toMatchObject({ type: 'object', required: ['condition'] });
  });

  it('sends the input to the true port when the rule holds', async () => {
    const order = { id: 1, total: 250 };
    expect(await run({ condition: { '>': [{ var: 'input.total' }, 100] } }, order)).toEqual({ ports: { true: order } });
  });

  it('sends the input to the false port when the rule does not hold', async () => {
    const order = { id: 2, total: 40 };
    expect(await run({ condition: { '>': [{ var: 'input.total' }, 100] } }, order)).toEqual({
      ports: { false: order },
    });
  });

  it('can read the trigger data', async () => {
    const rule = { '==': [{ var: 'trigger.headers.x-source' }, 'shop'] };
    expect(await run({ condition: rule }, 'a', { headers: { 'x-source': 'shop' } })).toEqual({ ports: { true: 'a' } });
    expect(await run({ condition: rule }, 'a', { headers: { 'x-source': 'crm' } })).toEqual({ ports: { false: 'a' } });
  });

  it('accepts plain booleans', async () => {
    expect(await run({ condition: true }, null)).toEqual({ ports: { true: null } });
    expect(await run({ condition: false }, [1])).toEqual({ ports: { false: [1] } });
  });

  it('rejects conditions that are not booleans or rule objects, and unknown operators', () => {
    const text = ifNode.params.safeParse({ condition: 'total > 100' });
    expect(text.error?.issues[0]).toMatchObject({ path: ['condition'] });
    expect(text.error?.issues[0]?.message).toMatch(/condition must be true, false or a json-logic rule object/);
    const unknown = ifNode.params.safeParse({ condition: { greater_than: [1, 2] } });
    expect(unknown.error?.issues[0]).toMatchObject({ path: ['condition'] });
    expect(unknown.error?.issues[0]?.message).toMatch(/unknown operator "greater_than"/);
    const missing = ifNode.params.safeParse({});
    expect(missing.error?.issues[0]).toMatchObject({ path: ['condition'] });
  });

  it('turns a rule that cannot be evaluated into a fatal error', () => {
    // Params normally arrive validated; this one bypasses the schema.
    const ctx = testContext({ condition: { nope: [1] } as Record<string, Json> }, { input: 1 });
    expect(() => ifNode.run(ctx)).toThrow(FatalError);
    expect(() => ifNode.run(ctx)).toThrow(
      /If could not evaluate its condition: invalid condition: unknown operator "nope"/,
    );
  });
});
