import { describe, it, expect } from 'vitest';
import {
  CodeError,
  CodeMemoryError,
  CodeOutputError,
  CodeTimeoutError,
  SandboxError,
  contextsPreparedOnThisThread,
  isolatesCreatedOnThisThread,
  runUserCode,
} from './index.ts';
import { rejectionOf } from '@apiq/sdk/testing';
import type { Json } from '@apiq/sdk';

const failure = (work: Promise<unknown> | unknown) => rejectionOf<SandboxError>(work);

describe('runUserCode: values in and out', () => {
  it('runs the code as the body of an async function over the copied-in bindings', async () => {
    const { value } = await runUserCode({
      code: 'const total = input.items.reduce((sum, x) => sum + x, 0);\nawait null;\nreturn { total, event: trigger.event, item, index, steps };',
      data: { input: { items: [1, 2, 3] }, trigger: { event: 'push' }, item: 'a', index: 4, steps: { fetch: [1] } },
    });
    expect(value).toEqual({ total: 6, event: 'push', item: 'a', index: 4, steps: { fetch: [1] } });
  });

  it('turns undefined into null and values with toJSON into their JSON form', async () => {
    expect((await runUserCode({ code: 'return undefined;' })).value).toBeNull();
    expect((await runUserCode({ code: 'const x = 1;' })).value).toBeNull();
    expect((await runUserCode({ code: 'return { at: new Date(0), skip: undefined };' })).value).toEqual({
      at: '1970-01-01T00:00:00.000Z',
    });
  });

  it('gives the code a copy: changing it does not change the host data', async () => {
    const input = { list: [1, 2], nested: { a: 1 } };
    const { value } = await runUserCode({
      code: 'input.list.push(3); input.nested.a = 2; return input;',
      data: { input },
    });
    expect(value).toEqual({ list: [1, 2, 3], nested: { a: 2 } });
    expect(input).toEqual({ list: [1, 2], nested: { a: 1 } });
  });

  it('names the path of a value that is not JSON', async () => {
    const cases: Array<[string, RegExp]> = [
      ['return { items: [1, { fn() {} }] };', /a function at result\.items\[1\]\.fn/],
      ['return () => 1;', /a function at result\b/],
      ['return { s: Symbol("x") };', /a symbol at result\.s/],
      ['return { n: 1n };', /a BigInt .* at result\.n/],
      ['return { "a b": new Map() };', /a Map .* at result\["a b"\]/],
      ['return { s: new Set([1]) };', /a Set .* at result\.s/],
      ['const o = {}; o.self = o; return o;', /circular reference/],
    ];
    for (const [code, message] of cases) {
      const err = await failure(runUserCode({ code }));
      expect(err).toBeInstanceOf(CodeOutputError);
      expect(err.message).toMatch(/^Code node returned a value that is not JSON: /);
      expect(err.message).toMatch(message);
    }
  });

  it('refuses a result larger than maxOutputChars', async () => {
    const err = await failure(runUserCode({ code: 'return "x".repeat(2000);', maxOutputChars: 1000 }));
    expect(err).toBeInstanceOf(CodeOutputError);
    expect(err.message).toMatch(/returned 2,002 characters of JSON; the limit is 1,000/);
  });
});

describe('runUserCode: console', () => {
  it('captures console output by level, formatting values like JSON', async () => {
    const { logs } = await runUserCode({
      code: 'console.log("total", 3, { a: 1 }); console.info("i"); console.debug("d"); console.warn("w"); console.error(new Error("bad"));',
    });
    expect(logs.map((l) => [l.level, l.message.split('\n')[0]])).toEqual([
      ['info', 'total 3 {"a":1}'],
      ['info', 'i'],
      ['debug', 'd'],
      ['warn', 'w'],
      ['error', 'Error: bad'],
    ]);
    expect(Number.isNaN(Date.parse(logs[0]!.at))).toBe(false);
  });

  it('caps the number and size of messages', async () => {
    const { logs } = await runUserCode({
      code: 'for (let i = 0; i < 50; i++) console.log("x".repeat(100));',
      maxLogEntries: 5,
      maxLogChars: 10,
    });
    expect(logs).toHaveLength(6);
    expect(logs[0]!.message).toBe('xxxxxxxxxx');
    expect(logs[5]).toMatchObject({
      level: 'warn',
      message: expect.stringMatching(/Log limit reached: only the first 5/),
    });
  });

  it('keeps the console output of a run that failed', async () => {
    const err = await failure(runUserCode({ code: 'console.log("before");\nthrow new Error("after");' }));
    expect(err.logs.map((l) => l.message)).toEqual(['before']);
  });
});

