/** A location inside a node's params: `['cases', 0, 'condition']`. */
export type ParamPath = readonly (string | number)[];

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * The path as the server's validator writes it (`ValidationIssue.param`), so client and server
 * messages land on the same field.
 *
 * @example formatParamPath(['cases', 0, 'condition']) // 'cases[0].condition'
 */
export function formatParamPath(path: ParamPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/**
 * Reads the value at `path`, or undefined when any step is missing.
 *
 * @example getAt({ a: [{ b: 1 }] }, ['a', 0, 'b']) // 1
 */
export function getAt(value: unknown, path: ParamPath): unknown {
  let current = value;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

/**
 * A copy of `value` with `next` written at `path` (parents created as needed). Writing
 * `undefined` removes an object key, so a cleared optional field disappears from the params.
 *
 * @example setAt({ a: 1 }, ['b', 'c'], 2) // { a: 1, b: { c: 2 } }
 */
export function setAt<T>(value: T, path: ParamPath, next: unknown): T {
  if (path.length === 0) return next as T;
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  const child = getAt(value, [head]);
  const written = rest.length === 0 ? next : setAt(child ?? (typeof rest[0] === 'number' ? [] : {}), rest, next);
  if (Array.isArray(value) && typeof head === 'number') {
    const copy = [...value];
    copy[head] = written;
    return copy as T;
  }
  const copy: Record<string, unknown> = value !== null && typeof value === 'object' ? { ...value } : {};
  if (written === undefined) delete copy[head];
  else copy[head] = written;
  return copy as T;
}
