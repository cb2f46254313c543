import { resolveRef, typesOf, type JsonSchema, type JsonSchemaType } from './json-schema.ts';

/** How the form renders one parameter. */
export type FieldKind =
  | 'text'
  | 'textarea'
  | 'number'
  | 'boolean'
  | 'enum'
  | 'const'
  | 'primitive-list'
  | 'object-list'
  | 'key-value'
  | 'object'
  | 'union'
  | 'any'
  | 'condition'
  | 'json';

export interface FieldSpec {
  kind: FieldKind;
  /** The field's schema with `$ref` resolved. */
  schema: JsonSchema;
  /** For `union`: the alternatives, each with a label for the type picker. */
  options?: UnionOption[];
}

export interface UnionOption {
  label: string;
  schema: JsonSchema;
}

const MULTILINE_NAME = /code|message|text|body|content|prompt|template|script|sql|description|html/i;

/**
 * Decides which widget edits a value of this schema. `name` is the param key (it hints at
 * multi-line text); `root` holds the `$defs` that `$ref`s point into.
 *
 * @example describeField({ type: 'string', enum: ['GET', 'POST'] }, root).kind // 'enum'
 */
export function describeField(raw: JsonSchema, root: JsonSchema, name = ''): FieldSpec {
  const schema = resolveRef(raw, root);
  if (isConditionSchema(schema, root)) return { kind: 'condition', schema };
  if (isAnyJson(schema, root)) return { kind: 'any', schema };
  if (schema.const !== undefined) return { kind: 'const', schema };
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return { kind: 'enum', schema };
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) {
    const resolved = alternatives.map((a) => resolveRef(a, root));
    if (resolved.every((a) => a.const !== undefined))
      return { kind: 'enum', schema: { ...schema, enum: resolved.map((a) => a.const) } };
    const options = resolved.map((a, i) => ({ label: optionLabel(a, i), schema: a }));
    return { kind: 'union', schema, options };
  }
  const types = typesOf(schema).filter((t) => t !== 'null');
  if (types.length > 1) {
    return {
      kind: 'union',
      schema,
      options: types.map((t) => ({ label: typeLabel(t), schema: { ...schema, type: t } })),
    };
  }
  switch (types[0]) {
    case 'string':
      return { kind: isMultiline(schema, name) ? 'textarea' : 'text', schema };
    case 'number':
    case 'integer':
      return { kind: 'number', schema };
    case 'boolean':
      return { kind: 'boolean', schema };
    case 'array': {
      const items = schema.items ? resolveRef(schema.items, root) : {};
      const itemKind = describeField(items, root).kind;
      if (itemKind === 'text' || itemKind === 'number' || itemKind === 'enum')
        return { kind: 'primitive-list', schema };
      if (itemKind === 'object') return { kind: 'object-list', schema };
      return { kind: 'json', schema };
    }
    case 'object': {
      if (schema.properties && Object.keys(schema.properties).length > 0) return { kind: 'object', schema };
      if (schema.additionalProperties !== false) return { kind: 'key-value', schema };
      return { kind: 'json', schema };
    }
    default:
      return { kind: 'json', schema };
  }
}

/** The schema of the values of a key-value field (any JSON when unspecified). */
export function keyValueValueSchema(schema: JsonSchema): JsonSchema {
  return typeof schema.additionalProperties === 'object' ? schema.additionalProperties : {};
}

/** Which union alternative a value belongs to (the first that fits its JSON type), or -1. */
export function matchUnionOption(options: UnionOption[], value: unknown, root: JsonSchema): number {
  if (value === undefined) return -1;
  const t = jsonTypeOf(value);
  return options.findIndex((o) => {
    const s = resolveRef(o.schema, root);
    if (s.const !== undefined) return s.const === value;
    if (Array.isArray(s.enum)) return s.enum.includes(value);
    const types = typesOf(s);
    if (types.length === 0) return true;
    return types.some((st) => st === t || (st === 'number' && t === 'integer'));
  });
}

/** The JSON Schema type name of a value (`integer` for whole numbers). */
export function jsonTypeOf(value: unknown): JsonSchemaType | 'undefined' {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'string' || typeof value === 'boolean' || typeof value === 'object')
    return typeof value as JsonSchemaType;
  return 'undefined';
}

/** An empty value that fits the schema, for a newly added row or a union switch. */
export function emptyValueFor(raw: JsonSchema, root: JsonSchema): unknown {
  const schema = resolveRef(raw, root);
  if (schema.default !== undefined) return structuredClone(schema.default);
  if (schema.const !== undefined) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives?.[0]) return emptyValueFor(alternatives[0], root);
  switch (typesOf(schema)[0]) {
    case 'string':
      return '';
    case 'number':
    case 'integer':
      return schema.minimum ?? 0;
    case 'boolean':
      return false;
    case 'array':
      return [];
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const key of schema.required ?? []) {
        const prop = schema.properties?.[key];
        if (prop) out[key] = emptyValueFor(prop, root);
      }
      return out;
    }
    case 'null':
      return null;
    default:
      return '';
  }
}

/** A short human label for a field key: `timeoutMs` → `Timeout ms`. */
export function labelFor(key: string, schema?: JsonSchema): string {
  if (schema?.title) return schema.title;
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase();
  const cased = words.replace(/\b(url|id|api|json|http|html|sql|hmac|ip)\b/g, (w) => w.toUpperCase());
  return cased.charAt(0).toUpperCase() + cased.slice(1);
}

function isMultiline(schema: JsonSchema, name: string): boolean {
  if (schema.format) return false;
  if (schema.maxLength !== undefined && schema.maxLength <= 200) return false;
  return MULTILINE_NAME.test(name) || (schema.maxLength ?? 0) > 1000;
}

/** zod's recursive "any JSON value": string | number | boolean | null | array | object. */
function isAnyJson(schema: JsonSchema, root: JsonSchema): boolean {
  if (Object.keys(schema).filter((k) => !['description', 'default', 'title', 'examples'].includes(k)).length === 0)
    return true;
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (!alternatives) return false;
  const types = new Set(alternatives.flatMap((a) => typesOf(resolveRef(a, root))));
  return ['string', 'number', 'boolean', 'array', 'object'].every((t) => types.has(t as JsonSchemaType));
}

/** A json-logic rule: `true`/`false` or an object rule (the sdk's shared condition schema). */
function isConditionSchema(schema: JsonSchema, root: JsonSchema): boolean {
  if (/json-?logic/i.test(schema.description ?? '')) return true;
  const alternatives = (schema.anyOf ?? schema.oneOf)?.map((a) => resolveRef(a, root));
  return (
    alternatives?.length === 2 &&
    alternatives.some((a) => a.type === 'boolean') &&
    alternatives.some((a) => a.type === 'object' && !a.properties)
  );
}

function optionLabel(schema: JsonSchema, index: number): string {
  if (schema.title) return schema.title;
  const types = typesOf(schema);
  if (types.length === 1) return typeLabel(types[0]!);
  return `Option ${index + 1}`;
}

function typeLabel(type: JsonSchemaType): string {
  const labels: Record<JsonSchemaType, string> = {
    string: 'Text',
    number: 'Number',
    integer: 'Whole number',
    boolean: 'Yes / no',
    null: 'Empty',
    array: 'List',
    object: 'Object',
  };
  return labels[type];
}