describe('runUserCode: errors point at the user code', () => {
  it('reports the line of a runtime error counted from the first line of the code', async () => {
    const err = await failure(runUserCode({ code: 'const a = 1;\n\nconst b = input.missing.field;\nreturn b;' }));
    expect(err).toBeInstanceOf(CodeError);
    expect(err).toMatchObject({ line: 3, errorName: 'TypeError' });
    expect(err.message).toMatch(/^Code failed at line 3: TypeError: Cannot read properties of undefined/);
  });

  it('reports the line of a syntax error', async () => {
    const err = await failure(runUserCode({ code: 'const ok = 1;\nconst a = ;' }));
    expect(err).toBeInstanceOf(CodeError);
    expect(err.message).toBe("Code failed at line 2: SyntaxError: Unexpected token ';'");
  });

  it('reports thrown non-errors', async () => {
    const err = await failure(runUserCode({ code: 'throw "nope";' }));
    expect(err.message).toBe('Code failed: Thrown value: nope');
  });

  it('rejects code that closes the function it runs in', async () => {
    const err = await failure(runUserCode({ code: '}); globalThis.escaped = 1; (function () {' }));
    expect(err).toBeInstanceOf(CodeError);
    expect(err.message).toMatch(/not a valid function body/);
  });

  it('explains missing Node.js APIs', async () => {
    const err = await failure(runUserCode({ code: 'return require("fs");' }));
    expect(err.message).toMatch(/require is not defined: Code nodes run isolated JavaScript without Node\.js APIs/);
  });
});

describe('runUserCode: limits', () => {
  it('stops a busy loop at the time limit', async () => {
    const err = await failure(runUserCode({ code: 'while (true) {}', timeoutMs: 100 }));
    expect(err).toBeInstanceOf(CodeTimeoutError);
    expect(err.message).toMatch(/^Code ran longer than 100 ms and was stopped\. /);
  });

  it('stops a busy loop that starts after an await', async () => {
    const err = await failure(runUserCode({ code: 'await null; for (;;) {}', timeoutMs: 100 }));
    expect(err).toBeInstanceOf(CodeTimeoutError);
  });

  it('stops code waiting for a promise that never settles', async () => {
    const err = await failure(runUserCode({ code: 'await new Promise(() => {});', timeoutMs: 100 }));
    expect(err).toBeInstanceOf(CodeTimeoutError);
    expect(err.message).toMatch(/waiting for a promise that never settled/);
    expect((await runUserCode({ code: 'return 1;' })).value).toBe(1);
  });

  it('stops code over the memory limit, then runs the next call on a new isolate', async () => {
    await runUserCode({ code: 'return 0;', memoryMb: 32 });
    const before = isolatesCreatedOnThisThread();
    const err = await failure(
      runUserCode({ code: 'const a = []; while (true) a.push(new Array(1e6).fill(1));', memoryMb: 32 }),
    );
    expect(err).toBeInstanceOf(CodeMemoryError);
    expect(err.message).toBe(
      'Code used more than 32 MB of memory and was stopped. Process less data per run, or raise memoryMb.',
    );
    expect((await runUserCode({ code: 'return input * 2;', data: { input: 21 }, memoryMb: 32 })).value).toBe(42);
    expect(isolatesCreatedOnThisThread()).toBe(before + 1);
  });

  it('says so when the input alone does not fit in the memory limit', async () => {
    const input = Array.from({ length: 200_000 }, (_, i) => ({ i, text: 'x'.repeat(100) }));
    const err = await failure(runUserCode({ code: 'return input.length;', data: { input }, memoryMb: 8 }));
    expect(err).toBeInstanceOf(CodeMemoryError);
    expect(err.message).toMatch(/^The input data does not fit in the code's memory limit of 8 MB/);
  });

  it('cancels a run when the signal aborts', async () => {
    const controller = new AbortController();
    const run = runUserCode({ code: 'await new Promise(() => {});', timeoutMs: 10_000, signal: controller.signal });
    controller.abort();
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect((await runUserCode({ code: 'return 2;' })).value).toBe(2);
  });

  it('rejects invalid options', async () => {
    await expect(runUserCode({ code: 'return 1', memoryMb: 4 })).rejects.toThrow(
      /memoryMb must be an integer of at least 8/,
    );
    await expect(runUserCode({ code: 'return 1', timeoutMs: 0 })).rejects.toThrow(/timeoutMs must be an integer/);
  });
});

describe('runUserCode: isolation between calls', () => {
  it('gives every call without a reuseKey a fresh context: globals and changed built-ins do not carry over', async () => {
    await runUserCode({
      code: 'globalThis.leaked = 1; Object.prototype.polluted = 1; Array.prototype.map = () => "hijacked"; input.__proto__.viaInput = 1;',
      data: { input: {} },
    });
    const { value } = await runUserCode({
      code: 'return [typeof leaked, ({}).polluted, ({}).viaInput, [1].map((x) => x + 1)];',
    });
    expect(value).toEqual(['undefined', null, null, [2]]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).viaInput).toBeUndefined();
  });

  it('reuses the warm isolate for ordinary calls', async () => {
    await runUserCode({ code: 'return 0;' });
    const before = isolatesCreatedOnThisThread();
    for (let i = 0; i < 20; i++) {
      expect((await runUserCode({ code: 'return index * 2;', data: { index: i } })).value).toBe(i * 2);
    }
    expect(isolatesCreatedOnThisThread()).toBe(before);
  });

  it('contains a memory kill to its own call when calls run concurrently', async () => {
    const results = await Promise.allSettled([
      runUserCode({ code: 'return 1;' }),
      runUserCode({ code: 'const a = []; while (true) a.push(new Array(1e6).fill(1));' }),
      runUserCode({ code: 'return 3;' }),
      runUserCode({ code: 'return 4;' }),
    ]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value.value : (r.reason as Error).name))).toEqual([
      1,
      'CodeMemoryError',
      3,
      4,
    ]);
  });

  it('hides the host globals and the built-ins that escape the limits', async () => {
    const { value } = await runUserCode({
      code: 'return [typeof __apiq_host, typeof __apiq_log, typeof WebAssembly, typeof FinalizationRegistry, typeof Atomics.waitAsync, typeof process, typeof require, typeof fetch, typeof setTimeout];',
    });
    expect(value).toEqual(Array(9).fill('undefined'));
  });
});

