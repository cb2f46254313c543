import ivm from 'isolated-vm';
import type { Json, LogEntry } from '@apiq/sdk';
import { CodeError, CodeMemoryError, CodeOutputError, CodeTimeoutError, SandboxError } from './errors.ts';
import { LogSink } from './log-sink.ts';
import { contextKeyOf, warmIsolateFor, type PreparedCode, type WarmIsolate } from './warm-isolate.ts';
import { userCodePosition, type RunnerOutcome } from './wrap-user-code.ts';

/** The bindings user code sees. Everything is copied in; nothing refers back to host objects. */
export interface UserCodeData {
  input?: Json;
  trigger?: Json;
  /** The current item inside a for-each loop. */
  item?: Json;
  /** The current item's position inside a for-each loop (0-based). */
  index?: number;
  /** Outputs of earlier steps by step id. */
  steps?: Record<string, Json>;
}

export interface RunUserCodeOptions {
  /** The body of an async function: `const total = input.items.length; return { total };` */
  code: string;
  data?: UserCodeData;
  /** Wall-clock limit for the whole run, including time spent awaiting. Default 1000. */
  timeoutMs?: number;
  /** Heap limit of the isolate in MB (isolated-vm's minimum is 8). Default 64. */
  memoryMb?: number;
  /** Largest accepted result, in characters of JSON. Default 10 000 000. */
  maxOutputChars?: number;
  /** Console messages kept per run. Default 100. */
  maxLogEntries?: number;
  /** Characters kept per console message. Default 4000. */
  maxLogChars?: number;
  /** Aborting stops the run at once (its isolate is thrown away) and rejects with an AbortError. */
  signal?: AbortSignal;
  /**
   * Runs with the same key and the same code may share one context instead of paying for a new
   * one each time (the Code node passes its workflow). A shared context is checked before each
   * run: if a global or any built-in was changed, it is thrown away and the run gets a new one.
   * Without a key, every run gets a context of its own.
   */
  reuseKey?: string;
}

export interface UserCodeResult {
  value: Json;
  logs: LogEntry[];
}

/**
 * The ivm timeout stops busy code at `timeoutMs`; the host deadline, a little later, catches
 * runs that are idle but never finish (a promise that never settles) and anything else that
 * keeps the isolate from returning.
 */
const HOST_DEADLINE_GRACE_MS = 50;
const DEADLINE = Symbol('deadline');
const TIMED_OUT = 'Script execution timed out.';
const ABORTED = Symbol('aborted');

/**
 * Runs user JavaScript in a warm isolate of this thread, in a pristine context, with copied-in
 * data, a captured console, a time limit and a memory limit. Nothing of the host is reachable
 * inside.
 *
 * @example
 * const { value, logs } = await runUserCode({
 *   code: 'console.log(input.items.length); return { total: input.items.reduce((s, x) => s + x, 0) };',
 *   data: { input: { items: [1, 2, 3] } },
 * });
 * // value: { total: 6 }, logs: [{ level: 'info', message: '3', at: '…' }]
 * @throws CodeError (the code threw or does not compile), CodeTimeoutError, CodeMemoryError, CodeOutputError
 */
export async function runUserCode(options: RunUserCodeOptions): Promise<UserCodeResult> {
  const settings = checkOptions(options);
  const contextKey = contextKeyOf(options.reuseKey, settings.code);
  const warm = warmIsolateFor(settings.memoryMb, contextKey);
  return warm.exclusive(() => runOnce(warm, settings, contextKey));
}

type Settings = Required<Omit<RunUserCodeOptions, 'data' | 'signal' | 'reuseKey'>> & {
  data: UserCodeData;
  signal?: AbortSignal;
};

function checkOptions(options: RunUserCodeOptions): Settings {
  const settings: Settings = {
    code: options.code,
    data: options.data ?? {},
    timeoutMs: options.timeoutMs ?? 1000,
    memoryMb: options.memoryMb ?? 64,
    maxOutputChars: options.maxOutputChars ?? 10_000_000,
    maxLogEntries: options.maxLogEntries ?? 100,
    maxLogChars: options.maxLogChars ?? 4000,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };
  if (typeof settings.code !== 'string') throw new TypeError('runUserCode: code must be a string');
  const positive: Array<[keyof Settings, number]> = [
    ['timeoutMs', 1],
    ['memoryMb', 8],
    ['maxOutputChars', 1],
    ['maxLogEntries', 0],
    ['maxLogChars', 1],
  ];
  for (const [name, min] of positive) {
    const value = settings[name];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
      throw new RangeError(`runUserCode: ${name} must be an integer of at least ${min} (got ${String(value)})`);
    }
  }
  return settings;
}

