import { describe, it, expect } from 'vitest';
import { paramsJsonSchema, type Json, type NodeContext } from '@apiq/sdk';
import { noOp } from './index.ts';

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
    run: { runId: 'run-1', workflowId: 'wf-1', stepId: 'step-1', attempt: 1, iteration: '' },
  };
}

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
    expect(await noOp.run(makeCtx(noOp.params.parse({}), input))).toEqual({ output: input });
    expect(await noOp.run(makeCtx(noOp.params.parse({}), null))).toEqual({ output: null });
  });

  it('rejects parameters it does not know', () => {
    const result = noOp.params.safeParse({ message: 'hi' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/unrecognized key.*message/i);
  });
});
