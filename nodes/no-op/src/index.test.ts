import { describe, it, expect } from 'vitest';
import { paramsJsonSchema } from '@apiq/sdk';
import { runNode } from '@apiq/sdk/testing';
import { noOp } from './index.ts';

describe('core.no_op', () => {
  it('is a pure flow node with one input and one output', () => {
    expect(noOp).toMatchObject({
      id: 'core.no_op',
      category: 'flow',
      inputs: ['main'],
      outputs: ['main'],
      idempotent: true,
      sideEffects: false,
    });
    expect(paramsJsonSchema(noOp)).toMatchObject({ type: 'object' });
  });

  it('passes the input through unchanged', async () => {
    const input = { order: { id: 7, lines: [1, 2] }, ok: true };
    expect((await runNode(noOp, { params: {}, input })).result).toEqual({ output: input });
    expect((await runNode(noOp, { params: {}, input: null })).result).toEqual({ output: null });
  });

  it('rejects parameters it does not know', () => {
    const result = noOp.params.safeParse({ message: 'hi' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/unrecognized key.*message/i);
  });
});
