import { describe, it, expect } from 'vitest';
import { FatalError, paramsJsonSchema, type Json } from '@apiq/sdk';
import { runNode, testContext } from '@apiq/sdk/testing';
import { switchNode } from './index.ts';

const trigger = { source: 'test' };

async function run(params: unknown, input: Json) {
  return (await runNode(switchNode, { params, input, trigger })).result;
}

const byTotal = [
  { condition: { '>=': [{ var: 'input.total' }, 1000] }, label: 'huge' },
  { condition: { '>=': [{ var: 'input.total' }, 100] }, label: 'large' },
  { condition: { '>=': [{ var: 'input.total' }, 10] } },
];

describe('core.switch', () => {
  it('is a pure flow node with four case ports and a default', () => {
    expect(switchNode).toMatchObject({
      id: 'core.switch',
      category: 'flow',
      outputs: ['case_1', 'case_2', 'case_3', 'case_4', 'default'],
      sideEffects: false,
      idempotent: true,
    });
    expect(paramsJsonSchema(switchNode)).toMatchObject({ type: 'object', required: ['cases'] });
  });

  it('fires only the first matching case by default', async () => {
    expect(await run({ cases: byTotal }, { total: 150 })).toEqual({ ports: { case_2: { total: 150 } } });
    expect(await run({ cases: byTotal }, { total: 5000 })).toEqual({ ports: { case_1: { total: 5000 } } });
  });

  it('fires every matching case in "all" mode', async () => {
    expect(await run({ cases: byTotal, mode: 'all' }, { total: 150 })).toEqual({
      ports: { case_2: { total: 150 }, case_3: { total: 150 } },
    });
  });

  it('fires default when no case matches', async () => {
    expect(await run({ cases: byTotal }, { total: 1 })).toEqual({ ports: { default: { total: 1 } } });
    expect(await run({ cases: byTotal, mode: 'all' }, { total: 1 })).toEqual({ ports: { default: { total: 1 } } });
  });

  it('reads trigger data and accepts boolean conditions', async () => {
    const cases = [{ condition: false }, { condition: { '==': [{ var: 'trigger.source' }, 'test'] } }];
    expect(await run({ cases }, 'x')).toEqual({ ports: { case_2: 'x' } });
  });

  it('rejects empty, too long and invalid case lists with clear messages', () => {
    const none = switchNode.params.safeParse({ cases: [] });
    expect(none.error?.issues[0]).toMatchObject({ path: ['cases'], message: 'cases needs at least one case' });
    const five = switchNode.params.safeParse({ cases: Array.from({ length: 5 }, () => ({ condition: true })) });
    expect(five.error?.issues[0]?.message).toMatch(/at most 4 entries/);
    const bad = switchNode.params.safeParse({ cases: [{ condition: true }, { condition: { bogus: 1 } }] });
    expect(bad.error?.issues[0]).toMatchObject({ path: ['cases', 1, 'condition'] });
    expect(bad.error?.issues[0]?.message).toMatch(/unknown operator "bogus"/);
    const mode = switchNode.params.safeParse({ cases: [{ condition: true }], mode: 'any' });
    expect(mode.error?.issues[0]?.message).toMatch(/mode must be "first"/);
  });

  it('names the case whose rule cannot be evaluated', () => {
    const ctx = testContext(
      { cases: [{ condition: true }, { condition: { nope: 1 } as Record<string, Json> }], mode: 'all' as const },
      { input: 1, trigger },
    );
    expect(() => switchNode.run(ctx)).toThrow(FatalError);
    expect(() => switchNode.run(ctx)).toThrow(/Switch could not evaluate case 2/);
  });
});
