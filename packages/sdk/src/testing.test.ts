import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineNode } from './define-node.ts';
import { runNode, testContext } from './testing.ts';

const greet = defineNode({
  id: 'demo.greet',
  title: 'Greet',
  description: 'Greets the input name',
  category: 'utility',
  params: z.object({ greeting: z.string().default('Hello') }),
  sideEffects: false,
  run: ({ params, input, log, state }) => {
    log.info('greeting');
    state.set({ count: 1 });
    return { output: `${params.greeting}, ${(input as { name: string }).name}` };
  },
});

describe('node test harness', () => {
  it('parses params with the node schema, runs it and collects logs and state', async () => {
    const { result, logs, state } = await runNode(greet, { input: { name: 'Ada' } });
    expect(result).toEqual({ output: 'Hello, Ada' });
    expect(logs.map((l) => l.message)).toEqual(['greeting']);
    expect(state).toEqual({ count: 1 });
  });
  it('rejects params the schema refuses', async () => {
    await expect(runNode(greet, { params: { greeting: 5 } })).rejects.toThrow(/greeting/);
  });
  it('gives a context whose fetch refuses unless one is passed', async () => {
    const ctx = testContext({}, {});
    await expect(ctx.fetch('http://127.0.0.1/')).rejects.toThrow(/no fetch/);
    expect(ctx.run.stepId).toBe('test-step');
  });
});
