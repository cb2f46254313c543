/**
 * Builds the script that runs inside the isolate: a small runner plus the user's code as the
 * body of an async function. The runner is the only part that sees the host-provided globals;
 * it removes them (and the few built-ins that escape the time or memory limits) before the
 * user's function runs, then turns the result into a JSON string or an error description.
 */

/** Script name shown in stack traces; line numbers in it count from the user's first line. */
export const USER_CODE_FILENAME = 'user-code.js';

/** Names of the bindings the user's code sees, in parameter order. */
export const USER_CODE_BINDINGS = ['input', 'trigger', 'item', 'index', 'steps'] as const;

/** Global names the host sets before each run; the runner deletes them before user code runs. */
export const HOST_DATA_GLOBAL = '__apiq_host';
export const HOST_LOG_GLOBAL = '__apiq_log';

/** What the runner resolves with (copied out of the isolate; the host still checks its shape). */
export type RunnerOutcome =
  | { ok: true; json: string }
  | { ok: false; kind: 'thrown'; name: string; message: string; stack: string }
  | { ok: false; kind: 'not_json'; what: string; path: string }
  | { ok: false; kind: 'too_large'; chars: number };

/**
 * Built-ins deleted from every context:
 * - WebAssembly: its memories are allocated outside the isolate's memory limit, and its async
 *   compile never settles inside isolated-vm.
 * - Atomics.waitAsync: resolving it posts a task that aborts the whole process in isolated-vm 5.
 * - FinalizationRegistry: its callbacks run as later tasks, outside the per-run time limit.
 */
const RUNNER = String.raw`
  'use strict';
  const host = globalThis.${HOST_DATA_GLOBAL};
  const hostLog = globalThis.${HOST_LOG_GLOBAL};
  delete globalThis.${HOST_DATA_GLOBAL};
  delete globalThis.${HOST_LOG_GLOBAL};
  delete globalThis.WebAssembly;
  delete globalThis.FinalizationRegistry;
  delete Atomics.waitAsync;

  const stringify = JSON.stringify;
  const toStr = String;
  const isArray = Array.isArray;
  const apply = Reflect.apply;
  const PathMap = WeakMap;
  const getPath = WeakMap.prototype.get;
  const setPath = WeakMap.prototype.set;
  const MapC = Map;
  const SetC = Set;
  const limits = host.limits;
  const data = host.data;

  const show = (value) => {
    if (typeof value === 'string') return value;
    if (typeof value === 'function') return '[Function ' + (value.name || 'anonymous') + ']';
    if (typeof value === 'symbol' || typeof value === 'bigint' || value === undefined) return toStr(value);
    if (value instanceof Error) return value.stack || value.name + ': ' + value.message;
    try {
      const text = stringify(value);
      return text === undefined ? toStr(value) : text;
    } catch {
      try { return toStr(value); } catch { return '[unprintable value]'; }
    }
  };
  let logCount = 0;
  const logger = (level) => function (...args) {
    if (logCount > limits.maxLogEntries) return;
    logCount++;
    let message = '';
    for (let i = 0; i < args.length; i++) message += (i ? ' ' : '') + show(args[i]);
    if (message.length > limits.maxLogChars) message = message.slice(0, limits.maxLogChars);
    hostLog(level, message);
  };
  globalThis.console = {
    log: logger('info'), info: logger('info'), debug: logger('debug'), warn: logger('warn'), error: logger('error'),
  };

  const describeThrown = (e) => {
    let name = 'Error', message = '', stack = '';
    try {
      if (e !== null && (typeof e === 'object' || typeof e === 'function')) {
        name = toStr(e.name ?? 'Error');
        message = typeof e.message === 'string' ? e.message : show(e);
        stack = typeof e.stack === 'string' ? e.stack : '';
      } else {
        name = 'Thrown value';
        message = show(e);
      }
    } catch {
      message = '(the thrown value could not be read)';
    }
    return { ok: false, kind: 'thrown', name: name.slice(0, 200), message: message.slice(0, 2000), stack: stack.slice(0, 4000) };
  };

  const identifier = /^[A-Za-z_$][\w$]*$/;
  const serialize = (value) => {
    if (value === undefined) return { ok: true, json: 'null' };
    const paths = new PathMap();
    let problem = null;
    const replacer = function (key, v) {
      const parent = apply(getPath, paths, [this]);
      const path = parent === undefined ? 'result'
        : isArray(this) ? parent + '[' + key + ']'
        : identifier.test(key) ? parent + '.' + key : parent + '[' + stringify(key) + ']';
      let what = null;
      if (typeof v === 'function') what = 'a function';
      else if (typeof v === 'symbol') what = 'a symbol';
      else if (typeof v === 'bigint') what = 'a BigInt (convert it with Number() or String())';
      else if (v instanceof MapC) what = 'a Map (convert it with Object.fromEntries(map))';
      else if (v instanceof SetC) what = 'a Set (convert it with [...set])';
      if (what !== null) {
        problem = { ok: false, kind: 'not_json', what, path };
        throw problem;
      }
      if (v !== null && typeof v === 'object') apply(setPath, paths, [v, path]);
      return v;
    };
    let json;
    try {
      json = stringify(value, replacer);
    } catch (e) {
      if (problem !== null) return problem;
      const why = e instanceof TypeError && /circular/i.test(e.message) ? 'an object that contains itself (a circular reference)' : show(e);
      return { ok: false, kind: 'not_json', what: why, path: 'result' };
    }
    if (json === undefined) json = 'null';
    if (json.length > limits.maxOutputChars) return { ok: false, kind: 'too_large', chars: json.length };
    return { ok: true, json };
  };

  return (async () => {
    let value;
    try {
      value = await userFn(data.input, data.trigger, data.item, data.index, data.steps);
    } catch (e) {
      return describeThrown(e);
    }
    return serialize(value);
  })();
`;

const PREFIX = `(function (userFn) {${RUNNER}})(async function (${USER_CODE_BINDINGS.join(', ')}) {\n`;
const SUFFIX = '\n});\n';

/** Line offset that makes the user's first line report as line 1 in stack traces. */
export const USER_CODE_LINE_OFFSET = -PREFIX.split('\n').length + 1;

/**
 * Wraps user code (the body of an async function) into the runner script.
 *
 * @example
 * const source = wrapUserCode('return input.a + 1;');
 * isolate.compileScript(source, { filename: USER_CODE_FILENAME, lineOffset: USER_CODE_LINE_OFFSET });
 */
export function wrapUserCode(code: string): string {
  return PREFIX + code + SUFFIX;
}

/** Finds the first stack frame inside the user's code: `{ line, column }` counted from the user's first line. */
export function userCodePosition(stack: string, userLineCount: number): { line: number; column: number } | undefined {
  const frame = new RegExp(`${USER_CODE_FILENAME.replace('.', '\\.')}:(\\d+):(\\d+)`, 'g');
  for (const match of stack.matchAll(frame)) {
    const line = Number(match[1]);
    if (line >= 1 && line <= userLineCount) return { line, column: Number(match[2]) };
  }
  return undefined;
}

/** Splits a V8 compile error message `Unexpected token ';' [user-code.js:2:13]` into text and position. */
export function parseCompileError(message: string): { message: string; line?: number; column?: number } {
  const match = new RegExp(`^(.*) \\[${USER_CODE_FILENAME.replace('.', '\\.')}:(-?\\d+):(\\d+)\\]$`, 's').exec(message);
  if (!match) return { message };
  return { message: match[1]!, line: Number(match[2]), column: Number(match[3]) };
}
