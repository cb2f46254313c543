/**
 * The scripts that run inside a sandbox isolate: a runner prepared once into the isolate's
 * snapshot, and the user's code as the body of an async function handed to it. The runner is
 * the only part that sees the host's log callback; it removes it (and the few built-ins that
 * escape the time or memory limits) before the user's function can run, and turns each run's
 * result into a JSON string or an error description.
 */

/** Script name shown in stack traces; line numbers in it count from the user's first line. */
export const USER_CODE_FILENAME = 'user-code.js';

/** Names of the bindings the user's code sees, in parameter order. */
export const USER_CODE_BINDINGS = ['input', 'trigger', 'item', 'index', 'steps'] as const;

/** Global name of the log callback the host sets on a new context; the runner takes it and deletes it. */
export const HOST_LOG_GLOBAL = '__apiq_log';
/** Global name of the prepared runner's `attach`; the code's script calls it once, which deletes it. */
const ATTACH_GLOBAL = '__apiq_attach';

/** What the runner resolves with (copied out of the isolate; the host still checks its shape). */
export type RunnerOutcome =
  | { ok: true; json: string }
  | { ok: false; kind: 'thrown'; name: string; message: string; stack: string }
  | { ok: false; kind: 'not_json'; what: string; path: string }
  | { ok: false; kind: 'too_large'; chars: number }
  /** The context changed since its last run (a global or built-in was altered); nothing ran. */
  | { ok: false; kind: 'tainted' };

/**
 * The script every context of a sandbox isolate starts from (it is baked into the isolate's
 * V8 snapshot, so a new context costs no more than a bare one). It deletes the built-ins that
 * escape the limits:
 * - WebAssembly: its memories are allocated outside the isolate's memory limit, and its async
 *   compile never settles inside isolated-vm.
 * - Atomics.waitAsync: resolving it posts a task that aborts the whole process in isolated-vm 5.
 * - FinalizationRegistry: its callbacks run as later tasks, outside the per-run time limit.
 *
 * It then freezes the built-in functions and records the state of every other object the code
 * can reach (the global object, prototypes, namespaces, hidden intrinsics such as the iterator
 * and async-function prototypes), and leaves one global, `attach(userFn)`, for the code's own
 * script (`wrapUserCode`). Attaching deletes that global and the host's log callback, and
 * returns `run(data, maxOutputChars, maxLogEntries, maxLogChars)`, which the host calls for
 * each run. Before a run on a context
 * that has run before, `run` checks the recorded objects still have the properties, values and
 * prototype they had; if anything changed it refuses (`tainted`) and the host starts a fresh
 * context. Nothing here may call Math.random (its state would be the same in every context).
 */
