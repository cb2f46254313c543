/**
 * Typed errors a node throws to tell the engine what to do next.
 * They cross thread boundaries as plain objects (see `serializeError`), so the
 * engine decides by `kind`, never by `instanceof`.
 */
export type NodeErrorKind = 'retryable' | 'fatal' | 'rate_limited' | 'timeout' | 'cancelled';

export class NodeError extends Error {
  readonly kind: NodeErrorKind;
  readonly details?: unknown;
  constructor(kind: NodeErrorKind, message: string, options?: { cause?: unknown; details?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.details = options?.details;
    this.name = 'NodeError';
  }
}

/** A failure that may succeed if tried again (network blip, 5xx). The step's retry policy applies. */
export class RetryableError extends NodeError {
  constructor(message: string, options?: { cause?: unknown; details?: unknown }) {
    super('retryable', message, options);
    this.name = 'RetryableError';
  }
}

/** A failure that will not go away by retrying (bad input, 4xx, missing permission). */
export class FatalError extends NodeError {
  constructor(message: string, options?: { cause?: unknown; details?: unknown }) {
    super('fatal', message, options);
    this.name = 'FatalError';
  }
}

/** The remote side asked us to slow down; the engine waits `retryAfterMs` before the next attempt. */
export class RateLimitedError extends NodeError {
  readonly retryAfterMs: number;
  constructor(message: string, retryAfterMs: number, options?: { cause?: unknown; details?: unknown }) {
    super('rate_limited', message, options);
    this.retryAfterMs = Math.max(0, Math.round(retryAfterMs));
    this.name = 'RateLimitedError';
  }
}

/** A plain, cloneable description of an error, as stored in run data. */
export interface SerializedError {
  kind: NodeErrorKind;
  name: string;
  message: string;
  retryAfterMs?: number;
  details?: unknown;
}

/**
 * Turns anything thrown into a SerializedError. Unknown errors count as retryable:
 * a thrown TypeError from a flaky dependency should not kill a run outright when a
 * retry policy exists, and with no policy the step fails after one attempt anyway.
 */
export function serializeError(err: unknown): SerializedError {
  if (err instanceof RateLimitedError) {
    return {
      kind: err.kind,
      name: err.name,
      message: err.message,
      retryAfterMs: err.retryAfterMs,
      details: err.details,
    };
  }
  if (err instanceof NodeError) {
    return {
      kind: err.kind,
      name: err.name,
      message: err.message,
      ...(err.details === undefined ? {} : { details: err.details }),
    };
  }
  if (isSerializedError(err)) return err;
  if (err instanceof Error) {
    if (err.name === 'AbortError') return { kind: 'cancelled', name: err.name, message: err.message };
    return { kind: 'retryable', name: err.name, message: err.message };
  }
  return { kind: 'retryable', name: 'Error', message: String(err) };
}

export function isSerializedError(value: unknown): value is SerializedError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.kind === 'string' && typeof v.message === 'string' && typeof v.name === 'string';
}

/** Maps an HTTP status to the error kind a connector should throw. */
export function errorForStatus(status: number, message: string, retryAfterHeader?: string | null): NodeError {
  if (status === 429 || (status === 503 && retryAfterHeader)) {
    return new RateLimitedError(message, parseRetryAfter(retryAfterHeader) ?? 1000);
  }
  if (status >= 500 || status === 408) return new RetryableError(message);
  return new FatalError(message);
}

/** Parses a Retry-After header (seconds or HTTP date) into milliseconds from now. */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
