import {
  HTTP_METHODS,
  PARAMETER_STYLES,
  type ApiOperation,
  type HttpMethod,
  type JsonSchema,
  type OperationParameter,
  type RequestBody,
  type ResponseSummary,
  type SchemaDialect,
  type SecurityRequirement,
  type SkippedOperation,
} from './model.ts';
import type { RefResolver } from './refs.ts';
import { SpecError, formatWhere } from './spec-error.ts';

type Obj = Record<string, unknown>;

export interface NormalizeOptions {
  resolver: RefResolver;
  /** Swagger 2.0 rules for parameters, bodies and responses. */
  swagger: boolean;
  dialect: SchemaDialect;
  /** Security that applies when an operation says nothing (the document's `security`). */
  globalSecurity: SecurityRequirement;
  /** Swagger 2.0 document-level `consumes` / `produces`. */
  consumes: string[];
  produces: string[];
}

export interface NormalizedOperations {
  operations: ApiOperation[];
  skipped: SkippedOperation[];
  warnings: string[];
}

const SPEC_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const SWAGGER_SCHEMA_KEYS = [
  'type',
  'format',
  'items',
  'enum',
  'default',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'uniqueItems',
  'multipleOf',
  'description',
];
const CONTENT_TYPE_PREFERENCE = [
  /^application\/json\b/i,
  /\+json\b/i,
  /^application\/x-www-form-urlencoded\b/i,
  /^multipart\/form-data\b/i,
  /^text\//i,
  /^application\/octet-stream\b/i,
];

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/**
 * Turns every operation under `paths` into an `ApiOperation`. An operation that cannot be used
 * (an unresolvable `$ref`, a malformed parameter, an undeclared path parameter) is skipped with
 * the place and the reason; the others are still imported.
 */
export function normalizeOperations(doc: Obj, options: NormalizeOptions): NormalizedOperations {
  const operations: ApiOperation[] = [];
  const skipped: SkippedOperation[] = [];
  const warnings: string[] = [];
  const paths = doc.paths;
  if (paths === undefined) return { operations, skipped, warnings };
  if (!isObj(paths)) throw new SpecError('paths', 'must be an object of path templates such as "/pets/{id}"');
  const root = options.resolver.set.rootUri;
  const firstById = new Map<string, string>();

  for (const [path, rawItem] of Object.entries(paths)) {
    if (path.startsWith('x-')) continue;
    const itemWhere = formatWhere(['paths', path]);
    if (!path.startsWith('/')) {
      skipped.push({ operation: path, where: itemWhere, reason: 'path templates must start with "/"' });
      continue;
    }
    let item: Obj;
    let itemBase = root;
    try {
      const resolved = options.resolver.deref(rawItem, root, itemWhere);
      if (!isObj(resolved.value)) throw new SpecError(itemWhere, 'must be a path item object');
      item = resolved.value;
      itemBase = resolved.baseUri;
    } catch (err) {
      if (!(err instanceof SpecError)) throw err;
      skipped.push({ operation: `* ${path}`, where: err.where, reason: err.problem });
      continue;
    }
    for (const method of SPEC_METHODS) {
      const raw = item[method];
      if (raw === undefined) continue;
      const label = `${method.toUpperCase()} ${path}`;
      const where = formatWhere(['paths', path, method]);
      try {
        const operation = normalizeOperation({ path, method, raw, item, itemBase, where, options, warnings });
        const first = firstById.get(operation.operationId);
        if (first) {
          throw new SpecError(
            `${where}.operationId`,
            `"${operation.operationId}" is already used by ${first}; operationIds must be unique`,
          );
        }
        firstById.set(operation.operationId, label);
        operations.push(operation);
      } catch (err) {
        if (!(err instanceof SpecError)) throw err;
        skipped.push({ operation: label, where: err.where, reason: err.problem });
      }
    }
  }
  return { operations, skipped, warnings };
}

interface OperationInput {
  path: string;
  method: (typeof SPEC_METHODS)[number];
  raw: unknown;
  item: Obj;
  itemBase: string;
  where: string;
  options: NormalizeOptions;
  warnings: string[];
}

