import { describe, it, expect } from 'vitest';
import { paramsJsonSchema, type Json, type NodeResult } from '@apiq/sdk';
import { runNode } from '@apiq/sdk/testing';
import { wait } from './index.ts';

async function run(params: unknown, input: Json): Promise<NodeResult> {
  return (await runNode(wait, { params, input })).result;
}

function waitOf(result: NodeResult): Record<string, unknown> {
  if (!('output' in result) || !result.wait) throw new Error('expected a wait instruction');
  return result.wait as Record<string, unknown>;
}

describe('core.wait', () => {
  it('is a pure flow node', () => {
    expect(wait).toMatchObject({
      id: 'core.wait',
      category: 'flow',
      inputs: ['main'],
      outputs: ['main'],
      sideEffects: false,
      idempotent: true,
    });
    expect(paramsJsonSchema(wait)).toMatchObject({ type: 'object', required: ['mode'] });
  });

  it('waits for a duration counted from now and passes the input on', async () => {
    const before = Date.now();
    const result = await run({ mode: 'duration', durationMs: 90_000 }, { id: 1 });
    const after = Date.now();
    expect(result).toMatchObject({ output: { id: 1 } });
    const until = Date.parse(String(waitOf(result).until));
    expect(until).toBeGreaterThanOrEqual(before + 90_000);
    expect(until).toBeLessThanOrEqual(after + 90_000);
    expect(Object.keys(waitOf(result))).toEqual(['until']);
  });

  it('waits until a given time, normalised to UTC', async () => {
    const result = await run({ mode: 'until', until: '2030-01-31T10:00:00+01:00' }, 'x');
    expect(result).toEqual({ output: 'x', wait: { until: '2030-01-31T09:00:00.000Z' } });
  });

  it('waits for the resume webhook, with an optional timeout', async () => {
    expect(await run({ mode: 'webhook' }, null)).toEqual({ output: null, wait: { webhook: true } });
    const before = Date.now();
    const result = await run({ mode: 'webhook', timeoutMs: 3_600_000 }, [1]);
    const after = Date.now();
    const timeoutAt = Date.parse(String(waitOf(result).timeoutAt));
    expect(waitOf(result).webhook).toBe(true);
    expect(timeoutAt).toBeGreaterThanOrEqual(before + 3_600_000);
    expect(timeoutAt).toBeLessThanOrEqual(after + 3_600_000);
  });

  it('says which field is missing for the chosen mode', () => {
    const duration = wait.params.safeParse({ mode: 'duration' });
    expect(duration.error?.issues).toHaveLength(1);
    expect(duration.error?.issues[0]).toMatchObject({ path: ['durationMs'] });
    expect(duration.error?.issues[0]?.message).toMatch(/durationMs is required when mode is "duration"/);
    const until = wait.params.safeParse({ mode: 'until', durationMs: 5 });
    expect(until.error?.issues[0]).toMatchObject({ path: ['until'] });
    expect(until.error?.issues[0]?.message).toMatch(/until is required when mode is "until"/);
  });

  it('rejects bad values with clear messages', () => {
    expect(wait.params.safeParse({ mode: 'later' }).error?.issues[0]?.message).toMatch(/mode must be "duration"/);
    expect(wait.params.safeParse({}).error?.issues[0]).toMatchObject({ path: ['mode'] });
    expect(wait.params.safeParse({ mode: 'duration', durationMs: -1 }).error?.issues[0]?.message).toBe(
      'durationMs must not be negative',
    );
    expect(wait.params.safeParse({ mode: 'duration', durationMs: '5m' }).error?.issues[0]?.message).toMatch(
      /number of milliseconds/,
    );
    const local = wait.params.safeParse({ mode: 'until', until: '2030-01-31 09:00' });
    expect(local.error?.issues[0]).toMatchObject({ path: ['until'] });
    expect(local.error?.issues[0]?.message).toMatch(/ISO date-time with a time zone/);
    expect(wait.params.safeParse({ mode: 'webhook', timeoutMs: 0 }).error?.issues[0]?.message).toBe(
      'timeoutMs must be at least 1',
    );
  });
});
