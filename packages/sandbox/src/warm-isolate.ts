import { availableParallelism } from 'node:os';
import ivm from 'isolated-vm';
import { CodeError } from './errors.ts';
import {
  HOST_LOG_GLOBAL,
  SANDBOX_PREPARE_SCRIPT,
  USER_CODE_BINDINGS,
  USER_CODE_FILENAME,
  USER_CODE_LINE_OFFSET,
  parseCompileError,
  wrapUserCode,
} from './wrap-user-code.ts';

/** A compiled wrapper script; it can prepare any context of the isolate that compiled it. */
export interface CompiledCode {
  script: ivm.Script;
  userLineCount: number;
}

/** A context prepared for one code text: the runner's `run(data, ...limits)` inside it. */
export interface PreparedCode {
  context: ivm.Context;
  run: ivm.Reference<
    (data: unknown, maxOutputChars: number, maxLogEntries: number, maxLogChars: number) => Promise<unknown>
  >;
  userLineCount: number;
  /** Set for contexts kept for later runs (see `contextKeyOf`); `undefined` for a one-off context. */
  contextKey: string | undefined;
}

const MAX_CACHED_SCRIPTS = 256;
/**
 * Prepared contexts kept per isolate for later runs of the same code. Each holds about 0.6 MB
 * of the isolate's heap, so they take at most a quarter of its memory limit (3 under 8 MB).
 */
const MAX_KEPT_CONTEXTS = 16;
const MAX_SLOW_KEYS = 1000;
const KEPT_CONTEXT_MB = 0.6;
const KEPT_SHARE_OF_LIMIT = 0.25;
/** How often (in runs) the heap is checked; a heap that stays this full between runs means a leak. */
const HEALTH_CHECK_EVERY = 100;
const MAX_IDLE_HEAP_SHARE = 0.5;
const BODY_CHECK_TIMEOUT_MS = 1000;
const PREPARE_TIMEOUT_MS = 1000;

let isolatesCreated = 0;
let contextsPrepared = 0;
let preparedSnapshot: ivm.ExternalCopy<ArrayBuffer> | undefined;

/** The startup snapshot every sandbox isolate of this thread is created from (made once, ~10 ms). */
function sandboxSnapshot(): ivm.ExternalCopy<ArrayBuffer> {
  preparedSnapshot ??= ivm.Isolate.createSnapshot([
    { code: SANDBOX_PREPARE_SCRIPT, filename: 'apiq-sandbox-runner.js' },
  ]);
  return preparedSnapshot;
}

/** How many isolates this thread has created so far (a memory kill or recycle creates a new one). */
export function isolatesCreatedOnThisThread(): number {
  return isolatesCreated;
}

/** How many contexts this thread has prepared so far (a run on a kept context prepares none). */
export function contextsPreparedOnThisThread(): number {
  return contextsPrepared;
}

/**
 * One isolate with a fixed memory limit, kept warm between runs, with its compiled scripts and
 * the contexts kept for later runs of the same code. Runs are serialised: a run that blows the
 * memory limit or has to be killed only ever takes its own isolate down, and the next run gets
 * a fresh isolate.
 */
export class WarmIsolate {
  private isolate: ivm.Isolate | undefined;
  private scripts = new Map<string, CompiledCode>();
  private kept = new Map<string, PreparedCode>();
  /** Context keys whose code outlasted a brief first try: they go straight to isolated-vm's thread. */
  private slow = new Set<string>();
  private tail: Promise<unknown> = Promise.resolve();
  private runsSinceCheck = 0;
  private waiting = 0;
  /** Where console output of the current run goes (runs on one isolate never overlap). */
  private sink: ((level: unknown, message: unknown) => void) | undefined;
  private readonly maxKept: number;

  constructor(readonly memoryMb: number) {
    this.maxKept = Math.max(
      1,
      Math.min(MAX_KEPT_CONTEXTS, Math.floor((memoryMb * KEPT_SHARE_OF_LIMIT) / KEPT_CONTEXT_MB)),
    );
  }

  /** Runs `task` after every earlier task on this isolate has finished. */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    this.waiting++;
    const result = this.tail.then(task).finally(() => this.waiting--);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** Tasks running or waiting on this isolate. */
  get load(): number {
    return this.waiting;
  }

