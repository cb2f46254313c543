import jsonata from 'jsonata';
import type { Json } from '@apiq/sdk';
import { LruCache } from './lru-cache.ts';

/**
 * Expressions are JSONata (https://jsonata.org), a pure query language: it can read the
 * bindings it is given and nothing else. No function that reaches the host is registered.
 */

/** What an expression can see, as JSONata variables (`$trigger`, `$input`, ...). */
export interface ExpressionBindings {
  /** The trigger's output for this run. */
  trigger?: unknown;
  /** The step's input; also the expression's context, so `amount` means `$input.amount`. */
  input?: unknown;
  /** Outputs of completed steps by step id: `$steps.fetch.body`, or `$steps.\`my-step\`` for ids with `-`. */
  steps?: Record<string, unknown>;
  /** Inside a for-each: the current item and its index. */
  item?: unknown;
  index?: number;
  /** `resumeUrl`: the URL that resumes this run when it waits on a Wait node in webhook mode. */
  run?: { id: string; workflowId: string; resumeUrl?: string };
}

export interface ExpressionLimits {
  /** Wall-clock budget of one evaluation. */
  timeoutMs?: number;
  /** Maximum nesting of evaluation (stops runaway recursion). */
  maxDepth?: number;
  /** Maximum length of any sequence or range the expression builds. */
  maxSequence?: number;
}

export const DEFAULT_EXPRESSION_LIMITS: Readonly<Required<ExpressionLimits>> = Object.freeze({
  timeoutMs: 1000,
  maxDepth: 1000,
  maxSequence: 1_000_000,
});

export type ExpressionErrorCode = 'syntax' | 'timeout' | 'depth' | 'too_large' | 'evaluation';

/** An expression did not parse, failed, or went over its limits. */
export class ExpressionError extends Error {
  readonly code: ExpressionErrorCode;
  readonly src: string;
  /** Character offset in `src` the problem was found at, when known. */
  readonly position?: number;
  /** Set by `resolveParams`: the param path, e.g. `body.total`. */
  readonly param?: string;

  constructor(
    code: ExpressionErrorCode,
    message: string,
    details: { src: string; position?: number; param?: string; cause?: unknown },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'ExpressionError';
    this.code = code;
    this.src = details.src;
    if (details.position !== undefined) this.position = details.position;
    if (details.param !== undefined) this.param = details.param;
  }
}

/** A parsed expression bound to its limits; safe to evaluate concurrently. */
export interface CompiledExpression {
  readonly src: string;
  readonly limits: Readonly<Required<ExpressionLimits>>;
  evaluate(bindings: ExpressionBindings): Promise<Json>;
}

interface JsonataFailure {
  code?: string;
  message?: string;
  position?: number;
  token?: string;
  value?: unknown;
}

const CACHE_CAPACITY = 2000;
const cache = new LruCache<string, CompiledExpression>(CACHE_CAPACITY);

function quote(src: string): string {
  const oneLine = src.replace(/\s+/g, ' ');
  return JSON.stringify(oneLine.length > 80 ? `${oneLine.slice(0, 77)}...` : oneLine);
}

function withLimits(limits: ExpressionLimits | undefined): Required<ExpressionLimits> {
  if (limits === undefined) return DEFAULT_EXPRESSION_LIMITS;
  return {
    timeoutMs: limits.timeoutMs ?? DEFAULT_EXPRESSION_LIMITS.timeoutMs,
    maxDepth: limits.maxDepth ?? DEFAULT_EXPRESSION_LIMITS.maxDepth,
    maxSequence: limits.maxSequence ?? DEFAULT_EXPRESSION_LIMITS.maxSequence,
  };
}

function failureOf(err: unknown): JsonataFailure {
  return typeof err === 'object' && err !== null ? (err as JsonataFailure) : { message: String(err) };
}

function syntaxError(src: string, err: unknown): ExpressionError {
  const f = failureOf(err);
  const position = typeof f.position === 'number' ? f.position : 0;
  return new ExpressionError(
    'syntax',
    `expression ${quote(src)} does not parse: ${f.message ?? 'syntax error'} (at position ${position})`,
    {
      src,
      position,
      cause: err,
    },
  );
}