function normalizeOperation(input: OperationInput): ApiOperation {
  const { path, method, raw, item, itemBase, where, options } = input;
  if (!isObj(raw)) throw new SpecError(where, 'must be an operation object');
  const upper = method.toUpperCase();
  if (!(HTTP_METHODS as readonly string[]).includes(upper)) {
    throw new SpecError(where, `${upper} operations are not supported`);
  }
  const { parameters, body } = collectParameters(input, raw);
  checkPathTemplate(path, parameters, where);

  let requestBody: RequestBody | undefined;
  if (options.swagger) requestBody = body;
  else if (raw.requestBody !== undefined)
    requestBody = openApiRequestBody(raw.requestBody, itemBase, `${where}.requestBody`, options);

  const security = raw.security === undefined ? options.globalSecurity : securityOf(raw.security, `${where}.security`);
  const operationId =
    typeof raw.operationId === 'string' && raw.operationId.trim() !== ''
      ? raw.operationId.trim()
      : derivedId(method, path);
  const summary = text(raw.summary) || text(item.summary);
  return {
    operationId,
    method: upper as HttpMethod,
    path,
    summary,
    description: text(raw.description) || text(item.description),
    tags: Array.isArray(raw.tags) ? raw.tags.filter((t): t is string => typeof t === 'string') : [],
    deprecated: raw.deprecated === true,
    parameters,
    ...(requestBody ? { requestBody } : {}),
    security,
    responses: responsesOf(raw, itemBase, where, options),
    schemaDialect: options.dialect,
  };
}

/**
 * The path-level and operation-level parameters (the operation's win by name and place).
 * Swagger 2.0 `body` and `formData` parameters become the request body.
 */
function collectParameters(input: OperationInput, raw: Obj): { parameters: OperationParameter[]; body?: RequestBody } {
  const { item, itemBase, where, options } = input;
  const merged = new Map<string, { param: Obj; base: string; where: string }>();
  const lists: Array<[unknown, string]> = [
    [item.parameters, formatWhere(['paths', input.path, 'parameters'])],
    [raw.parameters, `${where}.parameters`],
  ];
  for (const [list, listWhere] of lists) {
    if (list === undefined) continue;
    if (!Array.isArray(list)) throw new SpecError(listWhere, 'must be a list of parameters');
    list.forEach((entry, i) => {
      const at = `${listWhere}[${i}]`;
      const { value, baseUri } = options.resolver.deref(entry, itemBase, at);
      if (!isObj(value)) throw new SpecError(at, 'must be a parameter object');
      if (typeof value.name !== 'string' || value.name === '') throw new SpecError(`${at}.name`, 'is missing');
      if (typeof value.in !== 'string')
        throw new SpecError(`${at}.in`, 'is missing; use path, query, header or cookie');
      merged.set(`${value.in}:${value.name}`, { param: value, base: baseUri, where: at });
    });
  }

  const parameters: OperationParameter[] = [];
  const formFields: Array<{ param: Obj; where: string }> = [];
  let body: RequestBody | undefined;
  for (const { param, base, where: at } of merged.values()) {
    const place = param.in as string;
    const name = param.name as string;
    if (options.swagger && place === 'body') {
      body = swaggerBody(param, base, at, input);
      continue;
    }
    if (options.swagger && place === 'formData') {
      formFields.push({ param, where: at });
      continue;
    }
    if (place === 'cookie') {
      if (param.required === true) {
        throw new SpecError(`${at}.in`, `required cookie parameter "${name}" is not supported`);
      }
      input.warnings.push(
        `${input.method.toUpperCase()} ${input.path}: optional cookie parameter "${name}" is ignored`,
      );
      continue;
    }
    if (place !== 'path' && place !== 'query' && place !== 'header') {
      throw new SpecError(`${at}.in`, `"${place}" is not a parameter location; use path, query, header or cookie`);
    }
    parameters.push(
      options.swagger ? swaggerParameter(param, place, at) : openApiParameter(param, place, base, at, options),
    );
  }
  if (formFields.length > 0) body = swaggerFormBody(formFields, input);
  return { parameters, ...(body ? { body } : {}) };
}