  /** Remembers that the code under `contextKey` needs more than a brief first try. */
  markSlow(contextKey: string): void {
    if (this.slow.size >= MAX_SLOW_KEYS) this.slow.clear();
    this.slow.add(contextKey);
  }

  isSlow(contextKey: string): boolean {
    return this.slow.has(contextKey);
  }

  /** Whether a context for `contextKey` is kept here. */
  keeps(contextKey: string): boolean {
    return this.kept.has(contextKey);
  }

  /** The live isolate, created on first use and again after a dispose. */
  live(): ivm.Isolate {
    if (this.isolate === undefined || this.isolate.isDisposed) {
      this.scripts.clear();
      this.kept.clear();
      this.isolate = new ivm.Isolate({
        memoryLimit: this.memoryMb,
        snapshot: sandboxSnapshot(),
        onCatastrophicError: (message) => {
          // isolated-vm's guidance: the process state is unrecoverable. The executor restarts it.
          process.stderr.write(`isolated-vm catastrophic error, aborting: ${message}\n`);
          process.abort();
        },
      });
      isolatesCreated++;
    }
    return this.isolate;
  }

  /** Throws the isolate away (with its scripts and contexts); the next run creates a new one. */
  discard(): void {
    const isolate = this.isolate;
    this.isolate = undefined;
    this.scripts.clear();
    this.kept.clear();
    if (isolate !== undefined && !isolate.isDisposed) isolate.dispose();
  }

  /** Sends the console output of the run about to start to `receive`; `undefined` when it ends. */
  logTo(receive: ((level: unknown, message: unknown) => void) | undefined): void {
    this.sink = receive;
  }

  /**
   * The context to run `code` in. With a `contextKey` (see `contextKeyOf`), the context prepared
   * for it last time is returned (the runner checks it is untouched before each run); without
   * one, or the first time, a new context is prepared (about a millisecond).
   */
  async prepared(code: string, contextKey: string | undefined): Promise<PreparedCode> {
    if (contextKey !== undefined) {
      const kept = this.kept.get(contextKey);
      if (kept !== undefined) {
        this.kept.delete(contextKey);
        this.kept.set(contextKey, kept);
        return kept;
      }
    }
    const compiled = await this.compile(code);
    const isolate = this.live();
    const context = await isolate.createContext();
    contextsPrepared++;
    let run: PreparedCode['run'];
    try {
      context.global.setSync(
        HOST_LOG_GLOBAL,
        new ivm.Callback((level: unknown, message: unknown) => this.sink?.(level, message)),
      );
      run = (await compiled.script.run(context, {
        reference: true,
        timeout: PREPARE_TIMEOUT_MS,
      })) as PreparedCode['run'];
    } catch (err) {
      if (!isolate.isDisposed) context.release();
      throw err;
    }
    const prepared: PreparedCode = { context, run, userLineCount: compiled.userLineCount, contextKey };
    if (contextKey !== undefined) {
      this.kept.set(contextKey, prepared);
      if (this.kept.size > this.maxKept) this.drop(this.kept.values().next().value as PreparedCode);
    }
    return prepared;
  }

  /** Releases a context: after a one-off run, or when its state can no longer be trusted. */
  drop(prepared: PreparedCode): void {
    if (prepared.contextKey !== undefined && this.kept.get(prepared.contextKey) === prepared) {
      this.kept.delete(prepared.contextKey);
    }
    if (this.isolate === undefined || this.isolate.isDisposed) return;
    prepared.run.release();
    prepared.context.release();
  }