describe('runUserCode: runs sharing a context (reuseKey)', () => {
  /** Runs `code` `times` times under `reuseKey`; returns the values and how many contexts were prepared. */
  async function repeat(code: string, times: number, reuseKey = 'workflow-a', input: Json = null) {
    const before = contextsPreparedOnThisThread();
    const values: unknown[] = [];
    for (let i = 0; i < times; i++) values.push((await runUserCode({ code, reuseKey, data: { input } })).value);
    return { values, prepared: contextsPreparedOnThisThread() - before };
  }

  it('prepares one context for repeated runs of the same code and key', async () => {
    const { values, prepared } = await repeat('return input.n * 2;', 5, 'workflow-a', { n: 21 });
    expect(values).toEqual([42, 42, 42, 42, 42]);
    expect(prepared).toBeLessThanOrEqual(1);
    // Without a key every run prepares its own context.
    const before = contextsPreparedOnThisThread();
    for (let i = 0; i < 3; i++) await runUserCode({ code: 'return 1;' });
    expect(contextsPreparedOnThisThread() - before).toBe(3);
  });

  it('never shares a context between keys or between different code', async () => {
    const code = `return ${JSON.stringify(`unique ${Math.random()}`)};`;
    const before = contextsPreparedOnThisThread();
    await runUserCode({ code, reuseKey: 'workflow-a' });
    await runUserCode({ code, reuseKey: 'workflow-b' });
    await runUserCode({ code: `${code} // changed`, reuseKey: 'workflow-a' });
    expect(contextsPreparedOnThisThread() - before).toBe(3);
  });

  const changes: Array<[string, string]> = [
    ['a new global', 'globalThis.leaked = input;'],
    ['an implicit global (sloppy assignment)', 'leakedToo = input;'],
    ['a replaced global', 'JSON = { stringify: () => "{}" };'],
    ['a polluted Object.prototype', 'Object.prototype.polluted = input;'],
    ['a replaced Array.prototype method', 'Array.prototype.map = function () { return [input]; };'],
    ['a Function.prototype property', 'Function.prototype.polluted = input;'],
    ['a changed accessor', 'Object.defineProperty(Map.prototype, "size", { get: () => 42, configurable: true });'],
    ['a hidden intrinsic', 'Object.getPrototypeOf([][Symbol.iterator]()).polluted = input;'],
    ['a changed prototype chain', 'Object.setPrototypeOf(Array.prototype, { polluted: input });'],
    ['a frozen prototype', 'Object.freeze(String.prototype);'],
    ['Error.prepareStackTrace', 'Error.prepareStackTrace = () => input;'],
    ['a change made after the run returned', 'Promise.resolve().then(() => { Object.prototype.late = input; });'],
  ];
  const probe = `return [typeof leaked, typeof leakedToo, JSON.stringify({ a: 1 }), ({}).polluted ?? null, [1].map((x) => x + 1),
    (() => {}).polluted ?? null, new Map().size, Object.getPrototypeOf([][Symbol.iterator]()).polluted ?? null,
    Object.isFrozen(String.prototype), ({}).late ?? null, typeof Error.prepareStackTrace, [].polluted ?? null];`;
  const pristine = ['undefined', 'undefined', '{"a":1}', null, [2], null, 0, null, false, null, 'undefined', null];

  for (const [what, change] of changes) {
    it(`starts a fresh context after ${what}`, async () => {
      const code = `const seen = (() => { ${probe} })();\n${change}\nreturn seen;`;
      const { values } = await repeat(code, 3, 'workflow-a', 'secret of an earlier run');
      expect(values).toEqual([pristine, pristine, pristine]);
    });
  }

  it('gives every new context its own Math.random sequence', async () => {
    const fresh = await Promise.all([1, 2, 3].map(() => runUserCode({ code: 'return Math.random();' })));
    expect(new Set(fresh.map((r) => r.value)).size).toBe(3);
  });

  it('deletes the globals a run added and keeps the context', async () => {
    const code =
      'const before = typeof total;\ntotal = 0;\nfor (const x of input) total += x;\nreturn [before, total];';
    const { values, prepared } = await repeat(code, 4, `sweep ${Math.random()}`, [1, 2, 3]);
    expect(values).toEqual(Array(4).fill(['undefined', 6]));
    expect(prepared).toBe(1);
  });

  it('freezes built-in functions: changing a static method has no effect', async () => {
    const { values } = await repeat(
      'const before = Object.keys({ a: 1 });\nObject.keys = () => ["hijacked"];\nDate.now = () => 0;\nreturn [before, Object.keys({ a: 1 }), Date.now() > 0, Object.isFrozen(Object)];',
      2,
    );
    expect(values).toEqual([
      [['a'], ['a'], true, true],
      [['a'], ['a'], true, true],
    ]);
  });

  it('drops a context whose run timed out and runs the next call on a new one', async () => {
    const code = 'if (input.spin) while (true) {}\nreturn "done";';
    expect((await runUserCode({ code, reuseKey: 'workflow-a', data: { input: { spin: false } } })).value).toBe('done');
    const before = contextsPreparedOnThisThread();
    const err = await failure(
      runUserCode({ code, reuseKey: 'workflow-a', timeoutMs: 50, data: { input: { spin: true } } }),
    );
    expect(err).toBeInstanceOf(CodeTimeoutError);
    expect((await runUserCode({ code, reuseKey: 'workflow-a', data: { input: { spin: false } } })).value).toBe('done');
    // The kept context is dropped when the brief first try runs out, the full-limit retry gets a
    // new one (dropped when it times out too), and the next call a third.
    expect(contextsPreparedOnThisThread() - before).toBe(2);
  });

  it('gives code that outlasts the brief first try its full time limit, with a clean console', async () => {
    const code =
      'console.log("start");\nconst end = Date.now() + 40;\nwhile (Date.now() < end) {}\nawait null;\nreturn "slow but done";';
    const { value, logs } = await runUserCode({ code, reuseKey: 'workflow-a', timeoutMs: 1000 });
    expect(value).toBe('slow but done');
    expect(logs.map((l) => l.message)).toEqual(['start']);
  });

  it('sends code that outlasted the first try straight to the full limit the next time', async () => {
    const code = `// ${Math.random()}\nconst end = Date.now() + 20;\nwhile (Date.now() < end) {}\nreturn 1;`;
    const before = contextsPreparedOnThisThread();
    for (let i = 0; i < 3; i++) expect((await runUserCode({ code, reuseKey: 'workflow-slow' })).value).toBe(1);
    // The first try's context is dropped once; every later run uses the kept one directly.
    expect(contextsPreparedOnThisThread() - before).toBe(2);
  });

  it('gives code that awaits something the first try cannot settle the full limit, then stops it', async () => {
    const started = Date.now();
    const err = await failure(
      runUserCode({ code: 'await new Promise(() => {});', reuseKey: 'workflow-a', timeoutMs: 200 }),
    );
    expect(err).toBeInstanceOf(CodeTimeoutError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
  });

  it('keeps the console of each run to that run', async () => {
    const code = 'console.log("run", input);\nreturn input;';
    const first = await runUserCode({ code, reuseKey: 'workflow-a', data: { input: 1 } });
    const second = await runUserCode({ code, reuseKey: 'workflow-a', data: { input: 2 } });
    expect(first.logs.map((l) => l.message)).toEqual(['run 1']);
    expect(second.logs.map((l) => l.message)).toEqual(['run 2']);
  });
});
