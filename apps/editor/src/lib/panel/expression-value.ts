/** A param value computed at run time (the graph's `{ kind: 'expr', src }`). */
export interface ExprValue {
  kind: 'expr';
  src: string;
}

export function isExprValue(value: unknown): value is ExprValue {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === 'expr' &&
    typeof (value as { src?: unknown }).src === 'string'
  );
}

/**
 * Switches a literal to an expression that evaluates to the same value (`"text"`, `42`,
 * `{"a": 1}` are JSONata literals too), so turning fx on changes nothing until the user edits.
 *
 * @example toExpression('hello') // { kind: 'expr', src: '"hello"' }
 */
export function toExpression(value: unknown): ExprValue {
  if (value === undefined || value === '') return { kind: 'expr', src: '' };
  return { kind: 'expr', src: JSON.stringify(value) ?? '' };
}

/**
 * Back from an expression to a literal: a JSON literal keeps its value, anything else is
 * dropped (the field falls back to empty, so nothing half-evaluated is stored).
 *
 * @example fromExpression({ kind: 'expr', src: '42' }) // 42
 */
export function fromExpression(expr: ExprValue): unknown {
  try {
    return JSON.parse(expr.src);
  } catch {
    return undefined;
  }
}
