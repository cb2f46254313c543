import { resolveRef, typesOf, type JsonSchema } from './json-schema.ts';
import { jsonTypeOf } from './schema-fields.ts';
import { formatParamPath, type ParamPath } from './param-path.ts';

/** One problem with a param value, located like the server's `ValidationIssue.param`. */
export interface ParamIssue {
  param: string;
  message: string;
}

/**
 * Immediate client-side checks of a node's params against its JSON Schema: required, type,
 * enum/const, number bounds, string length/pattern/URL, list length, unknown keys. Values that
 * are expressions (`{ kind: 'expr' }`) are only known at run time and are skipped. The server's
 * `workflows.validate` remains the authority; this catches typos while the user types.
 *
 * @example validateParams({ type: 'object', required: ['url'], properties: { url: { type: 'string' } } }, {})
 * // [{ param: 'url', message: 'is required' }]
 */
export function validateParams(schema: JsonSchema, params: unknown): ParamIssue[] {
  const issues: ParamIssue[] = [];
  check(schema, params, schema, [], issues);
  return issues;
}

function isExpr(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === 'expr' &&
    typeof (value as { src?: unknown }).src === 'string'
  );
}

function check(raw: JsonSchema, value: unknown, root: JsonSchema, path: ParamPath, out: ParamIssue[]): void {
  if (value === undefined || isExpr(value)) return;
  const schema = resolveRef(raw, root);
  const push = (message: string, at: ParamPath = path) => out.push({ param: formatParamPath(at), message });

  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) {
    const fits = alternatives.some((alt) => {
      const trial: ParamIssue[] = [];
      check(alt, value, root, path, trial);
      return trial.length === 0;
    });
    if (!fits) {
      // Report the closest alternative's problems when only one alternative has the value's type.
      const sameType = alternatives.filter((alt) => typeFits(resolveRef(alt, root), value));
      if (sameType.length === 1) check(sameType[0]!, value, root, path, out);
      else push(`must be ${alternatives.map((a) => describeType(resolveRef(a, root))).join(' or ')}`);
    }
    return;
  }

  if (schema.const !== undefined && JSON.stringify(schema.const) !== JSON.stringify(value)) {
    push(`must be ${JSON.stringify(schema.const)}`);
    return;
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    push(`must be one of ${schema.enum.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))).join(', ')}`);
    return;
  }
  if (!typeFits(schema, value)) {
    push(`must be ${describeType(schema)}`);
    return;
  }

  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) push(`must be at least ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) push(`must be at most ${schema.maximum}`);
    if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum)
      push(`must be more than ${schema.exclusiveMinimum}`);
    if (schema.exclusiveMaximum !== undefined && value >= schema.exclusiveMaximum)
      push(`must be less than ${schema.exclusiveMaximum}`);
  }

  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength)
      push(schema.minLength === 1 ? 'must not be empty' : `must be at least ${schema.minLength} characters`);
    if (schema.maxLength !== undefined && value.length > schema.maxLength)
      push(`must be at most ${schema.maxLength} characters`);
    if (schema.pattern !== undefined && value !== '' && !safeRegExp(schema.pattern)?.test(value))
      push(schema.format ? formatMessage(schema.format) : `must match the pattern ${schema.pattern}`);
    else if (schema.format && value !== '' && !formatFits(schema.format, value)) push(formatMessage(schema.format));
  }

  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems)
      push(`needs at least ${schema.minItems} item${schema.minItems === 1 ? '' : 's'}`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems)
      push(`allows at most ${schema.maxItems} item${schema.maxItems === 1 ? '' : 's'}`);
    if (schema.items) value.forEach((item, i) => check(schema.items!, item, root, [...path, i], out));
  }

  if (jsonTypeOf(value) === 'object') {
    const obj = value as Record<string, unknown>;
    for (const key of schema.required ?? []) if (obj[key] === undefined) push('is required', [...path, key]);
    for (const [key, v] of Object.entries(obj)) {
      const prop = schema.properties?.[key];
      if (prop) check(prop, v, root, [...path, key], out);
      else if (schema.additionalProperties === false) push(`is not a known field; remove it`, [...path, key]);
      else if (typeof schema.additionalProperties === 'object')
        check(schema.additionalProperties, v, root, [...path, key], out);
    }
  }
}

function typeFits(schema: JsonSchema, value: unknown): boolean {
  const types = typesOf(schema);
  if (types.length === 0) return true;
  const actual = jsonTypeOf(value);
  return types.some((t) => t === actual || (t === 'number' && actual === 'integer'));
}

function describeType(schema: JsonSchema): string {
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  const names: Record<string, string> = {
    string: 'text',
    number: 'a number',
    integer: 'a whole number',
    boolean: 'true or false',
    null: 'empty',
    array: 'a list',
    object: 'an object',
  };
  const types = typesOf(schema);
  return types.length === 0 ? 'a value' : types.map((t) => names[t] ?? t).join(' or ');
}

function safeRegExp(pattern: string): RegExp | undefined {
  try {
    return new RegExp(pattern, 'u');
  } catch {
    return undefined;
  }
}

function formatFits(format: string, value: string): boolean {
  switch (format) {
    case 'uri':
    case 'url':
      return URL.canParse(value) && /^[a-z][a-z0-9+.-]*:/i.test(value);
    case 'email':
      return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value);
    case 'date-time':
      return !Number.isNaN(Date.parse(value)) && /T/.test(value);
    default:
      return true;
  }
}

function formatMessage(format: string): string {
  switch (format) {
    case 'uri':
    case 'url':
      return 'must be an absolute URL, e.g. https://api.example.com/items';
    case 'email':
      return 'must be an email address, e.g. ops@example.com';
    case 'date-time':
      return 'must be a date-time with a time zone, e.g. 2026-01-31T09:00:00Z';
    default:
      return `must be a valid ${format}`;
  }
}
