import { describe, it, expect } from 'vitest';
import { checkDefinition, FatalError, paramsJsonSchema, serializeError, type LogEntry } from '@apiq/sdk';
import { runNode, testContext, rejectionOf } from '@apiq/sdk/testing';
import { code, loopIndex } from './index.ts';

const trigger = { event: 'order.created' };

/** The logs as [level, message] pairs. */
function levelsAndMessages(logs: LogEntry[]): Array<[string, string]> {
  return logs.map((entry) => [entry.level, entry.message]);
}

const failure = (work: Promise<unknown> | unknown) => rejectionOf<FatalError>(work);

describe('core.code', () => {
  it('is a valid, side-effect-free, idempotent code node', () => {
    expect(checkDefinition(code)).toEqual([]);
    expect(code).toMatchObject({
      id: 'core.code',
      version: 1,
      title: 'Code',
      category: 'code',
      sideEffects: false,
      idempotent: true,
    });
    expect(code.icon).toMatch(/^<svg /);
    expect(paramsJsonSchema(code)).toMatchObject({ required: ['code'] });
  });

  it('applies the default limits and checks their ranges', () => {
    expect(code.params.parse({ code: 'return 1;' })).toEqual({ code: 'return 1;', timeoutMs: 1000, memoryMb: 64 });
    expect(code.params.safeParse({ code: '' }).error?.issues[0]?.message).toMatch(/code is required/);
    expect(code.params.safeParse({ code: 'x', timeoutMs: 60001 }).error?.issues[0]).toMatchObject({
      path: ['timeoutMs'],
    });
    expect(code.params.safeParse({ code: 'x', memoryMb: 4 }).error?.issues[0]).toMatchObject({ path: ['memoryMb'] });
  });

  it('outputs what the code returns and forwards console output to the step log', async () => {
    const params = {
      code: 'const total = input.items.reduce((sum, x) => sum + x.price, 0);\nconsole.log("items", input.items.length);\nconsole.warn("careful");\nreturn { total, event: trigger.event, steps };',
    };
    const { result, logs } = await runNode(code, { params, input: { items: [{ price: 2 }, { price: 3 }] }, trigger });
    expect(result).toEqual({ output: { total: 5, event: 'order.created', steps: {} } });
    expect(levelsAndMessages(logs)).toEqual([
      ['info', 'items 2'],
      ['warn', 'careful'],
    ]);
  });

  it('runs the README example', async () => {
    const params = {
      code: 'const total = input.items.reduce((sum, item) => sum + item.price * item.qty, 0);\nconsole.log(`${input.items.length} items`);\nreturn { orderId: input.id, total: Math.round(total * 100) / 100 };',
      timeoutMs: 1000,
    };
    const input = {
      id: 7,
      items: [
        { price: 2.5, qty: 2 },
        { price: 1, qty: 3 },
      ],
    };
    const { result, logs } = await runNode(code, { params, input, trigger });
    expect(result).toEqual({ output: { orderId: 7, total: 8 } });
    expect(levelsAndMessages(logs)).toEqual([['info', '2 items']]);
  });

  it('passes item and index inside a loop, and leaves them undefined outside', async () => {
    const params = { code: 'return { item: item ?? null, index: index ?? null };' };
    const inLoop = await runNode(code, { params, input: { sku: 'a' }, trigger, run: { iteration: '2' } });
    expect(inLoop.result).toEqual({ output: { item: { sku: 'a' }, index: 2 } });
    const outside = await runNode(code, { params, input: { sku: 'a' }, trigger, run: { iteration: '' } });
    expect(outside.result).toEqual({ output: { item: null, index: null } });
  });

  it('turns a bug in the code into a fatal error with the line, keeping the logs', async () => {
    const params = code.params.parse({ code: 'console.log("start");\nreturn input.customer.name;' });
    const ctx = testContext(params, { input: {}, trigger });
    const err = await failure(code.run(ctx));
    expect(err).toBeInstanceOf(FatalError);
    expect(serializeError(err)).toMatchObject({
      kind: 'fatal',
      message: expect.stringMatching(/^Code failed at line 2: TypeError: Cannot read properties of undefined/),
      details: { error: 'CodeError', line: 2 },
    });
    expect(levelsAndMessages(ctx.logs)).toEqual([['info', 'start']]);
  });

  it('turns a timeout into a fatal error naming the limit', async () => {
    const err = await failure(
      runNode(code, { params: { code: 'while (true) {}', timeoutMs: 50 }, input: null, trigger }),
    );
    expect(serializeError(err)).toMatchObject({
      kind: 'fatal',
      message: expect.stringMatching(/^Code ran longer than 50 ms/),
    });
  });

  it('reports a cancelled run as cancelled, not as a code failure', async () => {
    const params = code.params.parse({ code: 'await new Promise(() => {});', timeoutMs: 10_000 });
    const controller = new AbortController();
    const run = code.run(testContext(params, { input: null, trigger, signal: controller.signal }));
    controller.abort();
    expect(serializeError(await failure(run))).toMatchObject({ kind: 'cancelled' });
  });
});

describe('loopIndex', () => {
  it('reads the innermost loop position', () => {
    expect(loopIndex('')).toBeUndefined();
    expect(loopIndex('3')).toBe(3);
    expect(loopIndex('3.0')).toBe(0);
  });
});
