import type { LogEntry } from '@apiq/sdk';

/**
 * Errors raised by `runUserCode`. Every message says what went wrong and what to do about it;
 * callers (the Code node) forward the message as is.
 */
export class SandboxError extends Error {
  /** Console output the code produced before it failed. */
  logs: LogEntry[] = [];

  constructor(message: string) {
    super(message);
    this.name = 'SandboxError';
  }
}

/** The code ran past its time limit (busy loop, or a promise that never settled). */
export class CodeTimeoutError extends SandboxError {
  constructor(
    readonly timeoutMs: number,
    readonly waitingOnPromise = false,
  ) {
    super(
      `Code ran longer than ${timeoutMs} ms and was stopped` +
        (waitingOnPromise ? ' (it was still waiting for a promise that never settled)' : '') +
        '. Make it do less work per run, or raise timeoutMs.',
    );
    this.name = 'CodeTimeoutError';
  }
}

/** The code allocated more than its memory limit; the isolate running it was thrown away. */
export class CodeMemoryError extends SandboxError {
  constructor(
    readonly memoryMb: number,
    readonly whileCopyingInput = false,
  ) {
    super(
      whileCopyingInput
        ? `The input data does not fit in the code's memory limit of ${memoryMb} MB. Pass less data to the step, or raise memoryMb.`
        : `Code used more than ${memoryMb} MB of memory and was stopped. Process less data per run, or raise memoryMb.`,
    );
    this.name = 'CodeMemoryError';
  }
}

/** The user's code threw (or did not compile). `line` counts from the first line of the user's code. */
export class CodeError extends SandboxError {
  constructor(
    readonly errorName: string,
    readonly errorMessage: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(`${line === undefined ? 'Code failed' : `Code failed at line ${line}`}: ${errorName}: ${errorMessage}`);
    this.name = 'CodeError';
  }
}

/** The code returned something that cannot travel as JSON, or too much of it. */
export class CodeOutputError extends SandboxError {
  constructor(message: string) {
    super(message);
    this.name = 'CodeOutputError';
  }
}
