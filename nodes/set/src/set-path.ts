import { FatalError, type Json } from '@apiq/sdk';

type JsonObject = { [key: string]: Json };
type Container = JsonObject | Json[];

const INDEX = /^(0|[1-9][0-9]{0,8})$/;
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'prototype', 'constructor']);

export function isPlainObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Why a field name cannot be used as a path, or undefined when it can. */
export function fieldNameProblem(name: string): string | undefined {
  if (name === '') return 'field names must not be empty';
  const segments = name.split('.');
  if (segments.some((s) => s === '')) {
    return `field name ${JSON.stringify(name)} has an empty part: use dots only between names, e.g. "customer.email"`;
  }
  const forbidden = segments.find((s) => FORBIDDEN_SEGMENTS.has(s));
  if (forbidden) return `field name ${JSON.stringify(name)} uses the reserved name "${forbidden}"`;
  return undefined;
}

/**
 * Returns a copy of `target` with `value` at the dotted `path`, copying every object or list
 * along the path so the original is never changed. Missing or non-object parts become objects;
 * a numeric part indexes into an existing list (up to one past its end).
 *
 * @example
 * setPath({ a: { b: 1 } }, 'a.c', 2) // → { a: { b: 1, c: 2 } }
 */
export function setPath(target: JsonObject, path: string, value: Json): JsonObject {
  const segments = path.split('.');
  const root: JsonObject = { ...target };
  let container: Container = root;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as string;
    if (i === segments.length - 1) {
      assign(container, segment, value, path);
      break;
    }
    const existing: Json | undefined = Array.isArray(container) ? container[Number(segment)] : container[segment];
    const next = segments[i + 1] as string;
    const copy: Container =
      Array.isArray(existing) && INDEX.test(next) ? [...existing] : isPlainObject(existing) ? { ...existing } : {};
    assign(container, segment, copy, path);
    container = copy;
  }
  return root;
}

function assign(container: Container, segment: string, value: Json, path: string): void {
  if (!Array.isArray(container)) {
    container[segment] = value;
    return;
  }
  const index = Number(segment);
  if (index > container.length) {
    throw new FatalError(
      `Cannot set "${path}": index ${index} is past the end of a list of ${container.length} item(s); use an index up to ${container.length}`,
    );
  }
  container[index] = value;
}