async function runOnce(warm: WarmIsolate, settings: Settings, contextKey: string | undefined): Promise<UserCodeResult> {
  const isolate = warm.live();
  let sink = new LogSink(settings.maxLogEntries, settings.maxLogChars);
  let prepared: PreparedCode | undefined;
  let copyingInput = false;
  let finished = false;
  let fast = contextKey === undefined || !warm.isSlow(contextKey);
  warm.logTo(sink.receive);
  try {
    settings.signal?.throwIfAborted();
    for (;;) {
      prepared = await warm.prepared(settings.code, contextKey);
      copyingInput = true;
      const args: RunArgs = [
        copyIn(settings.data),
        settings.maxOutputChars,
        settings.maxLogEntries,
        settings.maxLogChars,
      ];
      copyingInput = false;
      let outcome: unknown;
      if (fast) {
        outcome = await runBriefly(prepared, args, Math.min(FAST_PATH_MS, settings.timeoutMs), isolate);
        if (outcome === UNFINISHED) {
          // Longer or idle code: start over on isolated-vm's thread, with the full time limit and
          // a clean context and console (the code has no side effects, so running it again is safe).
          warm.drop(prepared);
          prepared = undefined;
          fast = false;
          if (contextKey !== undefined) warm.markSlow(contextKey);
          sink = new LogSink(settings.maxLogEntries, settings.maxLogChars);
          warm.logTo(sink.receive);
          continue;
        }
      } else {
        const cpuAtStart = isolate.cpuTime;
        const run = prepared.run.apply(undefined, args, {
          timeout: settings.timeoutMs,
          result: { promise: true, copy: true },
        });
        outcome = await withDeadline(run, settings.timeoutMs + HOST_DEADLINE_GRACE_MS, settings.signal);
        if (outcome === ABORTED) {
          warm.discard();
          throw abortError(settings.signal);
        }
        if (outcome === DEADLINE) {
          const busyMs = isolate.isDisposed ? settings.timeoutMs : Number(isolate.cpuTime - cpuAtStart) / 1e6;
          warm.discard();
          throw new CodeTimeoutError(settings.timeoutMs, busyMs < settings.timeoutMs / 2);
        }
      }
      finished = true;
      if (isTainted(outcome)) {
        // An earlier run on this context changed a global or a built-in: start over on a new one.
        warm.drop(prepared);
        prepared = undefined;
        finished = false;
        continue;
      }
      return { value: valueOf(outcome, prepared, settings), logs: sink.entries };
    }
  } catch (err) {
    const error = translate(err, isolate, settings, copyingInput);
    if (error instanceof SandboxError) error.logs = sink.entries;
    throw error;
  } finally {
    warm.logTo(undefined);
    // A context whose run was cut short may hold anything; a one-off context is done.
    if (prepared !== undefined && (!finished || prepared.contextKey === undefined)) warm.drop(prepared);
    if (!isolate.isDisposed) warm.checkHealth();
  }
}

type RunArgs = [ivm.Copy<unknown>, number, number, number];

/**
 * Most code finishes in well under a millisecond, where handing the call to isolated-vm's
 * thread and back costs more than the code. So a run first gets a few milliseconds on the
 * calling thread (isolated-vm's timeout also covers work after an await). Code that is still
 * busy then, or waits for something, is stopped and comes back as UNFINISHED; the same code
 * under the same key then skips the first try on that isolate.
 */
const FAST_PATH_MS = 10;
const UNFINISHED = Symbol('unfinished');

async function runBriefly(prepared: PreparedCode, args: RunArgs, ms: number, isolate: ivm.Isolate): Promise<unknown> {
  let result: Promise<unknown>;
  try {
    result = prepared.run.applySync(undefined, args, { timeout: ms, result: { promise: true, copy: true } });
  } catch (err) {
    if (!isolate.isDisposed && err instanceof Error && err.message === TIMED_OUT) return UNFINISHED;
    throw err;
  }
  // Settled during the call, or waiting for something that only a later task could bring (its
  // context is then dropped, which may reject the abandoned promise: that is expected).
  result.catch(() => undefined);
  return Promise.race([result, Promise.resolve(UNFINISHED)]);
}

function isTainted(outcome: unknown): boolean {
  return typeof outcome === 'object' && outcome !== null && (outcome as { kind?: unknown }).kind === 'tainted';
}

function copyIn(value: unknown): ivm.Copy<unknown> {
  let copy: ivm.ExternalCopy<unknown>;
  try {
    copy = new ivm.ExternalCopy(value);
  } catch (err) {
    throw new SandboxError(
      `The data given to the code cannot be copied into the sandbox (${(err as Error).message}). Pass plain JSON data only.`,
    );
  }
  return copy.copyInto({ release: true });
}

