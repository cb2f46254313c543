import { describe, it, expect } from 'vitest';
import { paramsJsonSchema } from '@apiq/sdk';
import { runNode } from '@apiq/sdk/testing';
import { manualTrigger } from './index.ts';

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
    const params = { inputSchema: { type: 'object', properties: { email: { type: 'string' } } } };
    const started = await runNode(manualTrigger, { params, trigger: { email: 'ada@example.com' } });
    expect(started.result).toEqual({ output: { email: 'ada@example.com' } });
    expect((await runNode(manualTrigger, { params: {}, trigger: null })).result).toEqual({ output: null });
  });

  it('rejects an input schema that is not an object', () => {
    const result = manualTrigger.params.safeParse({ inputSchema: 'email: string' });
    expect(result.error?.issues[0]).toMatchObject({ path: ['inputSchema'] });
    expect(result.error?.issues[0]?.message).toMatch(/must be a JSON Schema object/);
  });
});