function openApiParameter(
  param: Obj,
  place: 'path' | 'query' | 'header',
  base: string,
  at: string,
  options: NormalizeOptions,
): OperationParameter {
  let schema: JsonSchema = {};
  if (param.schema !== undefined) {
    schema = asSchema(options.resolver.inline(param.schema, base, `${at}.schema`), `${at}.schema`);
  } else if (isObj(param.content)) {
    const first = Object.values(param.content)[0];
    if (isObj(first) && first.schema !== undefined) {
      schema = asSchema(options.resolver.inline(first.schema, base, `${at}.content`), `${at}.content`);
    }
  }
  const style = param.style;
  if (style !== undefined && !(PARAMETER_STYLES as readonly unknown[]).includes(style)) {
    throw new SpecError(`${at}.style`, `"${String(style)}" is not a parameter style (${PARAMETER_STYLES.join(', ')})`);
  }
  return {
    name: param.name as string,
    in: place,
    required: place === 'path' ? true : param.required === true,
    ...(text(param.description) ? { description: text(param.description) } : {}),
    schema,
    ...(style !== undefined ? { style: style as OperationParameter['style'] } : {}),
    ...(typeof param.explode === 'boolean' ? { explode: param.explode } : {}),
    ...(param.deprecated === true ? { deprecated: true } : {}),
  };
}

function swaggerParameter(param: Obj, place: 'path' | 'query' | 'header', at: string): OperationParameter {
  const schema = swaggerSchema(param);
  const format = param.collectionFormat;
  let style: OperationParameter['style'];
  let explode: boolean | undefined;
  if (param.type === 'array') {
    if (format === 'multi') {
      if (place !== 'query')
        throw new SpecError(`${at}.collectionFormat`, '"multi" is only valid for query parameters');
      [style, explode] = ['form', true];
    } else if (format === 'ssv') [style, explode] = ['spaceDelimited', false];
    else if (format === 'pipes') [style, explode] = ['pipeDelimited', false];
    else if (format === undefined || format === 'csv')
      [style, explode] = [place === 'query' ? 'form' : 'simple', false];
    else throw new SpecError(`${at}.collectionFormat`, `"${String(format)}" is not supported (csv, ssv, pipes, multi)`);
  }
  return {
    name: param.name as string,
    in: place,
    required: place === 'path' ? true : param.required === true,
    ...(text(param.description) ? { description: text(param.description) } : {}),
    schema,
    ...(style ? { style } : {}),
    ...(explode !== undefined ? { explode } : {}),
  };
}

/** A Swagger 2.0 non-body parameter's type keywords as a JSON Schema (`file` becomes binary). */
function swaggerSchema(param: Obj): JsonSchema {
  const schema: JsonSchema = {};
  for (const key of SWAGGER_SCHEMA_KEYS) if (param[key] !== undefined) schema[key] = param[key];
  if (schema.type === 'file') return { type: 'string', format: 'binary' };
  if (isObj(param.items)) schema.items = swaggerSchema(param.items);
  return schema;
}

function swaggerBody(param: Obj, base: string, at: string, input: OperationInput): RequestBody {
  const { options } = input;
  const consumes = consumesOf(input);
  const schema =
    param.schema === undefined
      ? {}
      : asSchema(options.resolver.inline(param.schema, base, `${at}.schema`), `${at}.schema`);
  return {
    contentType: pickContentType(consumes) ?? 'application/json',
    contentTypes: consumes.length ? consumes : ['application/json'],
    required: param.required === true,
    ...(text(param.description) ? { description: text(param.description) } : {}),
    schema,
  };
}

function swaggerFormBody(fields: Array<{ param: Obj; where: string }>, input: OperationInput): RequestBody {
  const consumes = consumesOf(input);
  const hasFile = fields.some(({ param }) => param.type === 'file');
  const contentType =
    hasFile || consumes.some((c) => /^multipart\/form-data/i.test(c))
      ? 'multipart/form-data'
      : 'application/x-www-form-urlencoded';
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const { param } of fields) {
    properties[param.name as string] = swaggerSchema(param);
    if (param.required === true) required.push(param.name as string);
  }
  return {
    contentType,
    contentTypes: consumes.length ? consumes : [contentType],
    required: required.length > 0,
    schema: { type: 'object', properties, ...(required.length ? { required } : {}) },
  };
}

function consumesOf(input: OperationInput): string[] {
  const raw = input.raw as Obj;
  const list = Array.isArray(raw.consumes) ? raw.consumes : input.options.consumes;
  return list.filter((c): c is string => typeof c === 'string');
}