function withDeadline<T>(
  work: Promise<T>,
  ms: number,
  signal: AbortSignal | undefined,
): Promise<T | typeof DEADLINE | typeof ABORTED> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<typeof DEADLINE | typeof ABORTED>((resolve) => {
    timer = setTimeout(() => resolve(DEADLINE), ms);
    if (signal !== undefined) {
      onAbort = () => resolve(ABORTED);
      signal.addEventListener('abort', onAbort, { once: true });
    }
  });
  // A run abandoned at the deadline may still reject later (its isolate is disposed): ignore it.
  work.catch(() => undefined);
  return Promise.race([work, stop]).finally(() => {
    clearTimeout(timer);
    if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
  });
}

function abortError(signal: AbortSignal | undefined): Error {
  if (signal?.reason instanceof Error && signal.reason.name === 'AbortError') return signal.reason;
  const error = new Error('The code run was cancelled.');
  error.name = 'AbortError';
  return error;
}

function translate(err: unknown, isolate: ivm.Isolate, settings: Settings, copyingInput: boolean): Error {
  if (err instanceof SandboxError) return err;
  if (err instanceof Error && err.name === 'AbortError') return err;
  // A memory-limit kill disposes the isolate; nothing else disposes it during a run.
  if (isolate.isDisposed) return new CodeMemoryError(settings.memoryMb, copyingInput || inputCannotFit(settings));
  const message = err instanceof Error ? err.message : String(err);
  if (message === TIMED_OUT) return new CodeTimeoutError(settings.timeoutMs);
  return new SandboxError(`The code sandbox failed unexpectedly: ${message}`);
}

/**
 * Whether the input alone is beyond the memory limit. The limit is enforced asynchronously, so a
 * kill caused by copying the input can surface while the code already runs; judging by the
 * input's size (only after a kill, never on the hot path) keeps the message the same every time.
 * Heap objects take more room than their JSON text, so half the limit is a safe threshold.
 */
function inputCannotFit(settings: Settings): boolean {
  try {
    return (JSON.stringify(settings.data)?.length ?? 0) > (settings.memoryMb * 1024 * 1024) / 2;
  } catch {
    return false;
  }
}

const NOT_JSON = 'Code node returned a value that is not JSON';

/** Turns the runner's outcome into the value; the outcome is untrusted, so its shape is checked. */
function valueOf(outcome: unknown, prepared: PreparedCode, settings: Settings): Json {
  const { maxOutputChars } = settings;
  const result = (typeof outcome === 'object' && outcome !== null ? outcome : {}) as Partial<Record<string, unknown>>;
  const tampered = () =>
    new CodeOutputError(
      `${NOT_JSON}: the result could not be read (did the code replace built-ins such as Promise or JSON?).`,
    );
  if (result.ok === true) {
    if (typeof result.json !== 'string') throw tampered();
    if (result.json.length > maxOutputChars) throw tooLarge(result.json.length, maxOutputChars);
    try {
      return JSON.parse(result.json) as Json;
    } catch {
      throw tampered();
    }
  }
  const failure = result as Partial<Extract<RunnerOutcome, { ok: false }>> & Record<string, unknown>;
  switch (failure.kind) {
    case 'thrown': {
      const position = userCodePosition(String(failure.stack ?? ''), prepared.userLineCount);
      const { name, message } = explainThrown(String(failure.name), String(failure.message), settings.code);
      throw new CodeError(name, message, position?.line, position?.column);
    }
    case 'not_json':
      throw new CodeOutputError(
        `${NOT_JSON}: ${String(failure.what)} at ${String(failure.path)}. Return plain data: objects, arrays, strings, numbers, booleans and null.`,
      );
    case 'too_large':
      throw tooLarge(Number(failure.chars), maxOutputChars);
    default:
      throw tampered();
  }
}

/** Adds what to do next to errors whose engine wording is cryptic. */
function explainThrown(name: string, message: string, code: string): { name: string; message: string } {
  if (name === 'Error' && message === 'Not supported' && /\bimport\s*\(/.test(code)) {
    return {
      name,
      message: 'import() is not available: Code nodes cannot load modules. Use the data in input instead.',
    };
  }
  if (
    name === 'ReferenceError' &&
    /^(require|process|fetch|setTimeout|setInterval|Buffer) is not defined$/.test(message)
  ) {
    return {
      name,
      message: `${message}: Code nodes run isolated JavaScript without Node.js APIs or network access. Use an HTTP Request node for network calls.`,
    };
  }
  return { name, message };
}

function tooLarge(chars: number, max: number): CodeOutputError {
  return new CodeOutputError(
    `Code node returned ${chars.toLocaleString('en-US')} characters of JSON; the limit is ${max.toLocaleString('en-US')}. Return less data (filter or summarise it), or split the work over several steps.`,
  );
}
