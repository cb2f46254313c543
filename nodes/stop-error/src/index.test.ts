import { describe, it, expect } from 'vitest';
import { FatalError, serializeError, type Json, type NodeContext } from '@apiq/sdk';
import { stopError } from './index.ts';

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

describe('core.stop_error', () => {
  it('is a flow node without side effects', () => {
    expect(stopError).toMatchObject({
      id: 'core.stop_error',
      title: 'Stop with error',
      category: 'flow',
      sideEffects: false,
    });
  });

  it('throws a fatal error carrying the message', () => {
    const params = stopError.params.parse({ message: 'Order 42 has a negative total' });
    let thrown: unknown;
    try {
      stopError.run(makeCtx(params, { id: 42 }));
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(FatalError);
    expect(serializeError(thrown)).toMatchObject({ kind: 'fatal', message: 'Order 42 has a negative total' });
  });

  it('requires a non-empty message', () => {
    const missing = stopError.params.safeParse({});
    expect(missing.error?.issues[0]).toMatchObject({ path: ['message'] });
    expect(missing.error?.issues[0]?.message).toMatch(/message is required/);
    const blank = stopError.params.safeParse({ message: '   ' });
    expect(blank.error?.issues[0]?.message).toMatch(/must not be empty/);
  });
});
