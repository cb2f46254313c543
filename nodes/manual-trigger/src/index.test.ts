import { describe, it, expect } from 'vitest';
import { paramsJsonSchema, type Json, type NodeContext } from '@apiq/sdk';
import { manualTrigger } from './index.ts';

function makeCtx<P>(params: P, trigger: Json): NodeContext<P> {
  return {
    params,
    input: null,
    inputs: {},
    trigger,
    credentials: {},
    fetch: () => Promise.reject(new Error('no network in this test')),
    log: { debug() {}, info() {}, warn() {}, error() {} },
    signal: new AbortController().signal,
    idempotencyKey: 'test-key',
    state: { get: () => undefined, set() {} },
    run: { runId: 'run-1', workflowId: 'wf-1', stepId: 'start', attempt: 1, iteration: '' },
  };
}

describe('core.manual_trigger', () => {
  it('is a manual trigger without inputs', () => {
    expect(manualTrigger).toMatchObject({
      id: 'core.manual_trigger',
      trigger: 'manual',
      category: 'trigger',
      inputs: [],
      outputs: ['main'],
      idempotent: true,
      sideEffects: false,
    });
    expect(paramsJsonSchema(manualTrigger)).toMatchObject({
      type: 'object',
      properties: { inputSchema: { type: 'object' } },
    });
  });

  it('outputs the manual input the run was started with', async () => {
    const params = manualTrigger.params.parse({
      inputSchema: { type: 'object', properties: { email: { type: 'string' } } },
    });
    expect(await manualTrigger.run(makeCtx(params, { email: 'ada@example.com' }))).toEqual({
      output: { email: 'ada@example.com' },
    });
    expect(await manualTrigger.run(makeCtx(manualTrigger.params.parse({}), null))).toEqual({ output: null });
  });

  it('rejects an input schema that is not an object', () => {
    const result = manualTrigger.params.safeParse({ inputSchema: 'email: string' });
    expect(result.error?.issues[0]).toMatchObject({ path: ['inputSchema'] });
    expect(result.error?.issues[0]?.message).toMatch(/must be a JSON Schema object/);
  });
});
