/** The subset of JSON Schema (draft 2020-12, as zod 4 writes it) that the panel reads. */
export interface JsonSchema {
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  type?: JsonSchemaType | JsonSchemaType[];
  title?: string;
  description?: string;
  default?: unknown;
  examples?: unknown[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
}

export type JsonSchemaType = 'string' | 'number' | 'integer' | 'boolean' | 'null' | 'array' | 'object';

/**
 * Follows a local `$ref` (`#/$defs/name`) against the root schema; other schemas come back as they are.
 *
 * @example resolveRef({ $ref: '#/$defs/a' }, { $defs: { a: { type: 'string' } } }) // { type: 'string' }
 */
export function resolveRef(schema: JsonSchema, root: JsonSchema): JsonSchema {
  let current = schema;
  for (let hops = 0; current.$ref && hops < 20; hops++) {
    const match = /^#\/(\$defs|definitions)\/(.+)$/.exec(current.$ref);
    const target = match
      ? (root as Record<string, Record<string, JsonSchema> | undefined>)[match[1]!]?.[match[2]!]
      : undefined;
    if (!target) return {};
    // Keywords next to $ref (description, default) stay with the field.
    const { $ref: _ref, ...siblings } = current;
    current = { ...target, ...siblings };
  }
  return current;
}

/** The schema's types as a list (`type: 'string'` → `['string']`; none → `[]`). */
export function typesOf(schema: JsonSchema): JsonSchemaType[] {
  if (Array.isArray(schema.type)) return schema.type;
  return schema.type ? [schema.type] : [];
}