function evaluationError(src: string, limits: Required<ExpressionLimits>, err: unknown): ExpressionError {
  if (err instanceof RangeError) {
    return new ExpressionError(
      'depth',
      `expression ${quote(src)} nested too deeply and was stopped: look for a function that calls itself without end`,
      { src, cause: err },
    );
  }
  const f = failureOf(err);
  const position = typeof f.position === 'number' ? f.position : undefined;
  const details = position === undefined ? { src, cause: err } : { src, position, cause: err };
  switch (f.code) {
    case 'D1012':
      return new ExpressionError(
        'timeout',
        `expression ${quote(src)} ran longer than ${limits.timeoutMs} ms and was stopped: look for an endless loop or recursion, or work on less data`,
        details,
      );
    case 'D1011':
      return new ExpressionError(
        'depth',
        `expression ${quote(src)} nested deeper than ${limits.maxDepth} levels and was stopped: look for a function that calls itself without end`,
        details,
      );
    case 'D2014':
    case 'D2015': {
      const size = typeof f.value === 'number' ? `${f.value} items` : 'too many items';
      const limit = Math.min(limits.maxSequence, 1e7);
      return new ExpressionError(
        'too_large',
        `expression ${quote(src)} built a sequence of ${size}, over the limit of ${limit}: use a smaller range or less data`,
        details,
      );
    }
    default: {
      const at = position === undefined ? '' : ` (at position ${position})`;
      return new ExpressionError(
        'evaluation',
        `expression ${quote(src)} failed: ${f.message ?? 'unknown error'}${at}`,
        details,
      );
    }
  }
}

// JSONata functions and lambdas are not data; they are dropped like JSON.stringify drops functions.
function dropFunctions(_key: string, value: unknown): unknown {
  if (typeof value === 'object' && value !== null && ('_jsonata_lambda' in value || '_jsonata_function' in value))
    return undefined;
  return value;
}

/** Turns a JSONata result into plain JSON: no sequence flags, no functions, `undefined` → null. */
function toJson(value: unknown): Json {
  if (value === undefined || value === null) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'object': {
      const text = JSON.stringify(value, dropFunctions);
      return text === undefined ? null : (JSON.parse(text) as Json);
    }
    default:
      return null;
  }
}

function build(src: string, limits: Required<ExpressionLimits>): CompiledExpression {
  let expr: jsonata.Expression;
  try {
    expr = jsonata(src, { timeout: limits.timeoutMs, stack: limits.maxDepth, sequence: limits.maxSequence });
  } catch (err) {
    throw syntaxError(src, err);
  }
  return Object.freeze({
    src,
    limits,
    async evaluate(bindings: ExpressionBindings): Promise<Json> {
      // The limits are JSONata's own guardrails: they live in the per-evaluation
      // environment, so one compiled expression serves concurrent evaluations.
      const vars = {
        trigger: bindings.trigger,
        input: bindings.input,
        steps: bindings.steps ?? {},
        item: bindings.item,
        index: bindings.index,
        run: bindings.run,
      };
      let result: unknown;
      try {
        result = await expr.evaluate(bindings.input, vars);
      } catch (err) {
        throw evaluationError(src, limits, err);
      }
      return toJson(result);
    },
  });
}

/**
 * Parses an expression once and caches it (least recently used entries are evicted),
 * so the hot path only evaluates. Throws `ExpressionError` (code `syntax`) if it does not parse.
 *
 * @example
 * const total = compileExpression('$sum($trigger.body.items.price)');
 * await total.evaluate({ trigger: { body: { items: [{ price: 2 }, { price: 3 }] } } }); // 5
 */
export function compileExpression(src: string, limits?: ExpressionLimits): CompiledExpression {
  if (typeof src !== 'string' || src.trim() === '') {
    throw new ExpressionError('syntax', 'expression is empty: write a JSONata expression such as $trigger.body.id', {
      src: String(src ?? ''),
      position: 0,
    });
  }
  const resolved = withLimits(limits);
  const key = `${resolved.timeoutMs}:${resolved.maxDepth}:${resolved.maxSequence}\u0000${src}`;
  let compiled = cache.get(key);
  if (compiled === undefined) {
    compiled = build(src, resolved);
    cache.set(key, compiled);
  }
  return compiled;
}

export type ExpressionCheck = { ok: true } | { ok: false; message: string; position: number };

/**
 * Checks that an expression parses (it does not evaluate it).
 *
 * @example
 * checkExpression('$sum(items.price'); // { ok: false, message: 'Expected ")" before end of expression', position: 16 }
 */
export function checkExpression(src: string): ExpressionCheck {
  try {
    compileExpression(src);
    return { ok: true };
  } catch (err) {
    if (err instanceof ExpressionError) {
      const cause = failureOf(err.cause);
      return { ok: false, message: cause.message ?? err.message, position: err.position ?? 0 };
    }
    throw err;
  }
}

/**
 * Evaluates an expression against the run's data, within a time box (default 1000 ms),
 * a nesting limit and a sequence-size limit. Returns plain JSON; `undefined` becomes null.
 * Throws `ExpressionError` naming the problem.
 *
 * @example
 * await evaluateExpression('amount * 2', { input: { amount: 21 } }); // 42
 * await evaluateExpression('$steps.fetch.body.id', { steps: { fetch: { body: { id: 7 } } } }); // 7
 */
export async function evaluateExpression(
  src: string,
  bindings: ExpressionBindings,
  limits?: ExpressionLimits,
): Promise<Json> {
  return compileExpression(src, limits).evaluate(bindings);
}

/** Empties the compiled-expression cache (tests, or after loading many one-off expressions). */
export function clearExpressionCache(): void {
  cache.clear();
}
