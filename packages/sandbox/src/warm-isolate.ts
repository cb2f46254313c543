import ivm from 'isolated-vm';
import { CodeError } from './errors.ts';
import {
  USER_CODE_BINDINGS,
  USER_CODE_FILENAME,
  USER_CODE_LINE_OFFSET,
  parseCompileError,
  wrapUserCode,
} from './wrap-user-code.ts';

/** A compiled wrapper script; it can run in any context of the isolate that compiled it. */
export interface CompiledCode {
  script: ivm.Script;
  userLineCount: number;
}

const MAX_CACHED_SCRIPTS = 256;
/** How often (in runs) the heap is checked; a heap that stays this full between runs means a leak. */
const HEALTH_CHECK_EVERY = 100;
const MAX_IDLE_HEAP_SHARE = 0.5;
const BODY_CHECK_TIMEOUT_MS = 1000;

let isolatesCreated = 0;

/** How many isolates this thread has created so far (a memory kill or recycle creates a new one). */
export function isolatesCreatedOnThisThread(): number {
  return isolatesCreated;
}

/**
 * One isolate with a fixed memory limit, kept warm between runs, plus its compiled scripts.
 * Runs are serialised: a run that blows the memory limit or has to be killed only ever takes
 * its own isolate down, and the next run gets a fresh isolate.
 */
export class WarmIsolate {
  private isolate: ivm.Isolate | undefined;
  private scripts = new Map<string, CompiledCode>();
  private tail: Promise<unknown> = Promise.resolve();
  private runsSinceCheck = 0;
  /** A context created ahead of time (off the critical path) for the next run; never used before. */
  private spare: Promise<ivm.Context> | undefined;

  constructor(readonly memoryMb: number) {}

  /** Runs `task` after every earlier task on this isolate has finished. */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** The live isolate, created on first use and again after a dispose. */
  live(): ivm.Isolate {
    if (this.isolate === undefined || this.isolate.isDisposed) {
      this.scripts.clear();
      this.spare = undefined;
      this.isolate = new ivm.Isolate({
        memoryLimit: this.memoryMb,
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

  /** Throws the isolate away (with its scripts); the next run creates a new one. */
  discard(): void {
    const isolate = this.isolate;
    this.isolate = undefined;
    this.scripts.clear();
    this.spare = undefined;
    if (isolate !== undefined && !isolate.isDisposed) isolate.dispose();
  }

  /**
   * A brand-new context for one run. Creating a context costs a few hundred microseconds, so
   * the next one is prepared in the background (`prepareSpare`) while the host handles the
   * previous result. Contexts are never reused: each run starts from pristine built-ins.
   */
  async freshContext(): Promise<ivm.Context> {
    this.live();
    const spare = this.spare;
    this.spare = undefined;
    if (spare !== undefined) {
      try {
        return await spare;
      } catch {
        // The spare's isolate went away; fall through to the current one.
      }
    }
    return this.live().createContext();
  }

  /** Starts creating the next run's context. Call when a run has finished. */
  prepareSpare(): void {
    const isolate = this.isolate;
    if (isolate === undefined || isolate.isDisposed || this.spare !== undefined) return;
    const spare = isolate.createContext();
    spare.catch(() => undefined);
    this.spare = spare;
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

const warmIsolates = new Map<number, WarmIsolate>();

/** The warm isolate of this thread for a memory limit (module state is per worker thread). */
export function warmIsolateFor(memoryMb: number): WarmIsolate {
  let warm = warmIsolates.get(memoryMb);
  if (warm === undefined) {
    warm = new WarmIsolate(memoryMb);
    warmIsolates.set(memoryMb, warm);
  }
  return warm;
}

/** Disposes every isolate of this thread (graceful shutdown; the next run starts fresh). */
export function disposeWarmIsolates(): void {
  for (const warm of warmIsolates.values()) warm.discard();
  warmIsolates.clear();
}
