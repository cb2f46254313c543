import { z } from '@apiq/sdk';
import type { OperationArgs, OperationData, OperationParameterData } from './params.ts';

const PLACES = { path: 'path', query: 'query', header: 'headers' } as const;
const MAX_CACHED = 500;
const compiled = new Map<string, z.ZodType | null>();

/** A zod schema from a parameter's JSON Schema (cached); null when zod cannot express it (then anything passes). */
function zodFor(schema: Record<string, unknown>, dialect: OperationData['schemaDialect']): z.ZodType | null {
  const key = `${dialect}:${JSON.stringify(schema)}`;
  let found = compiled.get(key);
  if (found === undefined) {
    try {
      found = z.fromJSONSchema(schema as never, { defaultTarget: dialect });
    } catch {
      found = null;
    }
    if (compiled.size >= MAX_CACHED) compiled.delete(compiled.keys().next().value!);
    compiled.set(key, found);
  }
  return found;
}

/**
 * Path, query and header values arrive as text as often as not (from a webhook, a form): a
 * numeric or boolean string is accepted where the schema wants a number or a boolean.
 */
export function coerceScalar(value: unknown, schema: Record<string, unknown>): unknown {
  if (typeof value !== 'string') return value;
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  if ((types.includes('integer') || types.includes('number')) && /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(value.trim())) {
    return Number(value);
  }
  if (types.includes('boolean') && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

function isExpression(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'expr';
}

/**
 * What is wrong with a node's arguments for its operation: unknown or missing parameters, values
 * that do not match the parameter's schema, a missing or forbidden body. Each issue has the
 * param path (`args.path.petId`) and a message naming the operation.
 *
 * @example
 * argIssues(getPetById, { path: {}, query: {}, headers: {} });
 * // → [{ path: ['args', 'path', 'petId'], message: 'getPetById needs path parameter "petId" (integer)' }]
 */
export function argIssues(op: OperationData, args: OperationArgs): Array<{ path: PropertyKey[]; message: string }> {
  const issues: Array<{ path: PropertyKey[]; message: string }> = [];
  const byPlace = (place: OperationParameterData['in']) => op.parameters.filter((p) => p.in === place);
  for (const place of ['path', 'query', 'header'] as const) {
    const key = PLACES[place];
    const given = args[key];
    const known = byPlace(place);
    for (const name of Object.keys(given)) {
      if (known.some((p) => p.name === name)) continue;
      const list = known.map((p) => p.name).join(', ') || 'none';
      issues.push({
        path: ['args', key, name],
        message: `"${name}" is not a ${place} parameter of ${op.operationId} (it has: ${list})`,
      });
    }
    for (const param of known) {
      const value = given[param.name];
      if (value === undefined || value === null) {
        if (param.required) {
          issues.push({
            path: ['args', key, param.name],
            message: `${op.operationId} needs ${place} parameter "${param.name}"${describeType(param.schema)}`,
          });
        }
        continue;
      }
      if (isExpression(value)) continue;
      const schema = zodFor(param.schema, op.schemaDialect);
      const result = schema?.safeParse(coerceScalar(value, param.schema));
      if (result && !result.success) {
        const first = result.error.issues[0]!;
        const inner = first.path.length ? ` at ${first.path.join('.')}` : '';
        issues.push({
          path: ['args', key, param.name, ...first.path],
          message: `${place} parameter "${param.name}" of ${op.operationId}${inner}: ${first.message}`,
        });
      }
    }
  }
  const hasBody = args.body !== undefined && args.body !== null;
  if (hasBody && !op.requestBody) {
    issues.push({
      path: ['args', 'body'],
      message: `${op.operationId} (${op.method} ${op.path}) takes no request body`,
    });
  } else if (!hasBody && op.requestBody?.required) {
    issues.push({
      path: ['args', 'body'],
      message: `${op.operationId} needs a request body (${op.requestBody.contentType})`,
    });
  } else if (hasBody && op.requestBody && !isExpression(args.body)) {
    const result = zodFor(op.requestBody.schema, op.schemaDialect)?.safeParse(args.body);
    if (result && !result.success) {
      for (const issue of result.error.issues.slice(0, 5)) {
        const at = issue.path.length ? ` at ${issue.path.join('.')}` : '';
        issues.push({
          path: ['args', 'body', ...issue.path],
          message: `request body of ${op.operationId}${at}: ${issue.message}`,
        });
      }
    }
  }
  return issues;
}

function describeType(schema: Record<string, unknown>): string {
  const type = Array.isArray(schema.type) ? schema.type.join(' or ') : schema.type;
  return typeof type === 'string' ? ` (${type})` : '';
}