function openApiRequestBody(
  node: unknown,
  base: string,
  at: string,
  options: NormalizeOptions,
): RequestBody | undefined {
  const { value, baseUri } = options.resolver.deref(node, base, at);
  if (!isObj(value)) throw new SpecError(at, 'must be a request body object');
  if (!isObj(value.content))
    throw new SpecError(`${at}.content`, 'is missing; a request body needs at least one media type');
  const types = Object.keys(value.content);
  if (types.length === 0) return undefined;
  const contentType = pickContentType(types) ?? types[0]!;
  const media = value.content[contentType];
  const schemaNode = isObj(media) ? media.schema : undefined;
  const mediaWhere = `${at}.content.${contentType}.schema`;
  const schema =
    schemaNode === undefined ? {} : asSchema(options.resolver.inline(schemaNode, baseUri, mediaWhere), mediaWhere);
  return {
    contentType: contentType === '*/*' ? 'application/json' : contentType,
    contentTypes: types,
    required: value.required === true,
    ...(text(value.description) ? { description: text(value.description) } : {}),
    schema,
  };
}

function responsesOf(raw: Obj, base: string, where: string, options: NormalizeOptions): ResponseSummary[] {
  if (!isObj(raw.responses)) return [];
  const out: ResponseSummary[] = [];
  for (const [status, node] of Object.entries(raw.responses)) {
    if (status.startsWith('x-')) continue;
    const at = `${where}.responses.${status}`;
    const { value } = options.resolver.deref(node, base, at);
    if (!isObj(value)) continue;
    let contentType: string | undefined;
    if (options.swagger) {
      const produces = Array.isArray(raw.produces) ? raw.produces : options.produces;
      if (value.schema !== undefined) contentType = pickContentType(produces.map(String)) ?? 'application/json';
    } else if (isObj(value.content)) {
      contentType = pickContentType(Object.keys(value.content)) ?? Object.keys(value.content)[0];
    }
    out.push({ status, description: text(value.description), ...(contentType ? { contentType } : {}) });
  }
  return out;
}

/** Validates a security requirement list: `[{ scheme: [scopes] }, ...]`. */
export function securityOf(node: unknown, at: string): SecurityRequirement {
  if (!Array.isArray(node)) throw new SpecError(at, 'must be a list of security requirements');
  return node.map((requirement, i) => {
    if (!isObj(requirement)) throw new SpecError(`${at}[${i}]`, 'must be an object of scheme names to scopes');
    const out: Record<string, string[]> = {};
    for (const [scheme, scopes] of Object.entries(requirement)) {
      out[scheme] = Array.isArray(scopes) ? scopes.map(String) : [];
    }
    return out;
  });
}

function checkPathTemplate(path: string, parameters: OperationParameter[], where: string): void {
  const inTemplate = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
  const declared = new Set(parameters.filter((p) => p.in === 'path').map((p) => p.name));
  for (const name of inTemplate) {
    if (!declared.has(name)) {
      throw new SpecError(`${where}.parameters`, `path parameter "${name}" of "${path}" is not declared`);
    }
  }
  for (const name of declared) {
    if (!inTemplate.includes(name)) {
      throw new SpecError(`${where}.parameters`, `path parameter "${name}" does not appear in "${path}"`);
    }
  }
}

function asSchema(value: unknown, at: string): JsonSchema {
  if (value === true) return {};
  if (!isObj(value)) throw new SpecError(at, 'must be a schema object');
  return value;
}

/** The content type APIQ sends: JSON first, then form, multipart, text, raw bytes. */
export function pickContentType(types: string[]): string | undefined {
  for (const pattern of CONTENT_TYPE_PREFERENCE) {
    const hit = types.find((t) => pattern.test(t));
    if (hit) return hit;
  }
  return types[0];
}

/**
 * A stable id for an operation without `operationId`: method and path.
 *
 * @example
 * derivedId('get', '/pets/{petId}/photos'); // → 'get_pets_petId_photos'
 */
export function derivedId(method: string, path: string): string {
  const parts = path
    .split('/')
    .map((s) =>
      s
        .replace(/[{}]/g, '')
        .replace(/[^A-Za-z0-9]+/g, '_')
        .replace(/^_+|_+$/g, ''),
    )
    .filter(Boolean);
  return `${method.toLowerCase()}_${parts.length ? parts.join('_') : 'root'}`;
}
