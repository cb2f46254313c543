import type { OperationParameterData } from './params.ts';

type Scalar = string | number | boolean;
const enc = encodeURIComponent;

function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value as Scalar);
}

function entries(value: object): Array<[string, string]> {
  return Object.entries(value).map(([k, v]) => [k, text(v)]);
}

/**
 * A path parameter's value as it appears in the URL (percent-encoded), per its OpenAPI style:
 * `simple` (default) `1,2`, `label` `.1.2`, `matrix` `;id=1,2`.
 *
 * @example
 * serializePath({ name: 'ids', in: 'path', style: 'simple' }, [1, 2]); // → '1,2'
 * serializePath({ name: 'id', in: 'path', style: 'matrix' }, 5);        // → ';id=5'
 */
export function serializePath(
  param: Pick<OperationParameterData, 'name' | 'style' | 'explode'>,
  value: unknown,
): string {
  const style = param.style ?? 'simple';
  const explode = param.explode ?? false;
  if (style === 'label') {
    if (Array.isArray(value)) return '.' + value.map((v) => enc(text(v))).join(explode ? '.' : ',');
    if (isObject(value))
      return (
        '.' +
        entries(value)
          .map(([k, v]) => (explode ? `${enc(k)}=${enc(v)}` : `${enc(k)},${enc(v)}`))
          .join(explode ? '.' : ',')
      );
    return '.' + enc(text(value));
  }
  if (style === 'matrix') {
    const name = enc(param.name);
    if (Array.isArray(value)) {
      return explode
        ? value.map((v) => `;${name}=${enc(text(v))}`).join('')
        : `;${name}=${value.map((v) => enc(text(v))).join(',')}`;
    }
    if (isObject(value)) {
      return explode
        ? entries(value)
            .map(([k, v]) => `;${enc(k)}=${enc(v)}`)
            .join('')
        : `;${name}=${entries(value)
            .map(([k, v]) => `${enc(k)},${enc(v)}`)
            .join(',')}`;
    }
    return `;${name}=${enc(text(value))}`;
  }
  return simple(value, explode, enc);
}

/**
 * A query parameter as `name=value` pairs (already percent-encoded), per its OpenAPI style:
 * `form` (default; explode: repeated `a=1&a=2`, else `a=1,2`), `spaceDelimited`,
 * `pipeDelimited`, `deepObject` (`a[k]=v`).
 *
 * @example
 * serializeQuery({ name: 'tags', in: 'query' }, ['a', 'b']);                    // → ['tags=a', 'tags=b']
 * serializeQuery({ name: 'tags', in: 'query', explode: false }, ['a', 'b']);    // → ['tags=a,b']
 * serializeQuery({ name: 'f', in: 'query', style: 'deepObject' }, { x: 1 });    // → ['f%5Bx%5D=1']
 */
export function serializeQuery(
  param: Pick<OperationParameterData, 'name' | 'style' | 'explode'>,
  value: unknown,
): string[] {
  const style = param.style ?? 'form';
  const explode = param.explode ?? style === 'form';
  const name = enc(param.name);
  if (style === 'deepObject' && isObject(value)) {
    return entries(value).map(([k, v]) => `${enc(`${param.name}[${k}]`)}=${enc(v)}`);
  }
  if (Array.isArray(value)) {
    if (style === 'spaceDelimited') return [`${name}=${value.map((v) => enc(text(v))).join('%20')}`];
    if (style === 'pipeDelimited') return [`${name}=${value.map((v) => enc(text(v))).join('|')}`];
    return explode
      ? value.map((v) => `${name}=${enc(text(v))}`)
      : [`${name}=${value.map((v) => enc(text(v))).join(',')}`];
  }
  if (isObject(value)) {
    return explode
      ? entries(value).map(([k, v]) => `${enc(k)}=${enc(v)}`)
      : [
          `${name}=${entries(value)
            .map(([k, v]) => `${enc(k)},${enc(v)}`)
            .join(',')}`,
        ];
  }
  return [`${name}=${enc(text(value))}`];
}

/**
 * A header parameter's value (style `simple`): arrays `1,2`, objects `k,v` (explode: `k=v`).
 *
 * @example
 * serializeHeader({ name: 'X-Ids', in: 'header' }, [1, 2]); // → '1,2'
 */
export function serializeHeader(param: Pick<OperationParameterData, 'explode'>, value: unknown): string {
  return simple(value, param.explode ?? false, (s) => s);
}

function simple(value: unknown, explode: boolean, escape: (s: string) => string): string {
  if (Array.isArray(value)) return value.map((v) => escape(text(v))).join(',');
  if (isObject(value)) {
    return entries(value)
      .map(([k, v]) => (explode ? `${escape(k)}=${escape(v)}` : `${escape(k)},${escape(v)}`))
      .join(',');
  }
  return escape(text(value));
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
