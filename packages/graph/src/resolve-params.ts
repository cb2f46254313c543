import { isExpr } from './schema.ts';
import { compileExpression, ExpressionError } from './expressions.ts';
import type { ExpressionBindings, ExpressionLimits } from './expressions.ts';

const MAX_PARAM_DEPTH = 1000;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** `body.total`, `items[0].name`, `headers["content-type"]`. */
export function joinParamPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  if (IDENTIFIER.test(key)) return parent === '' ? key : `${parent}.${key}`;
  return `${parent}[${JSON.stringify(key)}]`;
}

/**
 * Whether a value holds an expression anywhere inside (plain objects and arrays are walked).
 * Callers cache the answer per step so params without expressions skip resolution entirely.
 *
 * @example
 * hasExpressions({ url: 'https://example.com' });                      // false
 * hasExpressions({ body: { id: { kind: 'expr', src: '$input.id' } } }); // true
 */
export function hasExpressions(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const current = stack.pop();
    if (isExpr(current)) return true;
    if (Array.isArray(current)) {
      for (const item of current) if (typeof item === 'object' && item !== null) stack.push(item);
    } else if (isPlainObject(current)) {
      for (const key in current) {
        const item = current[key];
        if (typeof item === 'object' && item !== null) stack.push(item);
      }
    }
  }
  return false;
}

export interface ResolveParamsOptions {
  limits?: ExpressionLimits;
  /** The cached answer of `hasExpressions(params)`, when the caller keeps one. */
  hasExpressions?: boolean;
}

/**
 * Replaces every `{ kind: 'expr', src }` inside params (deep, through plain objects and
 * arrays) with its evaluated value. Params without expressions are returned as they are,
 * uncopied; elsewhere only the objects on the way to an expression are copied.
 * Errors are `ExpressionError`s whose message starts with the param path.
 *
 * @example
 * await resolveParams(
 *   { url: 'https://api.example.com/orders', body: { total: { kind: 'expr', src: '$sum($input.items.price)' } } },
 *   { input: { items: [{ price: 2 }, { price: 3 }] } },
 * ); // { url: 'https://api.example.com/orders', body: { total: 5 } }
 */
export async function resolveParams(
  params: Record<string, unknown>,
  bindings: ExpressionBindings,
  options: ResolveParamsOptions = {},
): Promise<Record<string, unknown>> {
  if (!(options.hasExpressions ?? hasExpressions(params))) return params;
  return (await resolveValue(params, '', bindings, options.limits, 0)) as Record<string, unknown>;
}

async function resolveValue(
  value: unknown,
  path: string,
  bindings: ExpressionBindings,
  limits: ExpressionLimits | undefined,
  depth: number,
): Promise<unknown> {
  if (depth > MAX_PARAM_DEPTH) {
    throw new ExpressionError('too_large', `params.${path}: params nest deeper than ${MAX_PARAM_DEPTH} levels`, {
      src: '',
      param: path,
    });
  }
  if (isExpr(value)) {
    try {
      return await compileExpression(value.src, limits).evaluate(bindings);
    } catch (err) {
      if (!(err instanceof ExpressionError)) throw err;
      const at = path === '' ? 'params' : path.startsWith('[') ? `params${path}` : `params.${path}`;
      throw new ExpressionError(err.code, `${at}: ${err.message}`, {
        src: err.src,
        ...(err.position === undefined ? {} : { position: err.position }),
        param: path,
        cause: err,
      });
    }
  }
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item !== 'object' || item === null) continue;
      const resolved = await resolveValue(item, joinParamPath(path, i), bindings, limits, depth + 1);
      if (resolved !== item) {
        copy ??= value.slice();
        copy[i] = resolved;
      }
    }
    return copy ?? value;
  }
  if (isPlainObject(value)) {
    let copy: Record<string, unknown> | undefined;
    for (const key of Object.keys(value)) {
      const item = value[key];
      if (typeof item !== 'object' || item === null) continue;
      const resolved = await resolveValue(item, joinParamPath(path, key), bindings, limits, depth + 1);
      if (resolved !== item) {
        copy ??= { ...value };
        copy[key] = resolved;
      }
    }
    return copy ?? value;
  }
  return value;
}