export const SANDBOX_PREPARE_SCRIPT = String.raw`(function () {
  'use strict';
  let hostLog = null;
  delete globalThis.FinalizationRegistry;

  const stringify = JSON.stringify;
  const toStr = String;
  const isArray = Array.isArray;
  const apply = Reflect.apply;
  const ownKeys = Reflect.ownKeys;
  const getDescriptor = Reflect.getOwnPropertyDescriptor;
  const getProto = Reflect.getPrototypeOf;
  const deleteProperty = Reflect.deleteProperty;
  const isExtensible = Reflect.isExtensible;
  const freeze = Object.freeze;
  const PathMap = WeakMap;
  const getPath = WeakMap.prototype.get;
  const setPath = WeakMap.prototype.set;
  const MapC = Map;
  const SetC = Set;
  const push = Array.prototype.push;
  const pop = Array.prototype.pop;
  const setHas = Set.prototype.has;
  const setAdd = Set.prototype.add;
  let limits = { maxOutputChars: 0, maxLogEntries: 0, maxLogChars: 0 };

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

  const hidden = [
    function* () {}, async function* () {}, (function* () {})(), (async function* () {})(),
    [][Symbol.iterator](), new Map()[Symbol.iterator](), new Set()[Symbol.iterator](), ''[Symbol.iterator](),
    'a'.matchAll(/a/g), getProto(Uint8Array), getDescriptor(Function.prototype, 'caller')?.get,
  ];
  // Every object the code can reach without making it: the globals, the built-ins and what they
  // lead to. Found once, while the snapshot is made. When a context is attached, the built-in
  // functions (constructors, static methods such as Object.keys) are frozen, and the state of
  // every other object (prototypes, namespaces such as Math and JSON, the global object) is
  // recorded, to be compared before each later run.
  const functions = [];
  const stateful = [];
  const seen = new SetC();
  const functionPrototype = Function.prototype;
  const find = (roots) => {
    const queue = [...roots];
    while (queue.length > 0) {
      const o = apply(pop, queue, []);
      if (o === null || (typeof o !== 'object' && typeof o !== 'function') || apply(setHas, seen, [o])) continue;
      apply(setAdd, seen, [o]);
      apply(push, typeof o === 'function' && o !== functionPrototype ? functions : stateful, [o]);
      const keys = ownKeys(o);
      for (let i = 0; i < keys.length; i++) {
        const d = getDescriptor(o, keys[i]);
        apply(push, queue, [d.value, d.get, d.set]);
      }
      apply(push, queue, [getProto(o)]);
    }
  };
  find([globalThis, ...hidden]);

  // One entry per stateful object: [object, prototype, extensible, key count,
  // [data key, value, ...], [accessor key, get, set, ...]]. Recording an object also finds
  // whatever new objects its properties lead to.
  const baseline = [];
  const unseen = (value) =>
    value !== null && (typeof value === 'object' || typeof value === 'function') && !apply(setHas, seen, [value]);
  const stateOf = (o) => {
    const keys = ownKeys(o);
    const data = [];
    const accessors = [];
    for (let j = 0; j < keys.length; j++) {
      const d = getDescriptor(o, keys[j]);
      if (d.get === undefined && d.set === undefined) {
        apply(push, data, [keys[j], d.value]);
        if (unseen(d.value)) find([d.value]);
      } else {
        apply(push, accessors, [keys[j], d.get, d.set]);
        if (unseen(d.get) || unseen(d.set)) find([d.get, d.set]);
      }
    }
    return [o, getProto(o), isExtensible(o), keys.length, data, accessors];
  };
  const changed = (entry) => {
    const o = entry[0];
    if (getProto(o) !== entry[1] || isExtensible(o) !== entry[2]) return true;
    if (ownKeys(o).length !== entry[3]) return true;
    const data = entry[4];
    for (let j = 0; j < data.length; j += 2) {
      const value = o[data[j]];
      // NaN (globalThis.NaN, Number.NaN) is the one value not equal to itself.
      if (value !== data[j + 1] && (value === value || data[j + 1] === data[j + 1])) return true;
    }
    const accessors = entry[5];
    for (let j = 0; j < accessors.length; j += 3) {
      const d = getDescriptor(o, accessors[j]);
      if (d === undefined || d.get !== accessors[j + 1] || d.set !== accessors[j + 2]) return true;
    }
    return false;
  };
  const pristine = () => {
    for (let i = 0; i < baseline.length; i++) if (changed(baseline[i])) return false;
    return true;
  };
  // Records every stateful object not recorded yet (the list grows while new objects are found).
  const recordNew = () => {
    for (let i = baseline.length; i < stateful.length; i++) apply(push, baseline, [stateOf(stateful[i])]);
  };
  recordNew();

  // V8 adds SharedArrayBuffer, Atomics, WebAssembly and some newer methods (such as
  // %TypedArray%.prototype.toSorted) to a context only after creating it from the snapshot, and
  // Intl objects cannot be part of a snapshot. Freezing a built-in in the snapshot could even
  // abort the process when V8 later adds to it. So when a context is attached, what V8 changed
  // is recorded again (and what it added is found), and only then are the functions frozen.
  const finishContext = () => {
    delete globalThis.WebAssembly;
    const late = [];
    if (typeof Atomics === 'object') {
      delete Atomics.waitAsync;
      apply(push, late, [Atomics]);
    }
    if (typeof SharedArrayBuffer === 'function') apply(push, late, [SharedArrayBuffer]);
    if (typeof Intl === 'object' && typeof Intl.Segmenter === 'function') {
      const segments = new Intl.Segmenter().segment('');
      apply(push, late, [getProto(segments), getProto(segments[Symbol.iterator]())]);
    }
    find(late);
    for (let i = 0; i < baseline.length; i++) if (changed(baseline[i])) baseline[i] = stateOf(baseline[i][0]);
    recordNew();
    for (let i = 0; i < functions.length; i++) freeze(functions[i]);
    const keys = ownKeys(globalThis);
    for (let i = 0; i < keys.length; i++) apply(setAdd, globalNames, [keys[i]]);
  };

  // Globals a run added ('total = 0' without let) are deleted before the next run, so such
  // code keeps its context; a global that cannot be deleted leaves the context tainted.
  const globalNames = new SetC();
  const sweepGlobals = () => {
    const keys = ownKeys(globalThis);
    if (keys.length === globalNames.size) return;
    for (let i = 0; i < keys.length; i++) if (!apply(setHas, globalNames, [keys[i]])) deleteProperty(globalThis, keys[i]);
  };

  globalThis.${ATTACH_GLOBAL} = (userFn) => {
    delete globalThis.${ATTACH_GLOBAL};
    hostLog = globalThis.${HOST_LOG_GLOBAL};
    delete globalThis.${HOST_LOG_GLOBAL};
    finishContext();
    freeze(userFn);
    let used = false;
    return async function run(data, maxOutputChars, maxLogEntries, maxLogChars) {
      if (used) {
        sweepGlobals();
        if (!pristine()) return { ok: false, kind: 'tainted' };
      }
      used = true;
      limits = { maxOutputChars, maxLogEntries, maxLogChars };
      logCount = 0;
      let value;
      try {
        value = await userFn(data.input, data.trigger, data.item, data.index, data.steps);
      } catch (e) {
        return describeThrown(e);
      }
      return serialize(value);
    };
  };
})();
`;

const PREFIX = `${ATTACH_GLOBAL}(async function (${USER_CODE_BINDINGS.join(', ')}) {\n`;
const SUFFIX = '\n});\n';

/** Line offset that makes the user's first line report as line 1 in stack traces. */
export const USER_CODE_LINE_OFFSET = -PREFIX.split('\n').length + 1;

/**
 * Wraps user code (the body of an async function) into the script that attaches it to the
 * prepared runner of a context. Running it evaluates to the context's `run(data, ...limits)`.
 *
 * @example
 * const script = await isolate.compileScript(wrapUserCode('return input.a + 1;'), {
 *   filename: USER_CODE_FILENAME,
 *   lineOffset: USER_CODE_LINE_OFFSET,
 * });
 * const run = await script.run(context, { reference: true });
 * await run.apply(undefined, [data, 10_000_000, 100, 4000], { result: { promise: true, copy: true } }); // { ok: true, json: '2' }
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
