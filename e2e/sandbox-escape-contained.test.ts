import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runUserCode } from '@apiq/sandbox';
import { FatalError, type Json, type NodeContext } from '@apiq/sdk';
import { code as codeNode } from '@apiq/node-code';

/**
 * Hostile code run through the sandbox and through the Code node: every attempt must end in
 * a clear error (or a harmless value), must not touch the host, and must leave the thread able
 * to run the next ordinary call correctly.
 */

interface Attack {
  name: string;
  code: string;
  error: string;
  message: RegExp;
}

let server: Server;
let port = 0;
let requestsSeen = 0;

beforeAll(async () => {
  server = createServer((_req, res) => {
    requestsSeen++;
    res.end('reached the host network');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  expect(requestsSeen).toBe(0);
});

const ATTACKS: Attack[] = [
  {
    name: 'constructor chain to the host Function',
    code: "return this.constructor.constructor('return process')();",
    error: 'CodeError',
    message: /^Code failed at line 1: ReferenceError: process is not defined/,
  },
  {
    name: 'constructor chain through console',
    code: "return console.log.constructor('return process.env')();",
    error: 'CodeError',
    message: /ReferenceError: process is not defined/,
  },
  {
    name: 'globalThis.process',
    code: 'return globalThis.process.env;',
    error: 'CodeError',
    message: /TypeError: Cannot read properties of undefined \(reading 'env'\)/,
  },
  {
    name: "require('fs')",
    code: "const fs = require('fs');\nreturn fs.readFileSync('/etc/passwd', 'utf8');",
    error: 'CodeError',
    message: /^Code failed at line 1: ReferenceError: require is not defined/,
  },
  {
    name: "import('fs')",
    code: "const fs = await import('fs');\nreturn fs.readFileSync('/etc/passwd', 'utf8');",
    error: 'CodeError',
    message: /import\(\) is not available/,
  },
  {
    name: 'fetch to a local server',
    code: "const res = await fetch('http://127.0.0.1:' + input.port + '/');\nreturn await res.text();",
    error: 'CodeError',
    message: /ReferenceError: fetch is not defined/,
  },
  {
    name: 'busy loop',
    code: 'while (true) {}',
    error: 'CodeTimeoutError',
    message: /^Code ran longer than 1000 ms and was stopped\./,
  },
  {
    name: 'promise that never settles',
    code: 'await new Promise(() => {});\nreturn 1;',
    error: 'CodeTimeoutError',
    message: /^Code ran longer than 1000 ms and was stopped \(it was still waiting for a promise that never settled\)/,
  },
  {
    name: 'memory bomb',
    code: 'const a = [];\nwhile (true) a.push(new Array(1e6).fill(1));',
    error: 'CodeMemoryError',
    message: /^Code used more than 64 MB of memory and was stopped\./,
  },
  {
    name: 'huge return value',
    code: "return 'x'.repeat(11e6);",
    error: 'CodeOutputError',
    message: /^Code node returned 11,000,002 characters of JSON; the limit is 10,000,000\./,
  },
  {
    name: 'WebAssembly memory outside the heap limit',
    code: 'const m = new WebAssembly.Memory({ initial: 16000 });\nreturn m.buffer.byteLength;',
    error: 'CodeError',
    message: /ReferenceError: WebAssembly is not defined/,
  },
  {
    name: 'Atomics.waitAsync (aborts the process when it resolves)',
    code: 'const r = Atomics.waitAsync(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);\nreturn await r.value;',
    error: 'CodeError',
    message: /TypeError: Atomics\.waitAsync is not a function/,
  },
  {
    name: 'FinalizationRegistry callbacks outside the time limit',
    code: 'const registry = new FinalizationRegistry(() => { while (true) {} });\nregistry.register({}, 1);',
    error: 'CodeError',
    message: /ReferenceError: FinalizationRegistry is not defined/,
  },
  {
    name: 'breaking out of the function wrapper',
    code: '}); globalThis.escaped = this.constructor.constructor("return this")(); (async function () {',
    error: 'CodeError',
    message: /SyntaxError: the code is not a valid function body/,
  },
];

/** Code that tries to reach host objects without throwing; the right answer is what it returns. */
const QUIET_PROBES: Array<{ name: string; code: string; value: Json }> = [
  {
    name: 'the Function reached through the global object is the isolate own',
    code: "return globalThis.constructor.constructor('return typeof process + typeof require + typeof global')();",
    value: 'undefinedundefinedundefined',
  },
  {
    // Built-in functions are frozen, so Error.prepareStackTrace cannot be installed at all; the
    // frame walk below would only run (and must find nothing) if that ever changed.
    name: 'stack frames reveal no host objects',
    code: [
      'const found = [];',
      'Error.prepareStackTrace = (_, frames) => frames;',
      "const frames = (function probe() { return new Error('probe').stack; })();",
      "if (typeof frames === 'string') return { frames: 'a string', found };",
      'for (const frame of frames) {',
      '  for (const candidate of [frame.getThis(), frame.getFunction()]) {',
      '    try {',
      "      const kind = candidate.constructor.constructor('return typeof process')();",
      "      if (kind !== 'undefined') found.push(kind);",
      '    } catch {}',
      '  }',
      '}',
      "return { frames: 'objects', found };",
    ].join('\n'),
    value: { frames: 'a string', found: [] },
  },
  {
    name: 'the host globals the runner used are gone',
    code: "return [typeof __apiq_host, typeof __apiq_log, Object.keys(globalThis).filter((k) => k.startsWith('__apiq'))];",
    value: ['undefined', 'undefined', []],
  },
];

const NORMAL = {
  code: 'return input.items.reduce((sum, x) => sum + x, 0);',
  input: { items: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] },
  value: 55,
};

function nodeCtx(
  code: string,
  input: Json,
  workflowId = 'wf-1',
): NodeContext<ReturnType<typeof codeNode.params.parse>> {
  return {
    params: codeNode.params.parse({ code }),
    input,
    inputs: { main: input },
    trigger: null,
    credentials: {},
    fetch: () => Promise.reject(new Error('the Code node must not fetch')),
    log: { debug() {}, info() {}, warn() {}, error() {} },
    signal: new AbortController().signal,
    idempotencyKey: 'sandbox-escape',
    state: { get: () => undefined, set() {} },
    run: { runId: 'run-1', workflowId, stepId: 'hostile_code', attempt: 1, iteration: '' },
  };
}

async function caught(work: Promise<unknown>): Promise<Error> {
  try {
    await work;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the hostile code to fail, but it returned a value');
}

describe('sandbox escapes are contained (runUserCode)', () => {
  for (const attack of ATTACKS) {
    it(`${attack.name}: clear error, then the next call works`, async () => {
      const err = await caught(runUserCode({ code: attack.code, data: { input: { items: [1], port } } }));
      expect(err.name).toBe(attack.error);
      expect(err.message).toMatch(attack.message);
      const next = await runUserCode({ code: NORMAL.code, data: { input: NORMAL.input } });
      expect(next.value).toBe(NORMAL.value);
    });
  }

  for (const probe of QUIET_PROBES) {
    it(`${probe.name}`, async () => {
      expect((await runUserCode({ code: probe.code })).value).toEqual(probe.value);
    });
  }

  it('prototype pollution through the input stays inside the call', async () => {
    const input = { items: [1] };
    const { value } = await runUserCode({
      code: 'input.__proto__.polluted = 1;\ninput.constructor.prototype.viaConstructor = 1;\nObject.prototype.direct = 1;\nreturn [({}).polluted, ({}).viaConstructor, ({}).direct];',
      data: { input },
    });
    expect(value).toEqual([1, 1, 1]);
    const host = {} as Record<string, unknown>;
    expect([host.polluted, host.viaConstructor, host.direct]).toEqual([undefined, undefined, undefined]);
    expect(Object.getPrototypeOf(input)).toBe(Object.prototype);
    const next = await runUserCode({ code: 'return [({}).polluted, ({}).viaConstructor, ({}).direct];' });
    expect(next.value).toEqual([null, null, null]);
  });

  it('the local server saw no request', () => {
    expect(requestsSeen).toBe(0);
  });
});

describe('sandbox escapes are contained (Code node)', () => {
  for (const attack of ATTACKS) {
    it(`${attack.name}: fatal error with the same message, then the next run works`, async () => {
      const err = await caught(Promise.resolve(codeNode.run(nodeCtx(attack.code, { items: [1], port }))));
      expect(err).toBeInstanceOf(FatalError);
      expect(err.message).toMatch(attack.message);
      expect(await codeNode.run(nodeCtx(NORMAL.code, NORMAL.input))).toEqual({ output: NORMAL.value });
    });
  }

  for (const probe of QUIET_PROBES) {
    it(`${probe.name}`, async () => {
      expect(await codeNode.run(nodeCtx(probe.code, null))).toEqual({ output: probe.value });
    });
  }

  it('prototype pollution through the input does not reach the host or the next run', async () => {
    const input = { items: [1] };
    await codeNode.run(nodeCtx('input.__proto__.polluted = 1;\nObject.prototype.direct = 1;\nreturn 1;', input));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).direct).toBeUndefined();
    expect(await codeNode.run(nodeCtx('return [({}).polluted ?? null, ({}).direct ?? null];', null))).toEqual({
      output: [null, null],
    });
  });

  it('a run of the same code in the same workflow sees nothing an earlier run left behind', async () => {
    // Runs of one workflow's code share a warm context; anything a run changes retires it.
    const code =
      'const seen = [({}).stolen ?? null, typeof globalThis.stash, [1].map((x) => x)];\nObject.prototype.stolen = input;\nglobalThis.stash = input;\nArray.prototype.map = () => [input];\nreturn seen;';
    const clean = { output: [null, 'undefined', [1]] };
    expect(await codeNode.run(nodeCtx(code, { card: '4242 first caller' }))).toEqual(clean);
    expect(await codeNode.run(nodeCtx(code, { card: '5555 second caller' }))).toEqual(clean);
    expect(await codeNode.run(nodeCtx(code, { card: 'another workflow' }, 'wf-2'))).toEqual(clean);
  });

  it('the local server saw no request', () => {
    expect(requestsSeen).toBe(0);
  });
});