  /** Compiles user code once per isolate; later runs of the same text reuse the script. */
  async compile(code: string): Promise<CompiledCode> {
    const cached = this.scripts.get(code);
    if (cached !== undefined) {
      this.scripts.delete(code);
      this.scripts.set(code, cached);
      return cached;
    }
    const isolate = this.live();
    let script: ivm.Script;
    try {
      script = await isolate.compileScript(wrapUserCode(code), {
        filename: USER_CODE_FILENAME,
        lineOffset: USER_CODE_LINE_OFFSET,
      });
    } catch (err) {
      if (err instanceof Error && err.name === 'SyntaxError') {
        const parsed = parseCompileError(err.message);
        throw new CodeError('SyntaxError', parsed.message, parsed.line, parsed.column);
      }
      throw err;
    }
    await this.checkIsFunctionBody(isolate, code);
    const compiled = { script, userLineCount: code.split('\n').length };
    this.scripts.set(code, compiled);
    if (this.scripts.size > MAX_CACHED_SCRIPTS) {
      const oldest = this.scripts.keys().next().value as string;
      this.scripts.get(oldest)?.script.release();
      this.scripts.delete(oldest);
    }
    return compiled;
  }

  /** Recycles the isolate when its heap stays large between runs. Call between runs only. */
  checkHealth(): void {
    if (++this.runsSinceCheck < HEALTH_CHECK_EVERY) return;
    this.runsSinceCheck = 0;
    const isolate = this.isolate;
    if (isolate === undefined || isolate.isDisposed) return;
    const heap = isolate.getHeapStatisticsSync();
    const used = heap.used_heap_size + heap.externally_allocated_size;
    if (used > this.memoryMb * 1024 * 1024 * MAX_IDLE_HEAP_SHARE) this.discard();
  }

  cachedScriptCount(): number {
    return this.scripts.size;
  }

  /**
   * Code such as `}); doSomething(); (function () {` compiles inside the wrapper but escapes the
   * function it is meant to be the body of. Parsing it alone with the isolate's own
   * AsyncFunction constructor (parse only, nothing runs) rejects it.
   */
  private async checkIsFunctionBody(isolate: ivm.Isolate, code: string): Promise<void> {
    const context = await isolate.createContext();
    try {
      await context.evalClosure(
        `const AsyncFunction = (async function () {}).constructor;
         new AsyncFunction(${USER_CODE_BINDINGS.map((name) => JSON.stringify(name)).join(', ')}, $0);`,
        [code],
        { arguments: { copy: true }, timeout: BODY_CHECK_TIMEOUT_MS },
      );
    } catch (err) {
      if (err instanceof Error && err.name === 'SyntaxError') {
        throw new CodeError(
          'SyntaxError',
          `the code is not a valid function body (${err.message}); check for an unmatched "}"`,
        );
      }
      throw err;
    } finally {
      if (!isolate.isDisposed) context.release();
    }
  }
}

/** The key under which a context for `code` is kept for runs sharing `reuseKey`. */
export function contextKeyOf(reuseKey: string | undefined, code: string): string | undefined {
  return reuseKey === undefined ? undefined : `${reuseKey}\u0000${code}`;
}

/** Isolates per memory limit and thread: runs on different isolates proceed in parallel. */
const ISOLATES_PER_LIMIT = Math.max(2, availableParallelism());
const warmIsolates = new Map<number, WarmIsolate[]>();

/**
 * The warm isolate of this thread to run on, for a memory limit (module state is per thread).
 * An idle isolate that keeps a context for `contextKey` comes first, then any idle one; a second
 * isolate is created only when every existing one is busy. When all are busy, the run queues
 * where its context is kept, or else on the least loaded isolate.
 */
export function warmIsolateFor(memoryMb: number, contextKey?: string): WarmIsolate {
  let pool = warmIsolates.get(memoryMb);
  if (pool === undefined) {
    pool = [];
    warmIsolates.set(memoryMb, pool);
  }
  const keeping = contextKey === undefined ? [] : pool.filter((warm) => warm.keeps(contextKey));
  const idle = keeping.find((warm) => warm.load === 0) ?? pool.find((warm) => warm.load === 0);
  if (idle !== undefined) return idle;
  if (pool.length < ISOLATES_PER_LIMIT) {
    const warm = new WarmIsolate(memoryMb);
    pool.push(warm);
    return warm;
  }
  const candidates = keeping.length > 0 ? keeping : pool;
  return candidates.reduce((best, warm) => (warm.load < best.load ? warm : best));
}

/** Disposes every isolate of this thread (graceful shutdown; the next run starts fresh). */
export function disposeWarmIsolates(): void {
  for (const pool of warmIsolates.values()) for (const warm of pool) warm.discard();
  warmIsolates.clear();
}
